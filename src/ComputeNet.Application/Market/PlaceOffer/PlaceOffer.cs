using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Parties;
using ComputeNet.Application.Platform;
using ComputeNet.Domain.Market;
using FluentValidation;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Market.PlaceOffer;

/// <summary>Provider: list capacity in a cluster. Price in yuan per SCU-hour (the least it accepts); window <c>[From, To)</c> on whole hours.</summary>
public sealed record PlaceOfferRequest(
    string Party,
    string? OfferId,
    string Cluster,
    string ResourceClass,
    int Devices,
    Instant From,
    Instant To,
    decimal Price) : IMarketCommand;

public sealed class PlaceOfferValidator : AbstractValidator<PlaceOfferRequest>
{
    public PlaceOfferValidator()
    {
        RuleFor(x => x.Party).NotEmpty().MaximumLength(RequestLimits.MaxIdLength);
        RuleFor(x => x.Cluster).NotNull().MaximumLength(RequestLimits.MaxIdLength);
        RuleFor(x => x.ResourceClass).NotNull().MaximumLength(RequestLimits.MaxIdLength);
    }
}

public sealed class PlaceOfferHandler(MarketService market, PartyDirectory parties, PlatformService platform, IClock clock)
    : ICommandHandler<PlaceOfferRequest, OrderResult>
{
    public async ValueTask<OrderResult> Handle(PlaceOfferRequest r, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var view = await platform.CurrentAsync(ct);
        var party = await parties.FindAsync(r.Party, ct);
        var cmd = new Domain.Market.PlaceOffer(r.Party, r.OfferId,
            new OfferSpec(r.Cluster, r.ResourceClass, r.Devices, new HourWindow(r.From, r.To), r.Price), now);
        return await market.DecideAsync((book, finished) => MatchingEngine.Decide(cmd, book, finished, id => id == party?.Id ? party : null, view.Catalogue),
            r.Party, r.OfferId!, now, ct);
    }
}
