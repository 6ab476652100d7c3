using ComputeNet.Domain.Metering;
using Marten;
using Mediator;

namespace ComputeNet.Application.Metering.ListUsage;

/// <summary>Usage records, optionally one provider's and/or one lease's, ordered by lease then interval start; paged.</summary>
public sealed record ListUsageRequest(string? Provider = null, string? LeaseId = null, int Offset = 0, int Limit = 100) : IQuery<IReadOnlyList<UsageRecorded>>;

public sealed class ListUsageHandler(IDocumentStore store) : IQueryHandler<ListUsageRequest, IReadOnlyList<UsageRecorded>>
{
    public async ValueTask<IReadOnlyList<UsageRecorded>> Handle(ListUsageRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var all = await MeteringService.AllAsync(session, q.Provider, ct);
        return all.Where(u => q.LeaseId is null || u.LeaseId == q.LeaseId).Skip(q.Offset).Take(q.Limit).ToList();
    }
}
