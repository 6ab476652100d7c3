using ComputeNet.Api.Security;
using ComputeNet.Application.Market;
using ComputeNet.Application.Market.CancelOrder;
using ComputeNet.Application.Market.GetBookDepth;
using ComputeNet.Application.Market.ListOrders;
using ComputeNet.Application.Market.ListTrades;
using ComputeNet.Application.Market.PlaceBid;
using ComputeNet.Application.Market.PlaceOffer;
using ComputeNet.Application.Market.ReduceOrder;
using Mediator;
using NodaTime;

namespace ComputeNet.Api.Endpoints;

public static class MarketEndpoints
{
    /// <summary>An offer as posted: price in yuan per SCU-hour (string or number, ≤ 4 places); window [from, to) on whole hours, any offset.</summary>
    public sealed record OfferBody(string? Id, string? Cluster, string? ResourceClass, int? Devices, DateTimeOffset? From, DateTimeOffset? To, decimal? Price);

    /// <summary>A bid as posted. tier city|regional|cross-hub; commitment reserved|on-demand; tif GTC|IOC|FOK; city defaults to the buyer's.</summary>
    public sealed record BidBody(string? Id, string? Family, int? Devices, decimal? MinScuPerDevice, int? MinMemoryGb, DateTimeOffset? From,
        DateTimeOffset? To, string? Tier, decimal? MinGreen, decimal? Price, string? Commitment, bool? Split, string? Tif, string? City);

    public sealed record ReduceBody(int? Devices);

    public static Instant ToInstant(DateTimeOffset? t) => t is { } value ? Instant.FromDateTimeOffset(value) : default;

    /// <summary>A time the request cannot do without: missing is `invalid` naming the field (never 1970-01-01).</summary>
    public static Instant Required(DateTimeOffset? t, string field) => Instant.FromDateTimeOffset(PartiesEndpoints.Required(t, field));

