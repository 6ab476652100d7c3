using NodaTime;

namespace ComputeNet.Domain.Market;

/// <summary>Marker for the events of the market journal (the order book's stream).</summary>
public interface IMarketEvent
{
    Instant At { get; }
}

/// <summary>
/// A provider's offer entered the book. <see cref="Seq"/> is the engine's arrival sequence (price-time
/// priority uses it, never wall-clock time). Price in yuan per SCU-hour; green share taken at listing time.
/// </summary>
public sealed record OfferListed(
    long Seq,
    string OfferId,
    string Party,
    string Cluster,
    string Hub,
    string ResourceClass,
    string Family,
    string MeteringStandard,
    decimal ScuPerDevice,
    int MemoryGb,
    int Devices,
    Instant From,
    Instant To,
    decimal Price,
    decimal GreenShare,
    Instant At) : IMarketEvent;

/// <summary>
/// A buyer's bid was accepted by the engine (whether or not it then traded). City is the bid's effective city.
/// <see cref="MaxScuPerDevice"/>: the most SCU per device a lease of the bid can have (its family's largest class when it
/// arrived, or its own minimum if higher); the bid's full window is valued at it in the buyer's exposure
/// (<see cref="OrderExposure"/>). Null in bids journaled before it was added.
/// </summary>
public sealed record BidPlaced(
    long Seq,
    string BidId,
    string Party,
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
    string City,
    bool CityGiven,
    Instant At,
    decimal? MaxScuPerDevice = null) : IMarketEvent;

/// <summary>
/// The terms of a lease — the contract a trade creates (market-rules §5). Lasting contract: fields are
/// only ever added. Price in yuan per SCU-hour; <see cref="ScuPerDevice"/> rated with <see cref="MeteringStandard"/>.
/// </summary>
public sealed record LeaseTerms(
    string LeaseId,
    long TradeSeq,
    string BidId,
    string Buyer,
    string BuyerCity,
    string OfferId,
    string Provider,
    string Cluster,
    string Hub,
    string ResourceClass,
    string Family,
    string MeteringStandard,
    decimal ScuPerDevice,
    int Devices,
    Instant From,
    Instant To,
    decimal Price,
    string Commitment,
    decimal LatencyMs);

/// <summary>A bid and an offer traded at the resting order's price; <see cref="Terms"/> is the lease it creates.</summary>
public sealed record TradeExecuted(LeaseTerms Terms, Instant At) : IMarketEvent;

/// <summary>The unfilled part of an IOC or FOK bid was killed after its one matching attempt.</summary>
public sealed record BidKilled(string BidId, string Party, int DevicesKilled, Instant At) : IMarketEvent;

/// <summary>An order was cancelled by its party.</summary>
public sealed record OrderCancelled(string OrderId, string Party, string Side, Instant At) : IMarketEvent;

/// <summary>An order's total device count was reduced (including what has traded); time priority is kept.</summary>
public sealed record OrderReduced(string OrderId, string Party, string Side, int Devices, Instant At) : IMarketEvent;
