namespace ComputeNet.Documents;

/// <summary>A name shown in Chinese and English; either may be missing (then the other, else the id, is shown).</summary>
public sealed record BilingualName(string Id, string? Chinese, string? English)
{
    public string Primary => Chinese ?? English ?? Id;

    /// <summary>The second-language name, when there is one that differs from <see cref="Primary"/>.</summary>
    public string? Secondary => Chinese is not null && English is not null && English != Chinese ? English : null;

    public string Both => Secondary is { } s ? $"{Primary} {s}" : Primary;
}

/// <summary>The party a document is addressed to.</summary>
public sealed record PartyBlock(BilingualName Name, IReadOnlyList<string> Roles, BilingualName? City, bool Sme);

/// <summary>
/// One line of an invoice or statement as issued (amounts in fen, signed; an SLA credit is negative). Quantity in
/// <see cref="Unit"/> (SCU-h or GB), unit price in yuan per unit, tax = the VAT included in the amount.
/// </summary>
public sealed record DocumentLine(
    int LineNo,
    string LeaseId,
    string Kind,
    bool Late,
    BilingualName Cluster,
    BilingualName? Hub,
    BilingualName Counterparty,
    string? ResourceClass,
    decimal Quantity,
    string Unit,
    decimal UnitPriceYuan,
    long AmountFen,
    long TaxFen,
    long VoucherFen,
    string? Voucher,
    long DueFen,
    long FeeFen);

/// <summary>A voucher programme that paid part of an invoice, with the sum it paid on it (fen).</summary>
public sealed record VoucherPart(string Programme, string Kind, BilingualName Issuer, int CoverageBp, long AmountFen);

/// <summary>What the hash of a document is and how a reader checks it.</summary>
public sealed record HashBlock(string Hash, string PreviousHash, string ChainKey, string Schema);

/// <summary>
/// A buyer's invoice for one settlement period, as rendered. Totals must equal the sums of the lines (checked when
/// rendering). Dates are local dates in the settlement time zone, already formatted (YYYY-MM-DD).
/// </summary>
public sealed record InvoiceModel(
    string Number,
    string Period,
    string PeriodStart,
    string PeriodEnd,
    string TimeZone,
    string IssuedOn,
    PartyBlock Buyer,
    IReadOnlyList<DocumentLine> Lines,
    long AmountFen,
    long TaxFen,
    long VoucherFen,
    long DueFen,
    IReadOnlyList<VoucherPart> Vouchers,
    HashBlock Hash);

/// <summary>
/// A provider's or carrier's statement for one period: the lines it earned on (from the period's invoices), gross,
/// platform fee and net owed to it. Gross and fee must equal the sums of the lines (checked when rendering).
/// </summary>
public sealed record StatementModel(
    string Number,
    string Period,
    string PeriodStart,
    string PeriodEnd,
    string TimeZone,
    string IssuedOn,
    PartyBlock Party,
    string Role,
    IReadOnlyList<DocumentLine> Lines,
    long GrossFen,
    long FeeFen,
    long NetFen,
    HashBlock Hash);

/// <summary>
/// A credit note (market-rules §14): what an accepted dispute credits on one invoice line. Amounts are negative (−x, its
/// VAT, −v the voucher's part, −(x − v) due); <see cref="Line"/> is the invoice line it corrects, as issued.
/// </summary>
public sealed record CreditNoteModel(
    string Number,
    string Dispute,
    string Invoice,
    string Period,
    string TimeZone,
    string IssuedOn,
    PartyBlock Buyer,
    DocumentLine Line,
    long AmountFen,
    long TaxFen,
    long VoucherFen,
    long DueFen,
    string Reason,
    HashBlock Hash);
