using System.Numerics;
using ComputeNet.Domain.Ledger;
using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using ComputeNet.Domain.Money;
using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Settlement;
using ComputeNet.Domain.Vouchers;
using CsCheck;
using NodaTime;
using static ComputeNet.Domain.Tests.TestParties;

namespace ComputeNet.Domain.Tests;

/// <summary>
/// market-rules §6 and ADR 0019 as a property: any sequence of accepted inputs — orders through the engine, usage through
/// the §6 checks, programmes and grants, cash actions, with values at and beyond every bound — closes without an
/// exception, the trial balance is 0 and every amount, total and balance stays within ±(2^53 − 1) fen. The one refusal
/// allowed is the close's own <see cref="MoneyRangeException"/> (nothing written), and only when the lines of the period
/// could in fact add up beyond the bound (many leases each near it: ADR 0019's residual).
/// </summary>
public class CloseNeverBreaksPropertyTests
{
    private const long Max = Fen.MaxSafe;
    private static readonly Party Issuer = new("issuer-x", 20, PartyRoles.Issuer, null, false, null);
    private static Party? Parties(string id) => id == Issuer.Id ? Issuer : Find(id);
    private static readonly IReadOnlyList<Party> AllParties = [.. All.Values, Issuer];

    private static readonly string[] Providers = [ProvA, ProvB, Both];
    private static readonly string[] Buyers = [BuyerSh, BuyerGz, Both];
    private static readonly string[] Classes = ["ai-fp16-80g", "ai-fp16-80g-hi"];
    // Weighted towards the limits, so that near-bound leases are common and several of them meet in one invoice.
    private static readonly int[] Devices = [1, 8, 64, 1_000_000, 1_000_000, 1_000_000];
    private static readonly decimal[] Prices = [0.0001m, 58m, 20_000m, 65_000m, 1_000_000m, 1_000_000m, 1_000_000m];
    private static readonly decimal[] Gbs = [0m, 0m, 1_250.5m, 999_999_999.9999m, 1_000_000_000m, 1_000_000_000.0001m, 1_000_000_000_000_000_000_000m];
    private static readonly decimal[] Energies = [0m, 5.5m, 1_000_000_000m, 1_000_000_001m];
    private static readonly long[] FenValues = [1, 500_000, Max - 1, Max, Max + 1, long.MaxValue, 0, -1];

    private static readonly SettlementPeriod Day2 = PeriodCalendar.DailyShanghai.PeriodOf(Sh.Dec(2, 12));

    /// <summary>1–60 actions, each decoded from 12 random numbers.</summary>
    private static readonly Gen<int[][]> Streams = Gen.Int[0, 999].Array[12].Array[1, 60];

    [Fact]
    public void Any_sequence_of_accepted_inputs_closes_and_the_trial_balance_is_zero() =>
        Streams.Sample(Run, iter: 150);

    [Fact]
    public void A_market_whose_provider_reported_transfer_gb_1e21_closes()
    {
        // One small lease; its provider reports transferGb = 1e21 (refused `invalid`), then an ordinary record: the period closes.
        Run([[0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0], [4, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0], [8, 0, 0, 2, 1, 6, 0, 0, 0, 0, 0, 0],
            [8, 0, 0, 2, 1, 2, 0, 0, 0, 0, 0, 0]]);
    }

