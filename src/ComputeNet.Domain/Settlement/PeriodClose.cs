using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using ComputeNet.Domain.Money;
using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Reference;
using ComputeNet.Domain.Pairings;
using ComputeNet.Domain.Vouchers;
using NodaTime;

namespace ComputeNet.Domain.Settlement;

/// <summary>The platform fee schedule in basis points (market-rules §8).</summary>
public sealed record FeeSchedule(BasisPoints Compute, BasisPoints Transport)
{
    public static readonly FeeSchedule Default = new(new BasisPoints(300), new BasisPoints(100));
}

/// <summary>A lease as the close sees it: its terms and the device-seconds delivered over its whole window so far.</summary>
public sealed record LeaseAtClose(LeaseTerms Terms, long DeviceSecondsDelivered);

/// <summary>
/// Everything a close needs, gathered from recorded facts: the leases with usage received in the period or a
/// reserved window overlapping it, and the usage records the period receives (its own and late ones).
/// </summary>
public sealed record CloseInput(
    SettlementPeriod Period,
    PeriodCalendar Calendar,
    FeeSchedule Fees,
    IReadOnlyList<Party> Parties,
    IReadOnlyList<LeaseAtClose> Leases,
    IReadOnlyList<UsageRecorded> RecordsReceived,
    Instant At,
    VoucherBook? Vouchers = null,
    IReadOnlySet<string>? ClosedBefore = null,
    PairingBook? Pairings = null,
    IReadOnlyDictionary<string, string>? ChainHeads = null);

/// <summary>Everything a close issues, in the order it is written.</summary>
public sealed record CloseResult(
    PeriodClosed Closed,
    IReadOnlyList<InvoiceIssued> Invoices,
    IReadOnlyList<StatementIssued> Statements,
    IReadOnlyList<TransactionPosted> Transactions,
    IReadOnlyList<IssuerClaimIssued> Claims,
    IReadOnlyList<object> VoucherEvents,
    IReadOnlyList<RegionShareIssued> Regions);

/// <summary>Event: what a region earned in a period from pairing agreements (its share of platform fees).</summary>
public sealed record RegionShareIssued(string Period, string Region, long ShareFen, Instant At, string? Hash = null, string? PreviousHash = null);

public static class LineKinds
{
    public const string Compute = "compute";
    public const string SlaCredit = "sla-credit";
    public const string Transport = "transport";
}

/// <summary>
/// Settlement of one period as a pure function of recorded facts (market-rules §7, §8, §10): the same
/// input always gives the same lines, postings and statements, under ids derived from (period, lease, kind).
/// </summary>
public static class PeriodClose
{
    /// <summary>An SLA credit is due when delivery is strictly below 99.0 % of reserved device-seconds.</summary>
    public const int SlaThresholdPermille = 990;
    public static readonly BasisPoints SlaCreditShare = new(1000);

