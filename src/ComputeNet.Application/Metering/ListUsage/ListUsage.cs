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
        IQueryable<UsageRecordView> query = session.Query<UsageRecordView>();
        if (q.Provider is not null)
        {
            query = query.Where(u => u.Id.StartsWith(q.Provider + "/"));
        }
        if (q.LeaseId is not null)
        {
            query = query.Where(u => u.LeaseId == q.LeaseId);
        }
        var page = await query.OrderBy(u => u.LeaseId).ThenBy(u => u.Id).Skip(q.Offset).Take(q.Limit).ToListAsync(ct);
        return page.Select(u => u.Record).ToList();
    }
}
