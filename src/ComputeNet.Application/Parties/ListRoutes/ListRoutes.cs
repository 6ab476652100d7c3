using Mediator;

namespace ComputeNet.Application.Parties.ListRoutes;

/// <summary>City–cluster routes and the carrier serving each; optionally one carrier's only.</summary>
public sealed record ListRoutesRequest(string? Carrier = null) : IQuery<IReadOnlyList<RouteView>>;

public sealed record RouteView(string City, string Cluster, string Carrier);

public sealed class ListRoutesHandler(PartyDirectory parties) : IQueryHandler<ListRoutesRequest, IReadOnlyList<RouteView>>
{
    public async ValueTask<IReadOnlyList<RouteView>> Handle(ListRoutesRequest q, CancellationToken ct) =>
        (await parties.RoutesAsync(ct))
            .Where(r => q.Carrier is null || r.Carrier == q.Carrier)
            .OrderBy(r => r.Carrier, StringComparer.Ordinal).ThenBy(r => r.City, StringComparer.Ordinal).ThenBy(r => r.Cluster, StringComparer.Ordinal)
            .ToList();
}
