using ComputeNet.Domain.Metering;
using Marten;
using Mediator;

namespace ComputeNet.Application.Metering.ListUsage;

/// <summary>
/// Usage records, optionally one provider's and/or one lease's, ordered by provider, lease, then interval start; paged
/// in PostgreSQL from the usage record rows' (provider, lease, start) or (lease, start) index (<see cref="UsageRecordTable"/>).
/// </summary>
public sealed record ListUsageRequest(string? Provider = null, string? LeaseId = null, int Offset = 0, int Limit = 100) : IQuery<IReadOnlyList<UsageRecorded>>;

public sealed class ListUsageHandler(IDocumentStore store) : IQueryHandler<ListUsageRequest, IReadOnlyList<UsageRecorded>>
{
    public async ValueTask<IReadOnlyList<UsageRecorded>> Handle(ListUsageRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await UsageRecordTable.PageAsync(session, q.Provider, q.LeaseId, q.Offset, q.Limit, ct);
    }
}
