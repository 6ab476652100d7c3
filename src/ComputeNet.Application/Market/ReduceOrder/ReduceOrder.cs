using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Parties;
using ComputeNet.Domain.Market;
using FluentValidation;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Market.ReduceOrder;

/// <summary>
/// Reduce one of the party's own orders to a new total device count (including what has traded). Keeps time
/// priority and never triggers matching; a reduce to 0 with nothing traded cancels.
/// </summary>
public sealed record ReduceOrderRequest(string Party, string OrderId, int Devices) : IMarketCommand;

public sealed class ReduceOrderValidator : AbstractValidator<ReduceOrderRequest>
{
    public ReduceOrderValidator()
    {
        RuleFor(x => x.Party).NotEmpty().MaximumLength(RequestLimits.MaxIdLength);
        RuleFor(x => x.OrderId).NotEmpty().MaximumLength(RequestLimits.MaxIdLength);
    }
}

public sealed class ReduceOrderHandler(MarketService market, PartyDirectory parties, IClock clock) : ICommandHandler<ReduceOrderRequest, OrderResult>
{
    public async ValueTask<OrderResult> Handle(ReduceOrderRequest r, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var party = await parties.FindAsync(r.Party, ct);
        var cmd = new Domain.Market.ReduceOrder(r.Party, r.OrderId, r.Devices, now);
        return await market.DecideAsync((book, finished) => MatchingEngine.Decide(cmd, book, finished, id => id == party?.Id ? party : null), r.Party, r.OrderId, now, ct);
    }
}