    public static void MapMarket(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("").WithTags("Market");
        g.MapPost("/offers", async (OfferBody b, HttpContext http, ISender sender, CancellationToken ct) =>
                Placed(await sender.Send(new PlaceOfferRequest(Caller.From(http.User).PartyId, b.Id, b.Cluster ?? "", b.ResourceClass ?? "",
                    b.Devices ?? 0, Required(b.From, "from"), Required(b.To, "to"), b.Price ?? 0), ct)))
            .For(Role.Provider).WithName("PlaceOffer")
            .WithSummary("Provider: list capacity; it may trade at once with resting bids (at their prices)")
            .Produces<OrderResult>(201).Produces<OrderResult>(200).ProducesProblem(409).ProducesProblem(422);

        g.MapPost("/bids", async (BidBody b, HttpContext http, ISender sender, CancellationToken ct) =>
                Placed(await sender.Send(new PlaceBidRequest(Caller.From(http.User).PartyId, b.Id, b.Family ?? "", b.Devices ?? 0,
                    b.MinScuPerDevice ?? 0, b.MinMemoryGb ?? 0, Required(b.From, "from"), Required(b.To, "to"), b.Tier ?? "", b.MinGreen ?? 0, b.Price ?? 0,
                    b.Commitment ?? "", PartiesEndpoints.Required(b.Split, "split"), b.Tif ?? "", b.City), ct)))
            .For(Role.Buyer).WithName("PlaceBid")
            .WithSummary("Buyer: post demand; it trades at once with compatible resting offers (at their prices), the rest per time in force")
            .Produces<OrderResult>(201).Produces<OrderResult>(200).ProducesProblem(409).ProducesProblem(422);

        g.MapPost("/orders/{orderId}/cancel", async (string orderId, HttpContext http, ISender sender, CancellationToken ct) =>
                await sender.Send(new CancelOrderRequest(Caller.From(http.User).PartyId, orderId), ct))
            .For(Role.Buyer, Role.Provider).WithName("CancelOrder").WithSummary("Cancel one of your orders; cancelling a finished order changes nothing");

        g.MapPost("/orders/{orderId}/reduce", async (string orderId, ReduceBody b, HttpContext http, ISender sender, CancellationToken ct) =>
                await sender.Send(new ReduceOrderRequest(Caller.From(http.User).PartyId, orderId, PartiesEndpoints.Required(b.Devices, "devices")), ct))
            .For(Role.Buyer, Role.Provider).WithName("ReduceOrder")
            .WithSummary("Reduce one of your orders to a new total device count (including what has traded); keeps time priority");

        g.MapGet("/orders", async (string? party, int? offset, int? limit, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var (o, l) = Paging.Check(offset, limit);
                var page = await sender.Send(new ListOrdersPageRequest(Caller.From(http.User).Scope(party), o, l), ct);
                return new Page<OrderView>(page.Items, o, l, page.More ? o + page.Items.Count : null);
            })
            .For(Role.Buyer, Role.Provider, Role.Regulator, Role.Operator).WithName("ListOrders")
            .WithSummary("Your orders with their state now (regulators and operators: all, or ?party=)");

        g.MapGet("/orders/{orderId}", async (string orderId, string? party, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var order = await sender.Send(new GetOrderRequest(Caller.From(http.User).Scope(party), orderId), ct);
                return order is not null ? Results.Ok(order) : NotFound("order", orderId);
            })
            .For(Role.Buyer, Role.Provider, Role.Regulator, Role.Operator).WithName("GetOrder")
            .WithSummary("One of your orders (regulators and operators: any, with ?party= when ids repeat across parties)")
            .Produces<OrderView>().ProducesProblem(404);

        g.MapGet("/book/{family}", async (string family, string? cluster, int? levels, ISender sender, CancellationToken ct) =>
                Results.Ok(await sender.Send(new GetBookDepthRequest(family, cluster, levels ?? 20), ct)))
            .For(Role.Buyer, Role.Provider, Role.Carrier, Role.Issuer, Role.Regulator, Role.Operator).WithName("GetBookDepth")
            .WithSummary("Book depth of one family's market: aggregated price levels, best first, no order ids or parties (?cluster= for offers in one cluster, ?levels= up to 100)")
            .Produces<BookDepthView>();

        g.MapGet("/trades", async (string? party, int? offset, int? limit, HttpContext http, ISender sender, CancellationToken ct) =>
                await Paging.FromStoreAsync(offset, limit, (o, l) => sender.Send(new ListTradesRequest(Caller.From(http.User).Scope(party), o, l), ct)))
            .For(Role.Buyer, Role.Provider, Role.Regulator, Role.Operator).WithName("ListTrades")
            .WithSummary("Trades (each one a lease) where you are buyer or provider; regulators and operators: all");

        g.MapGet("/leases/{leaseId}", async (string leaseId, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var lease = await sender.Send(new GetLeaseRequest(leaseId, Caller.From(http.User).Scope(null)), ct);
                return lease is not null ? Results.Ok(lease) : NotFound("lease", leaseId);
            })
            .For(Role.Buyer, Role.Provider, Role.Regulator, Role.Operator).WithName("GetLease")
            .WithSummary("A lease you are party to (regulators and operators: any)").Produces<TradeView>().ProducesProblem(404);
    }

    private static IResult Placed(OrderResult r) =>
        r.Repeat ? Results.Ok(r) : Results.Created($"/v1/orders/{Uri.EscapeDataString(r.OrderId)}", r);

    /// <summary>404 both for what does not exist and for what exists but is someone else's: existence itself must not leak.</summary>
    public static IResult NotFound(string what, string id) =>
        Results.Problem(statusCode: 404, title: "Not found", detail: $"no {what} '{id}' visible to you",
            type: "https://computenet.example/problems/not-found",
            extensions: new Dictionary<string, object?> { ["code"] = "not-found", ["field"] = $"{what}Id" });
}
