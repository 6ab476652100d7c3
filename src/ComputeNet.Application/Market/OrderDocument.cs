using ComputeNet.Domain.Market;
using ComputeNet.Domain.Market.Engine;

namespace ComputeNet.Application.Market;

/// <summary>
/// An order as the store remembers it: written by the market writer in the transaction of the journal block that
/// placed it (inserted) and of each block that changed it (fills, kills, cancels, reduces: updated), like the lease
/// documents (ADR 0015). It answers <c>GET /v1/orders</c> and <c>/v1/orders/{id}</c>, repeats and <c>id-reused</c> of
/// orders no longer in memory, and the offered capacity of reports. Its state at a time is computed from it when read:
/// expiry is never journaled. A read model of the market journal, which stays the source of truth.
/// Id: <see cref="IdOf"/> (order ids are unique per party across both sides).
/// </summary>
public sealed class OrderDocument
{
    public string Id { get; set; } = "";
    /// <summary>Indexed with <see cref="Seq"/>: a party's orders are paged in arrival order without reading anyone else's.</summary>
    public string Party { get; set; } = "";
    public string OrderId { get; set; } = "";
    /// <summary>The engine's arrival sequence (indexed: the list order).</summary>
    public long Seq { get; set; }
    public OrderRecord Order { get; set; } = null!;
    /// <summary>Offers only (null for bids): what reports of offered capacity read, window bounds as Unix seconds.</summary>
    public string? Cluster { get; set; }
    public decimal ScuPerDevice { get; set; }
    public long? OfferFromUnixSeconds { get; set; }
    public long? OfferToUnixSeconds { get; set; }

    public static string IdOf(string party, string orderId) => $"{party}/{orderId}";

    public static OrderDocument Of(OrderRecord order) => new()
    {
        Id = IdOf(order.Party, order.Id),
        Party = order.Party,
        OrderId = order.Id,
        Seq = order.Seq,
        Order = order,
        Cluster = order.Offer?.Cluster,
        ScuPerDevice = order.ScuPerDevice,
        OfferFromUnixSeconds = order.Offer?.Window.From.ToUnixTimeSeconds(),
        OfferToUnixSeconds = order.Offer?.Window.To.ToUnixTimeSeconds(),
    };
}

/// <summary>
/// The head of the latest snapshot of the live book (one document, id <see cref="TheId"/>): the journal version it
/// covers and the book's sequences, clock and numbering; its live orders are in <see cref="Chunks"/> chunk documents
/// (<see cref="MarketSnapshotChunk"/>) written in the same transaction. A start or a failed append loads it and
/// replays only the journal after <see cref="Version"/>.
/// </summary>
public sealed class MarketSnapshot
{
    public const string TheId = "market";

    public string Id { get; set; } = TheId;
    /// <summary>The market stream version (journal block) the snapshot covers.</summary>
    public long Version { get; set; }
    public long LastSeq { get; set; }
    public long LastTradeSeq { get; set; }
    public EngineClock Clock { get; set; }
    public List<string> Parties { get; set; } = [];
    public List<string> Cities { get; set; } = [];
    public List<string> Clusters { get; set; } = [];
    public int Orders { get; set; }
    public int Chunks { get; set; }
    /// <summary>Each party's exposure in fen when the snapshot was taken (<see cref="Domain.Market.OrderExposure"/>).</summary>
    public Dictionary<string, long> Exposure { get; set; } = [];
    /// <summary>
    /// 2: the chunks are rows of <see cref="MarketSnapshotTable"/> (compact bytes, <see cref="Domain.Market.SnapshotCodec"/>) and
    /// <see cref="Exposure"/> is kept. Older snapshots (1: the same without exposures; 0: <see cref="MarketSnapshotChunk"/>
    /// documents of JSON) are not read: the book is replayed from the journal once and a new snapshot taken.
    /// </summary>
    public int Format { get; set; }

    /// <summary>The format <see cref="MarketService"/> writes and reads.</summary>
    public const int CurrentFormat = 2;

    public static string ChunkId(long version, int index) => $"market/{version}/{index}";
}

/// <summary>Up to <see cref="MarketService.SnapshotChunkOrders"/> live orders of one snapshot, in arrival order, as JSON (snapshots written before
/// <see cref="MarketSnapshotTable"/>; read, no longer written).</summary>
public sealed class MarketSnapshotChunk
{
    public string Id { get; set; } = "";
    public long Version { get; set; }
    public List<SnapshotOrder> Orders { get; set; } = [];
}
