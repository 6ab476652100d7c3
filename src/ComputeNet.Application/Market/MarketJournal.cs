using System.Text.Json.Serialization.Metadata;
using ComputeNet.Domain.Market;
using JasperFx.Events;

namespace ComputeNet.Application.Market;

/// <summary>
/// One group-commit block of the market journal: the events of every order command the writer decided in one
/// transaction, in decision order. The block is one row of the event store (one stream version) however many orders
/// it carries, so the journal's cost per order is a share of one insert, not an insert per event (ADR 0015).
/// The events inside are the market's contract events, unchanged.
/// </summary>
public sealed record MarketEventsJournaled(IReadOnlyList<IMarketEvent> Events);

public static class MarketJournal
{
    /// <summary>The market events of one stored journal entry: a block's events, or a single event of older journals.</summary>
    public static IEnumerable<IMarketEvent> EventsOf(IEvent stored) => stored.Data switch
    {
        MarketEventsJournaled block => block.Events,
        IMarketEvent single => [single],
        var other => throw new InvalidOperationException($"the market journal holds an unexpected {other.GetType().Name} at version {stored.Version}"),
    };

    /// <summary>
    /// The store's JSON settings for journal blocks (camel case, enums as strings, NodaTime, events by "$type" anywhere),
    /// for reading blocks straight from their UTF-8 bytes in parallel when a replay is long; the same as
    /// <c>MartenSetup</c> gives Marten's serialiser, which reads them everywhere else.
    /// </summary>
    public static System.Text.Json.JsonSerializerOptions JsonOptions { get; } = CreateJsonOptions();

    private static System.Text.Json.JsonSerializerOptions CreateJsonOptions()
    {
        var o = new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase };
        o.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
        NodaTime.Serialization.SystemTextJson.Extensions.ConfigureForNodaTime(o, NodaTime.DateTimeZoneProviders.Tzdb);
        o.TypeInfoResolver = new DefaultJsonTypeInfoResolver().WithAddedModifier(Polymorphism);
        o.AllowOutOfOrderMetadataProperties = true;
        o.MakeReadOnly();
        return o;
    }

    /// <summary>Each market event's type name inside a block (its "$type" property): the event store's own name for it.</summary>
    private static readonly (Type Type, string Name)[] Kinds =
    [
        (typeof(OfferListed), "offer_listed"), (typeof(BidPlaced), "bid_placed"), (typeof(TradeExecuted), "trade_executed"),
        (typeof(BidKilled), "bid_killed"), (typeof(OrderCancelled), "order_cancelled"), (typeof(OrderReduced), "order_reduced"),
    ];

    /// <summary>
    /// Lets System.Text.Json write and read <see cref="IMarketEvent"/> polymorphically (a "$type" property), without
    /// serialisation attributes in the domain. jsonb reorders keys, so the serialiser must accept "$type" anywhere.
    /// </summary>
    public static void Polymorphism(JsonTypeInfo info)
    {
        if (info.Type != typeof(IMarketEvent))
        {
            return;
        }
        info.PolymorphismOptions = new JsonPolymorphismOptions { UnknownDerivedTypeHandling = System.Text.Json.Serialization.JsonUnknownDerivedTypeHandling.FailSerialization };
        foreach (var (type, name) in Kinds)
        {
            info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(type, name));
        }
    }
}
