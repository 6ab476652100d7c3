using ComputeNet.Domain.Metering;
using Marten;
using Mediator;

namespace ComputeNet.Application.Metering.ListUsage;

/// <summary>
/// Usage records, optionally one provider's and/or one lease's, ordered by provider, lease, then interval start; paged
/// in PostgreSQL from the usage record rows' (provider, lease, start) index (<see cref="UsageRecordTable"/>).
/// </summary>
public sealed record ListUsageRequest(string? Provider = null, string? LeaseId = null, int Offset = 0, int Limit = 100) : IQuery<IReadOnlyList<UsageRecorded>>;

public sealed class ListUsageHandler(IDocumentStore store) : IQueryHandler<ListUsageRequest, IReadOnlyList<UsageRecorded>>
{
    public async ValueTask<IReadOnlyList<UsageRecorded>> Handle(ListUsageRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var provider = q.Provider;
        if (q.LeaseId is { } lease)
        {
            // A lease belongs to one provider: its records are a range of the (provider, lease, start) index.
            var terms = await session.LoadAsync<LeaseDocument>(Infrastructure.MartenSetup.Streams.Lease(lease), ct);
            if (terms is null || (provider is not null && terms.Provider != provider))
            {
                return [];
            }
            provider = terms.Provider;
        }
        return await UsageRecordTable.PageAsync(session, provider, q.LeaseId, q.Offset, q.Limit, ct);
    }
}
