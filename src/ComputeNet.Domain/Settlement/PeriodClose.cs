using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using ComputeNet.Domain.Money;
using ComputeNet.Domain.Parties;
using NodaTime;

namespace ComputeNet.Domain.Settlement;

/// <summary>The platform fee schedule in basis points (market-rules §8).</summary>
public sealed record FeeSchedule(BasisPoints Compute, BasisPoints Transport)
{
    public static readonly FeeSchedule Default = new(new BasisPoints(300), new BasisPoints(100));
}

/// <summary>Everything a close needs, gathered from recorded facts.</summary>
public sealed record CloseInput(
    SettlementPeriod Period,
    FeeSchedule Fees,
    IReadOnlyList<Party> Parties,
    IReadOnlyList<LeaseTerms> Leases,
    IReadOnlyList<UsageRecorded> RecordsReceived,
    Instant At);

/// <summary>Everything a close issues, in the order it is written.</summary>
public sealed record CloseResult(
    PeriodClosed Closed,
    IReadOnlyList<InvoiceIssued> Invoices,
    IReadOnlyList<StatementIssued> Statements,
    IReadOnlyList<TransactionPosted> Transactions);

/// <summary>
/// Settlement of one period as a pure function of recorded facts (market-rules §7, §8, §10): the same
/// input always gives the same lines, postings and statements, under ids derived from (period, lease, kind).
/// </summary>
public static class PeriodClose
{
    public static CloseResult Compute(CloseInput input)
    {
        var period = input.Period;
        var partyOrder = input.Parties.ToDictionary(p => p.Id, p => p.Ordinal);
        var recordsByLease = input.RecordsReceived.GroupBy(r => r.LeaseId).ToDictionary(g => g.Key, g => g.ToList());

        // Line order: buyers in registration order; within a buyer, leases in trade order; within a lease by kind.
        var leases = input.Leases
            .OrderBy(l => partyOrder.GetValueOrDefault(l.Buyer, long.MaxValue)).ThenBy(l => l.Buyer, StringComparer.Ordinal)
            .ThenBy(l => l.TradeSeq)
            .ToList();

        var invoices = new List<InvoiceIssued>();
        var transactions = new List<TransactionPosted>();
        var gross = new Dictionary<(string Party, string Role), (long Gross, long Fee)>();
        long platformFee = 0;
        var lineCount = 0;

        foreach (var buyerLeases in leases.GroupBy(l => l.Buyer))
        {
            var lines = new List<InvoiceLine>();
            foreach (var lease in buyerLeases)
            {
                var records = recordsByLease.GetValueOrDefault(lease.LeaseId) ?? [];
                foreach (var draft in LinesOf(lease, records, period))
                {
                    if (draft.Amount == Fen.Zero)
                    {
                        continue;
                    }
                    var fee = Exact.Share(draft.Amount, input.Fees.Compute);
                    var tax = Exact.IncludedVat(draft.Amount);
                    var line = new InvoiceLine(lines.Count + 1, lease.LeaseId, lease.BidId, lease.OfferId, "compute", draft.Late,
                        draft.Amount.Value, tax.Value, 0, null, draft.Amount.Value, lease.Provider, "provider", fee.Value,
                        draft.ScuHours, lease.Price);
                    lines.Add(line);

                    var txId = $"{period.Key}/{lease.LeaseId}/compute{(draft.Late ? "-late" : "")}";
                    transactions.Add(new TransactionPosted(txId, period.Key, "charge",
                        $"{line.Kind} line of lease {lease.LeaseId} for {lease.Buyer}",
                        [
                            new Posting($"buyer:{lease.Buyer}", line.DueFen),
                            new Posting($"provider:{lease.Provider}", -(line.AmountFen - fee.Value)),
                            new Posting("platform:fees", -fee.Value),
                        ], input.At).EnsureBalanced());
                    var key = (lease.Provider, "provider");
                    var (g, f) = gross.GetValueOrDefault(key);
                    gross[key] = (g + line.AmountFen, f + fee.Value);
                    platformFee += fee.Value;
                }
            }
            if (lines.Count == 0)
            {
                continue;
            }
            lineCount += lines.Count;
            invoices.Add(new InvoiceIssued(period.Key, buyerLeases.Key, lines, lines.Sum(l => l.AmountFen), lines.Sum(l => l.VoucherFen),
                lines.Sum(l => l.DueFen), input.At));
        }

        var statements = gross
            .OrderBy(kv => kv.Key.Role == "provider" ? 0 : 1)
            .ThenBy(kv => partyOrder.GetValueOrDefault(kv.Key.Party, long.MaxValue)).ThenBy(kv => kv.Key.Party, StringComparer.Ordinal)
            .Select(kv => new StatementIssued(period.Key, kv.Key.Party, kv.Key.Role, kv.Value.Gross, kv.Value.Fee, kv.Value.Gross - kv.Value.Fee, input.At))
            .ToList();

        var closed = new PeriodClosed(period.Key, period.Start, period.End, input.Fees.Compute.Value, input.Fees.Transport.Value,
            invoices.Count, lineCount, transactions.Count, platformFee, input.At);
        return new CloseResult(closed, invoices, statements, transactions);
    }

    private sealed record LineDraft(bool Late, Fen Amount, decimal ScuHours);

    /// <summary>The compute lines of one lease in a period: regular then late.</summary>
    private static IEnumerable<LineDraft> LinesOf(LeaseTerms lease, IReadOnlyList<UsageRecorded> records, SettlementPeriod period)
    {
        if (lease.Commitment == MarketSlugs.Of(Commitment.Reserved))
        {
            var hours = ReservedHoursInside(lease, period);
            if (hours > 0)
            {
                var deviceSeconds = (long)lease.Devices * hours * 3600;
                yield return new LineDraft(false, Rating.ComputeAmount(deviceSeconds, lease.ScuPerDevice, lease.Price), Rating.ScuHours(deviceSeconds, lease.ScuPerDevice));
            }
            yield break;
        }
        foreach (var late in new[] { false, true })
        {
            var deviceSeconds = records.Where(r => r.Late == late).Sum(r => r.DeviceSeconds);
            if (deviceSeconds > 0)
            {
                yield return new LineDraft(late, Rating.ComputeAmount(deviceSeconds, lease.ScuPerDevice, lease.Price), Rating.ScuHours(deviceSeconds, lease.ScuPerDevice));
            }
        }
    }

    /// <summary>Whole reserved hours of the lease window inside the period.</summary>
    public static long ReservedHoursInside(LeaseTerms lease, SettlementPeriod period)
    {
        var from = Instant.Max(lease.From, period.Start);
        var to = Instant.Min(lease.To, period.End);
        return to > from ? (long)(to - from).TotalHours : 0;
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
        new((Exact.Ratio.Of(deviceSeconds) * Exact.Ratio.Of(scuPerDevice) * Exact.Ratio.Of(priceYuanPerScuHour) * 100)
            .DividedBy(3600).RoundHalfAwayFromZero());

    /// <summary>SCU-hours <c>device_seconds × scu_per_device / 3600</c>, to 6 places for display (never used for money).</summary>
    public static decimal ScuHours(long deviceSeconds, decimal scuPerDevice) =>
        (Exact.Ratio.Of(deviceSeconds) * Exact.Ratio.Of(scuPerDevice)).DividedBy(3600).ToDecimal(6);
}