    public static CloseResult Compute(CloseInput input)
    {
        var period = input.Period;
        var partyOrder = input.Parties.ToDictionary(p => p.Id, p => p.Ordinal);
        var recordsByLease = input.RecordsReceived.GroupBy(r => r.LeaseId).ToDictionary(g => g.Key, g => g.ToList());

        // Line order: buyers in registration order; within a buyer, leases in trade order; within a lease by kind.
        var leases = input.Leases
            .OrderBy(l => partyOrder.GetValueOrDefault(l.Terms.Buyer, long.MaxValue)).ThenBy(l => l.Terms.Buyer, StringComparer.Ordinal)
            .ThenBy(l => l.Terms.TradeSeq)
            .ToList();

        var redemption = new Redemption(input, partyOrder);
        var invoices = new List<InvoiceIssued>();
        var transactions = new List<TransactionPosted>();
        var earned = new Dictionary<(string Party, string Role), (long Gross, long Fee)>();
        long platformFee = 0;
        var lineCount = 0;
        var regionShares = new List<(string Region, long Fen)>();

        foreach (var buyerLeases in leases.GroupBy(l => l.Terms.Buyer))
        {
            var lines = new List<InvoiceLine>();
            foreach (var lease in buyerLeases)
            {
                var records = recordsByLease.GetValueOrDefault(lease.Terms.LeaseId) ?? [];
                foreach (var draft in LinesOf(lease, records, input))
                {
                    if (draft.Amount == Fen.Zero)
                    {
                        continue;
                    }
                    var terms = lease.Terms;
                    var (feeShare, role) = draft.Kind switch
                    {
                        LineKinds.Compute => (input.Fees.Compute, "provider"),
                        LineKinds.Transport => (input.Fees.Transport, "carrier"),
                        _ => (new BasisPoints(0), "provider"),
                    };
                    var fee = Exact.Share(draft.Amount, feeShare);
                    var txId = TxIdOf(period, terms, draft.Kind, draft.Late);
                    var voucher = draft.Kind == LineKinds.SlaCredit ? null : redemption.Redeem(terms, draft.Kind, draft.Late, draft.Amount, txId);
                    var discount = voucher?.AmountFen ?? 0;
                    var line = new InvoiceLine(lines.Count + 1, terms.LeaseId, terms.BidId, terms.OfferId, draft.Kind, draft.Late,
                        draft.Amount.Value, Exact.IncludedVat(draft.Amount).Value, discount, voucher?.ProgrammeId,
                        MoneyMath.Add(draft.Amount.Value, -discount, $"the due part of {txId}"),
                        draft.Earner, role, fee.Value, draft.Quantity, draft.Unit, draft.UnitPrice);
                    lines.Add(line);
                    var split = draft.Kind == LineKinds.Compute ? SplitFee(input, terms, fee) : null;
                    transactions.Add(Posting(period, terms, line, txId, voucher is null ? null : redemption.IssuerOf(voucher), split, input.At));

                    var key = (draft.Earner, role);
                    var (gross, fees) = earned.GetValueOrDefault(key);
                    earned[key] = (MoneyMath.Add(gross, line.AmountFen, $"the {role} statement of {draft.Earner} for {period.Key}"),
                        MoneyMath.Add(fees, fee.Value, $"the fees of {draft.Earner} for {period.Key}"));
                    platformFee = MoneyMath.Add(platformFee, split?.Platform ?? fee.Value, $"the platform fee of {period.Key}");
                    if (split is { } s)
                    {
                        regionShares.Add((s.DemandRegion, s.Demand));
                        regionShares.Add((s.SupplyRegion, s.Supply));
                    }
                }
            }
            if (lines.Count == 0)
            {
                continue;
            }
            lineCount += lines.Count;
            var invoiceOf = $"the invoice of {buyerLeases.Key} for {period.Key}";
            invoices.Add(new InvoiceIssued(period.Key, buyerLeases.Key, lines, MoneyMath.Sum(lines, l => l.AmountFen, invoiceOf),
                MoneyMath.Sum(lines, l => l.VoucherFen, invoiceOf + " (vouchers)"), MoneyMath.Sum(lines, l => l.DueFen, invoiceOf + " (due)"), input.At));
        }

        var statements = earned
            .OrderBy(kv => kv.Key.Role == "provider" ? 0 : 1)
            .ThenBy(kv => partyOrder.GetValueOrDefault(kv.Key.Party, long.MaxValue)).ThenBy(kv => kv.Key.Party, StringComparer.Ordinal)
            .Select(kv => new StatementIssued(period.Key, kv.Key.Party, kv.Key.Role, kv.Value.Gross, kv.Value.Fee,
                MoneyMath.Add(kv.Value.Gross, -kv.Value.Fee, $"the {kv.Key.Role} statement of {kv.Key.Party} for {period.Key} (net)"), input.At))
            .ToList();

        redemption.Lapse();
        var regions = regionShares.GroupBy(r => r.Region).Select(g => new RegionShareIssued(period.Key, g.Key, MoneyMath.Sum(g, r => r.Fen, $"the share of {g.Key} for {period.Key}"), input.At))
            .Where(r => r.ShareFen != 0).ToList();

        // Chain every statement to the previous one of its party and kind, and root the period's transactions in a Merkle tree.
        var heads = new Dictionary<string, string>(input.ChainHeads ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        (string Previous, string Hash) Link(string key, Func<string, object> body)
        {
            var previous = heads.GetValueOrDefault(key, Audit.Statements.Genesis);
            heads[key] = Audit.Canonical.Sha256(body(previous));
            return (previous, heads[key]);
        }
        var chainedInvoices = invoices.Select(i =>
        {
            var (prev, hash) = Link(Audit.Statements.KeyOf(i), p => Audit.Statements.Body(i, p));
            return i with { PreviousHash = prev, Hash = hash };
        }).ToList();
        var chainedStatements = statements.Select(s =>
        {
            var (prev, hash) = Link(Audit.Statements.KeyOf(s), p => Audit.Statements.Body(s, p));
            return s with { PreviousHash = prev, Hash = hash };
        }).ToList();
        var chainedClaims = redemption.Claims().Select(c =>
        {
            var (prev, hash) = Link(Audit.Statements.KeyOf(c), p => Audit.Statements.Body(c, p));
            return c with { PreviousHash = prev, Hash = hash };
        }).ToList();
        var chainedRegions = regions.Select(r =>
        {
            var (prev, hash) = Link(Audit.Statements.KeyOf(r), p => Audit.Statements.Body(r, p));
            return r with { PreviousHash = prev, Hash = hash };
        }).ToList();
        var root = Audit.Merkle.RootHex(transactions.Select(Audit.Statements.Leaf).ToList());

        var closed = new PeriodClosed(period.Key, period.Start, period.End, input.Fees.Compute.Value, input.Fees.Transport.Value,
            invoices.Count, lineCount, transactions.Count, platformFee, input.At, root, transactions.Count);
        return new CloseResult(closed, chainedInvoices, chainedStatements, transactions, chainedClaims, redemption.Events, chainedRegions);
    }

    /// <summary>
    /// The ledger transaction of one line (market-rules §10): the buyer owes the due part, the earner is owed
    /// the amount less the fee, the platform keeps the fee; an SLA credit moves the credit from provider to buyer.
    /// Its id is derived from (period, lease, kind, late), so a repeated close can never post it twice.
    /// </summary>
    /// <summary>How a compute line's platform fee is shared under a pairing agreement (largest remainder, market-rules §1, §8).</summary>
    private sealed record FeeSplit(long Platform, string DemandRegion, long Demand, string SupplyRegion, long Supply);

    private static FeeSplit? SplitFee(CloseInput input, LeaseTerms lease, Fen fee)
    {
        if (input.Pairings?.For(lease.BuyerCity, lease.Hub, input.Period.Start) is not { } p)
        {
            return null;
        }
        var parts = Exact.SplitLargestRemainder(fee, [p.PlatformWeight, p.DemandWeight, p.SupplyWeight]);
        return new FeeSplit(parts[0].Value, p.DemandRegion, parts[1].Value, p.SupplyHub, parts[2].Value);
    }

    private static string TxIdOf(SettlementPeriod period, LeaseTerms terms, string kind, bool late) =>
        $"{period.Key}/{terms.LeaseId}/{kind}{(late ? "-late" : "")}";

    private static TransactionPosted Posting(SettlementPeriod period, LeaseTerms terms, InvoiceLine line, string txId, string? issuer, FeeSplit? split, Instant at)
    {
        var earnerAccount = $"{line.EarnerRole}:{line.Earner}";
        IReadOnlyList<Posting> postings = line.Kind == LineKinds.SlaCredit
            ?
            [
                new Posting($"buyer:{terms.Buyer}", line.AmountFen),
                new Posting(earnerAccount, -line.AmountFen),
            ]
            :
            [
                new Posting($"buyer:{terms.Buyer}", line.DueFen),
                .. (line.VoucherFen == 0 ? Array.Empty<Posting>() : [new Posting($"issuer:{issuer}", line.VoucherFen)]),
                new Posting(earnerAccount, -(line.AmountFen - line.FeeFen)),
                .. (split is null
                    ? [new Posting("platform:fees", -line.FeeFen)]
                    : new[] { new Posting("platform:fees", -split.Platform), new Posting($"region:{split.DemandRegion}", -split.Demand), new Posting($"region:{split.SupplyRegion}", -split.Supply) }
                        .Where(x => x.AmountFen != 0)),
            ];
        return new TransactionPosted(txId, period.Key, "charge", $"{line.Kind}{(line.Late ? " (late)" : "")} line of lease {terms.LeaseId} for {terms.Buyer}",
            postings, at).EnsureBalanced();
    }

    private sealed record LineDraft(string Kind, bool Late, Fen Amount, string Earner, decimal Quantity, string Unit, decimal UnitPrice);

    /// <summary>The lines of one lease in a period, in §7 order: compute, late compute, sla-credit, transport, late transport.</summary>
    private static IEnumerable<LineDraft> LinesOf(LeaseAtClose lease, IReadOnlyList<UsageRecorded> records, CloseInput input)
    {
        var terms = lease.Terms;
        var period = input.Period;
        if (terms.Commitment == MarketSlugs.Of(Commitment.Reserved))
        {
            var deviceSeconds = ReservedDeviceSecondsInside(terms, period);
            if (deviceSeconds > 0)
            {
                yield return new LineDraft(LineKinds.Compute, false, Rating.ComputeAmount(deviceSeconds, terms.ScuPerDevice, terms.Price),
                    terms.Provider, Rating.ScuHours(deviceSeconds, terms.ScuPerDevice), "SCU-hour", terms.Price);
            }
            if (SlaCreditDue(lease, input.Calendar, period) is { } credit)
            {
                yield return new LineDraft(LineKinds.SlaCredit, false, credit, terms.Provider, 0, "", 0);
            }
        }
        else
        {
            foreach (var late in new[] { false, true })
            {
                var deviceSeconds = records.Where(r => r.Late == late).Sum(r => r.DeviceSeconds);
                if (deviceSeconds > 0)
                {
                    yield return new LineDraft(LineKinds.Compute, late, Rating.ComputeAmount(deviceSeconds, terms.ScuPerDevice, terms.Price),
                        terms.Provider, Rating.ScuHours(deviceSeconds, terms.ScuPerDevice), "SCU-hour", terms.Price);
                }
            }
        }
        var tariff = Rating.TransportTariff(terms.LatencyMs);
        foreach (var late in new[] { false, true })
        {
            var transferred = records.Where(r => r.Late == late && r.TransferGb > 0).ToList();
            if (transferred.Count > 0)
            {
                var gb = transferred.Sum(r => r.TransferGb);
                var carrier = transferred[0].Carrier
                    ?? throw new InvalidOperationException($"lease {terms.LeaseId}: transferred GB recorded without a carrier");
                yield return new LineDraft(LineKinds.Transport, late, Rating.TransportAmount(gb, tariff), carrier, gb, "GB", tariff);
            }
        }
    }

    /// <summary>
    /// The SLA credit of a reserved lease, issued in the period holding its last hour when the device-seconds
    /// delivered over the whole lease are strictly below 99.0 % of those reserved:
    /// <c>−share(Σ reserved compute line amounts over every period of the window, 1000 bp)</c> (market-rules §7).
    /// </summary>
    public static Fen? SlaCreditDue(LeaseAtClose lease, PeriodCalendar calendar, SettlementPeriod period)
    {
        var terms = lease.Terms;
        if (calendar.PeriodOf(terms.To - Duration.FromHours(1)).Key != period.Key)
        {
            return null;
        }
        var reservedDeviceSeconds = checked((long)terms.Devices * (long)(terms.To - terms.From).TotalSeconds);
        if ((System.Numerics.BigInteger)lease.DeviceSecondsDelivered * 1000 >= (System.Numerics.BigInteger)reservedDeviceSeconds * SlaThresholdPermille)
        {
            return null;
        }
        var reservedAmounts = calendar.Covering(terms.From, terms.To)
            .Select(p => Rating.ComputeAmount(ReservedDeviceSecondsInside(terms, p), terms.ScuPerDevice, terms.Price))
            .Aggregate(Fen.Zero, (a, b) => new Fen(MoneyMath.Add(a.Value, b.Value, $"the reserved compute of lease {terms.LeaseId}")));
        return -Exact.Share(reservedAmounts, SlaCreditShare);
    }

    /// <summary>Reserved device-seconds of the lease window inside the period (whole hours).</summary>
    public static long ReservedDeviceSecondsInside(LeaseTerms lease, SettlementPeriod period)
    {
        var from = Instant.Max(lease.From, period.Start);
        var to = Instant.Min(lease.To, period.End);
        return to > from ? checked((long)lease.Devices * (long)(to - from).TotalSeconds) : 0;
    }
}

/// <summary>Rating formulas (market-rules §7). Multiply first, divide once, round once.</summary>
public static class Rating
{
    /// <summary>
    /// <c>round(Σ device_seconds × scu_per_device × price × 100 ÷ 3600)</c> fen: the exact product, one
    /// division, rounded half away from zero.
    /// </summary>
    public static Fen ComputeAmount(long deviceSeconds, decimal scuPerDevice, decimal priceYuanPerScuHour) =>
        new(MoneyMath.Ensure(ExactComputeAmount(deviceSeconds, scuPerDevice, priceYuanPerScuHour), "a compute amount"));

