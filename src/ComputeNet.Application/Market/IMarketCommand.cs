using Mediator;

namespace ComputeNet.Application.Market;

/// <summary>
/// An order command for the market's writer (place a bid or an offer, cancel, reduce). In a cluster (ADR 0030) only the
/// market's owner runs it: any other host forwards it there (the API's routing behaviour), so the four requests carry
/// this mark and a name the forwarding endpoint knows them by.
/// </summary>
public interface IMarketCommand : ICommand<OrderResult>
{
    /// <summary>The request kinds the owner's internal endpoint accepts, by name.</summary>
    public static readonly IReadOnlyDictionary<string, Type> Kinds = new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        ["place-bid"] = typeof(PlaceBid.PlaceBidRequest),
        ["place-offer"] = typeof(PlaceOffer.PlaceOfferRequest),
        ["cancel-order"] = typeof(CancelOrder.CancelOrderRequest),
        ["reduce-order"] = typeof(ReduceOrder.ReduceOrderRequest),
    };

    /// <summary>The name of <paramref name="command"/>'s kind in <see cref="Kinds"/>.</summary>
    public static string KindOf(IMarketCommand command) => Kinds.First(k => k.Value == command.GetType()).Key;
}