    private static void Run(int[][] stream)
    {
        var market = Market.Given();
        var usage = Providers.ToDictionary(p => p, p => new ProviderUsage(p));
        var vouchers = new VoucherBook();
        var leases = new List<LeaseTerms>();
        var records = new List<UsageRecorded>();

        for (var i = 0; i < stream.Length; i++)
        {
            var r = stream[i];
            try
            {
                switch (r[0] % 12)
                {
                    case <= 3:
                        market.Offer(Providers[r[1] % 3], $"o{i}", M.Offer(devices: Devices[r[2] % Devices.Length], price: Prices[r[3] % Prices.Length],
                            resourceClass: Classes[r[4] % 2], window: r[9] % 3 == 0 ? Window(r) : r[9] % 3 == 1 ? M.Hours(0, 24) : Year));
                        break;
                    case <= 7:
                        var bid = M.Bid(devices: Devices[r[2] % Devices.Length], price: Prices[r[3] % Prices.Length], split: r[4] % 2 == 0,
                            tif: r[5] % 3 == 0 ? "IOC" : "GTC", window: Window(r)) with { Commitment = r[6] % 2 == 0 ? "on-demand" : "reserved" };
                        market.Bid(Buyers[r[1] % 3], $"b{i}", bid);
                        break;
                    case <= 9:
                        leases = market.Journal.OfType<TradeExecuted>().Select(t => t.Terms).ToList();
                        if (leases.Count > 0)
                        {
                            Report(usage, leases[r[1] % leases.Count], i, r, records);
                        }
                        break;
                    default:
                        Voucher(vouchers, i, r);
                        break;
                }
            }
            catch (RejectedException)
            {
                // Refused on arrival: changes nothing (the harness journals only what was decided).
            }
        }
        leases = market.Journal.OfType<TradeExecuted>().Select(t => t.Terms).ToList();

        var delivered = records.GroupBy(x => x.LeaseId).ToDictionary(g => g.Key, g => g.Sum(x => x.DeviceSeconds));
        var input = new CloseInput(Day2, PeriodCalendar.DailyShanghai, FeeSchedule.Default, AllParties,
            leases.Select(l => new LeaseAtClose(l, delivered.GetValueOrDefault(l.LeaseId))).ToList(),
            records.OrderBy(x => x.LeaseId, StringComparer.Ordinal).ThenBy(x => x.From).ToList(), Day2.End.Plus(Duration.FromHours(2)), vouchers,
            new HashSet<string>());
        CloseResult result;
        try
        {
            result = PeriodClose.Compute(input);
        }
        catch (MoneyRangeException)
        {
            // Only when the lines could add up beyond the bound: Σ of every lease's full window and every record's transport,
            // plus the SLA credits (at most 10 % of reserved compute) on top.
            var bound = leases.Aggregate(BigInteger.Zero, (a, l) => a + Rating.ExactComputeAmount((BigInteger)l.Devices * (long)(l.To - l.From).TotalSeconds,
                l.ScuPerDevice, l.Price)) + records.Aggregate(BigInteger.Zero, (a, x) => a + Rating.TransportAmount(x.TransferGb, 0.08m).Value);
            Assert.True(bound * 11 > (BigInteger)Max * 10, $"the close refused although its lines are bounded by {bound} fen");
            return;
        }

        var balances = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var t in result.Transactions)
        {
            Assert.Equal(0, t.Sum);
            Post(balances, t);
        }
        Assert.Equal(0, balances.Values.Sum());
        Assert.All(result.Invoices, inv => Assert.All(new[] { inv.AmountFen, inv.VoucherFen, inv.DueFen }, Safe));
        Assert.All(result.Statements, s => Assert.All(new[] { s.GrossFen, s.FeeFen, s.NetFen }, Safe));
        Assert.All(result.Claims, c => Assert.All(new[] { c.RedeemedFen, c.LapsedFen }, Safe));
        Assert.All(result.Regions, x => Safe(x.ShareFen));
        Safe(result.Closed.PlatformFeeFen);