    /// <summary><see cref="ComputeAmount"/> exactly, whatever its size: for the arrival bounds of orders and records (ADR 0019).</summary>
    public static System.Numerics.BigInteger ExactComputeAmount(System.Numerics.BigInteger deviceSeconds, decimal scuPerDevice, decimal priceYuanPerScuHour) =>
        (new Exact.Ratio(deviceSeconds, System.Numerics.BigInteger.One) * Exact.Ratio.Of(scuPerDevice) * Exact.Ratio.Of(priceYuanPerScuHour) * 100)
            .DividedBy(3600).Round();

    /// <summary>SCU-hours <c>device_seconds × scu_per_device / 3600</c>, to 6 places for display (never used for money).</summary>
    public static decimal ScuHours(long deviceSeconds, decimal scuPerDevice) =>
        (Exact.Ratio.Of(deviceSeconds) * Exact.Ratio.Of(scuPerDevice)).DividedBy(3600).ToDecimal(6);

    /// <summary>Elastic-bandwidth tariff in yuan per GB by the actual latency tier of the city–cluster pair.</summary>
    public static decimal TransportTariff(decimal latencyMs) => Latency.ActualTier(latencyMs) switch
    {
        LatencyTier.City => 0.02m,
        LatencyTier.Regional => 0.05m,
        _ => 0.08m,
    };

    /// <summary><c>round(Σ GB × tariff)</c> yuan, in fen, rounded once half away from zero.</summary>
    public static Fen TransportAmount(decimal gigabytes, decimal tariffYuanPerGb) =>
        new(MoneyMath.Ensure((Exact.Ratio.Of(gigabytes) * Exact.Ratio.Of(tariffYuanPerGb) * 100).Round(), "a transport amount"));
}
