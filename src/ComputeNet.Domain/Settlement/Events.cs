using System.Text.Json.Serialization;
using NodaTime;

namespace ComputeNet.Domain.Settlement;

/// <summary>
/// One invoice line (market-rules §7). Amounts in fen, signed (an SLA credit is negative). The earner is the
/// line's provider (compute, sla-credit) or carrier (transport). Quantity is SCU-hours for compute lines and
/// GB for transport lines, shown to 6 places; unit price in yuan per unit (0 for SLA credits).
/// </summary>
public sealed record InvoiceLine(
    int LineNo,
    string LeaseId,
    string Bid,
    string Offer,
    string Kind,
    bool Late,
    long AmountFen,
    long TaxFen,
    long VoucherFen,
    string? Voucher,
    long DueFen,
    string Earner,
    string EarnerRole,
    long FeeFen,
    decimal Quantity,
    string Unit,
    decimal UnitPriceYuan);

/// <summary>Event: a buyer's invoice for a period. Totals equal the sums of the lines.</summary>
public sealed record InvoiceIssued(string Period, string Buyer, IReadOnlyList<InvoiceLine> Lines, long AmountFen, long VoucherFen, long DueFen, Instant At,
    string? Hash = null, string? PreviousHash = null);

/// <summary>Event: a provider's or carrier's statement for a period: gross earned, platform fee, net owed.</summary>
public sealed record StatementIssued(string Period, string Party, string Role, long GrossFen, long FeeFen, long NetFen, Instant At,
    string? Hash = null, string? PreviousHash = null);

/// <summary>One leg of a ledger transaction: signed fen, debit positive, credit negative.</summary>
public sealed record Posting(string Account, long AmountFen);

/// <summary>
/// Event: a balanced double-entry transaction (market-rules §10). Invariant: the postings sum to zero;
/// checked when built and again when projected. Never changed or deleted; corrected by a reversing one.
/// </summary>
public sealed record TransactionPosted(string TxId, string Period, string Kind, string Memo, IReadOnlyList<Posting> Postings, Instant At)
{
    [JsonIgnore]
    public long Sum
    {
        get
        {
            var sum = 0L;
            for (var i = 0; i < Postings.Count; i++)
            {
                sum += Postings[i].AmountFen;
            }
            return sum;
        }
    }

    public TransactionPosted EnsureBalanced() =>
        Sum == 0 ? this : throw new InvalidOperationException($"transaction {TxId} does not balance: off by {Sum} fen");
}

/// <summary>Event: a period was closed; everything it issued follows in the same stream.</summary>
public sealed record PeriodClosed(
    string Period,
    Instant Start,
    Instant End,
    int ComputeFeeBp,
    int TransportFeeBp,
    int Invoices,
    int Lines,
    int Transactions,
    long PlatformFeeFen,
    Instant At,
    string? MerkleRoot = null,
    int TreeSize = 0);