        // Cash after the close: payments, payouts and reimbursements of every size; the accepted ones keep every balance
        // within the bound and the trial balance at 0.
        var cash = new CashBook();
        var n = 0;
        foreach (var account in balances.Keys.Order(StringComparer.Ordinal).ToList())
        {
            var (kind, party) = account.Split(':') switch
            {
                ["buyer", var p] => ("payment", p),
                ["provider", var p] => ("payout", p),
                ["issuer", var p] => ("reimburse", p),
                _ => ("", ""),
            };
            if (kind == "")
            {
                continue;
            }
            foreach (var amount in new[] { FenValues[n % FenValues.Length], Math.Abs(balances[account]), FenValues[(n + 3) % FenValues.Length] })
            {
                n++;
                try
                {
                    var cmd = new RecordCash(kind, $"c{n}", party, party == Both ? "provider" : null, amount, Sh.Dec(4));
                    foreach (var e in cash.Decide(cmd, Parties, a => balances.GetValueOrDefault(a)))
                    {
                        cash.Evolve(e);
                        Post(balances, (TransactionPosted)e);
                    }
                }
                catch (RejectedException)
                {
                }
            }
        }
        Assert.Equal(0, balances.Values.Sum());
        Assert.All(balances.Values, Safe);
    }

    private static void Safe(long fen) => Assert.InRange(fen, -Max, Max);

    private static void Post(Dictionary<string, long> balances, TransactionPosted t)
    {
        foreach (var p in t.Postings)
        {
            balances[p.Account] = MoneyMath.Add(balances.GetValueOrDefault(p.Account), p.AmountFen, p.Account);
        }
    }

    private static readonly HourWindow Year = new(Sh.Dec(2, 0), Sh.Dec(2, 0).Plus(Duration.FromHours(MarketLimits.MaxWindowHours)));

    /// <summary>A window on 2026-12-02 of 1–4 hours or the whole day, or one of 366 days from its start (reserved leases bill each day of it).</summary>
    private static HourWindow Window(int[] r)
    {
        var from = r[7] % 20;
        return (r[8] % 5) switch
        {
            0 => Year,
            1 or 2 => M.Hours(0, 24),
            _ => M.Hours(from, from + 1 + r[8] % 4),
        };
    }

    /// <summary>One usage record of <paramref name="lease"/> inside 2026-12-02, checked as the application does: the quantity bounds, then §6.</summary>
    private static void Report(Dictionary<string, ProviderUsage> usage, LeaseTerms lease, int i, int[] r, List<UsageRecorded> records)
    {
        var dayEnd = Sh.Dec(3, 0);
        var hours = (int)(Instant.Min(lease.To, dayEnd) - lease.From).TotalHours;
        var from = lease.From.Plus(Duration.FromHours(r[2] % Math.Max(hours, 1)));
        var to = Instant.Min(from.Plus(Duration.FromHours(1)), lease.To);
        var capacity = (long)lease.Devices * (long)(to - from).TotalSeconds;
        long[] ds = [0, capacity / 2, capacity, capacity + 1, long.MaxValue];
        var energy = Energies[r[4] % Energies.Length];
        var q = new UsageQuantities(ds[r[3] % ds.Length], energy, r[6] % 2 == 0 ? energy : 0m, Gbs[r[5] % Gbs.Length]);
        var cmd = new RecordUsage(lease.Provider, $"u{i}", lease.LeaseId, from, to, q, Sh.Dec(3, 1));
        if (UsageRules.Malformed(q) is { } malformed)
        {
            throw new RejectedException(malformed);
        }
        var provider = usage[lease.Provider];
        var decision = provider.Decide([cmd], id => id == lease.LeaseId ? lease : null, (_, _) => Carrier, PeriodCalendar.DailyShanghai, new HashSet<string>());
        foreach (var e in decision.Events)
        {
            provider.Evolve(e);
            records.AddRange(e.Records);
        }
    }

    /// <summary>A compute or transport programme, or a grant of it to an SME buyer, with caps, budgets and face values at and beyond the bound.</summary>
    private static void Voucher(VoucherBook vouchers, int i, int[] r)
    {
        IReadOnlyList<object> events = r[1] % 2 == 0 || vouchers.Programmes.Count == 0
            ? vouchers.Decide(new CreateProgramme(Issuer.Id, $"p{i}", r[2] % 2 == 0 ? "compute" : "transport", 1 + r[3] % 10_000,
                FenValues[r[4] % FenValues.Length], FenValues[r[5] % FenValues.Length], Sh.Dec(1), Sh.Dec(31), null, null, null, Sh.Dec(1)),
                Parties, TestCatalogue.Default, PeriodCalendar.DailyShanghai)
            : vouchers.Decide(new GrantVoucher(Issuer.Id, $"g{i}", vouchers.Programmes.ElementAt(r[2] % vouchers.Programmes.Count).Terms.ProgrammeId,
                r[3] % 2 == 0 ? BuyerSh : BuyerGz, FenValues[r[4] % FenValues.Length], Sh.Dec(1, 12)), Parties);
        foreach (var e in events)
        {
            vouchers.Evolve(e);
        }
    }
}
