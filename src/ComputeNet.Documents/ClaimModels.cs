namespace ComputeNet.Documents;

/// <summary>
/// One voucher programme's part of an issuer's claim: the invoice lines its vouchers paid part of (each line's
/// <see cref="DocumentLine.VoucherFen"/> is the redeemed amount, <see cref="DocumentLine.Voucher"/> the voucher that paid it,
/// <see cref="DocumentLine.Counterparty"/> the buyer), and their sum.
/// </summary>
public sealed record ClaimProgramme(string Programme, string Kind, int CoverageBp, IReadOnlyList<DocumentLine> Lines, long RedeemedFen);

/// <summary>
/// An issuer's claim for one settlement period (market-rules §9): what it owes the platform for the vouchers of its programmes
/// redeemed in the period, by programme, and the voucher balances that lapsed (owed by no one). Totals must equal the sums of the
/// programmes and of their lines (checked when rendering).
/// </summary>
public sealed record ClaimModel(
    string Number,
    string Period,
    string PeriodStart,
    string PeriodEnd,
    string TimeZone,
    string IssuedOn,
    PartyBlock Issuer,
    IReadOnlyList<ClaimProgramme> Programmes,
    long RedeemedFen,
    long LapsedFen,
    HashBlock Hash);

/// <summary>
/// One line a region's revenue share came from: the invoice line (its amount and platform fee in <see cref="Line"/>), the
/// region's part of that fee, and on which side of the pairing agreement the region stood (<c>demand</c> or <c>supply</c>).
/// </summary>
public sealed record RegionShareLine(DocumentLine Line, long ShareFen, string Side);

/// <summary>
/// A region's revenue-share statement for one period (结对子, the policy's cross-region 收益分配): its share of the platform fee
/// of the paired compute lines, line by line. The share must equal the sum of the lines (checked when rendering).
/// </summary>
public sealed record RegionStatementModel(
    string Number,
    string Period,
    string PeriodStart,
    string PeriodEnd,
    string TimeZone,
    string IssuedOn,
    PartyBlock Region,
    IReadOnlyList<RegionShareLine> Lines,
    long ShareFen,
    HashBlock Hash);
