using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Parties;
using ComputeNet.Domain.Market;
using FluentValidation;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Market.CancelOrder;

/// <summary>Cancel one of the party's own orders. Cancelling a finished or cancelled order changes nothing.</summary>
public sealed record CancelOrderRequest(string Party, string OrderId) : IMarketCommand;

public sealed class CancelOrderValidator : AbstractValidator<CancelOrderRequest>
{
    public CancelOrderValidator()
    {
        RuleFor(x => x.Party).NotEmpty().MaximumLength(RequestLimits.MaxIdLength);
        RuleFor(x => x.OrderId).NotEmpty().MaximumLength(RequestLimits.MaxIdLength);
    }
}

public sealed class CancelOrderHandler(MarketService market, PartyDirectory parties, IClock clock) : ICommandHandler<CancelOrderRequest, OrderResult>
{
    public async ValueTask<OrderResult> Handle(CancelOrderRequest r, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var party = await parties.FindAsync(r.Party, ct);
        var cmd = new Domain.Market.CancelOrder(r.Party, r.OrderId, now);
        return await market.DecideAsync((book, finished) => MatchingEngine.Decide(cmd, book, finished, id => id == party?.Id ? party : null), r.Party, r.OrderId, now, ct);
    }
}
