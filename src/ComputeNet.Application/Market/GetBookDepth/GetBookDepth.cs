using ComputeNet.Application.Platform;
using ComputeNet.Domain;
using ComputeNet.Domain.Market;
using ComputeNet.Domain.Market.Engine;
using ComputeNet.Domain.Reference;
using FluentValidation;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Market.GetBookDepth;

/// <summary>
/// The book of one compute family's market as anyone may see it: aggregated price levels, best first — no order
/// ids, no parties. Offers optionally only in one cluster; bids are the family's (a bid names no cluster).
/// </summary>
public sealed record GetBookDepthRequest(string Family, string? Cluster = null, int Levels = 20) : IQuery<BookDepthView>;

/// <summary>A price level: price in yuan per SCU-hour, how many orders, how many devices (bids: still wanted; offers: the most still free in some hour of their window).</summary>
public sealed record DepthLevelView(decimal Price, int Orders, long Devices);

public sealed record BookDepthView(string Family, string? Cluster, Instant AsOf, IReadOnlyList<DepthLevelView> Bids, IReadOnlyList<DepthLevelView> Offers);

public sealed class GetBookDepthValidator : AbstractValidator<GetBookDepthRequest>
{
    public const int MaxLevels = MarketService.DepthLevels;

    public GetBookDepthValidator()
    {
        RuleFor(x => x.Family).NotEmpty();
        RuleFor(x => x.Levels).InclusiveBetween(1, MaxLevels);
    }
}

public sealed class GetBookDepthHandler(MarketService market, PlatformService platform, IClock clock) : IQueryHandler<GetBookDepthRequest, BookDepthView>
{
    public async ValueTask<BookDepthView> Handle(GetBookDepthRequest q, CancellationToken ct)
    {
        if (!Slugs.TryParseFamily(q.Family, out var family))
        {
            throw RejectedException.Of(Codes.Invalid, $"unknown family '{q.Family}'", "family");
        }
        var catalogue = (await platform.CurrentAsync(ct)).Catalogue;
        if (q.Cluster is not null && catalogue.Cluster(q.Cluster) is null)
        {
            throw RejectedException.Of(Codes.Invalid, $"unknown cluster '{q.Cluster}'", "cluster");
        }
        var now = clock.GetCurrentInstant();
        // The depth view the writer published after its last block: read without the writer's gate (docs/matching.md).
        var view = await market.DepthAsync(now, ct);
        IReadOnlyList<DepthLevelView> Side(OrderSide side, string? cluster) => view.Of(family, side, cluster, q.Levels)
            .Select(l => new DepthLevelView(PriceTicks.ToYuan(l.PriceTicks), l.Orders, l.Devices)).ToList();
        return new BookDepthView(Slugs.Of(family), q.Cluster, view.AsOf, Side(OrderSide.Bid, null), Side(OrderSide.Offer, q.Cluster));
    }
}
