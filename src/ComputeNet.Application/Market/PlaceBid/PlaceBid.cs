using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Parties;
using ComputeNet.Application.Platform;
using ComputeNet.Domain.Market;
using FluentValidation;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Market.PlaceBid;

/// <summary>
/// Buyer: post demand. Price in yuan per SCU-hour (the most it pays); window <c>[From, To)</c> on whole hours;
/// tier city | regional | cross-hub; commitment reserved | on-demand; tif GTC | IOC | FOK. City defaults to the buyer's.
/// </summary>
public sealed record PlaceBidRequest(
    string Party,
    string? BidId,
    string Family,
    int Devices,
    decimal MinScuPerDevice,
    int MinMemoryGb,
    Instant From,
    Instant To,
    string Tier,
    decimal MinGreen,
    decimal Price,
    string Commitment,
    bool Split,
    string Tif,
    string? City = null) : IMarketCommand;

public sealed class PlaceBidValidator : AbstractValidator<PlaceBidRequest>
{
    public PlaceBidValidator()
    {
        RuleFor(x => x.Party).NotEmpty().MaximumLength(RequestLimits.MaxIdLength);
        RuleFor(x => x.City).MaximumLength(RequestLimits.MaxIdLength);
    }
}

public sealed class PlaceBidHandler(MarketService market, PartyDirectory parties, PlatformService platform, IClock clock)
    : ICommandHandler<PlaceBidRequest, OrderResult>
{
    public async ValueTask<OrderResult> Handle(PlaceBidRequest r, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var view = await platform.CurrentAsync(ct);
        var party = await parties.FindAsync(r.Party, ct);
        var cmd = new Domain.Market.PlaceBid(r.Party, r.BidId,
            new BidSpec(r.Family, r.Devices, r.MinScuPerDevice, r.MinMemoryGb, new HourWindow(r.From, r.To), r.Tier, r.MinGreen, r.Price,
                r.Commitment, r.Split, r.Tif, r.City), now);
        return await market.DecideAsync((book, finished) => MatchingEngine.Decide(cmd, book, finished, id => id == party?.Id ? party : null, view.Catalogue),
            r.Party, r.BidId!, now, ct);
    }
}
