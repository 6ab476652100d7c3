using ComputeNet.Application.Infrastructure;
using ComputeNet.Domain.Market;
using NodaTime;

namespace ComputeNet.Application.Metering;

/// <summary>
/// A lease's terms, written in the transaction of the trade that booked it, so that closes, reports and usage
/// validation find it by id or by window. It is a read model of the market journal's <see cref="TradeExecuted"/>
/// (the source of truth). Id is <see cref="MartenSetup.Streams.Lease"/> of the lease id (the key older journals gave
/// the lease's stream); <see cref="LeaseId"/> is the lease id. Usage lives in the providers' streams.
/// </summary>
public sealed class LeaseDocument
{
    public string Id { get; set; } = "";
    public string LeaseId { get; set; } = "";
    public LeaseTerms Terms { get; set; } = null!;
    public string Commitment { get; set; } = "";
    /// <summary>Buyer and provider, indexed: a party's trades are found without reading everyone's.</summary>
    public string Buyer { get; set; } = "";
    public string Provider { get; set; } = "";
    public long TradeSeq { get; set; }
    /// <summary>When the trade executed (the <see cref="TradeExecuted.At"/> of the journal).</summary>
    public Instant TradedAt { get; set; }
    /// <summary>Window bounds as Unix seconds, for range queries without a NodaTime LINQ member source.</summary>
    public long FromUnixSeconds { get; set; }
    public long ToUnixSeconds { get; set; }

    public static LeaseDocument Of(TradeExecuted trade) => Of(trade.Terms, trade.At);

    public static LeaseDocument Of(LeaseTerms terms, Instant tradedAt) => new()
    {
        Id = MartenSetup.Streams.Lease(terms.LeaseId),
        LeaseId = terms.LeaseId,
        Terms = terms,
        Commitment = terms.Commitment,
        Buyer = terms.Buyer,
        Provider = terms.Provider,
        TradeSeq = terms.TradeSeq,
        TradedAt = tradedAt,
        FromUnixSeconds = terms.From.ToUnixTimeSeconds(),
        ToUnixSeconds = terms.To.ToUnixTimeSeconds(),
    };
}
