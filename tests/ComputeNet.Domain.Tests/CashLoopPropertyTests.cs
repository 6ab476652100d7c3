using ComputeNet.Domain.Disputes;
using ComputeNet.Domain.Ledger;
using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using ComputeNet.Domain.Pairings;
using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Settlement;
using CsCheck;
using NodaTime;
using static ComputeNet.Domain.Tests.TestParties;

namespace ComputeNet.Domain.Tests;

/// <summary>
/// Issue 15 (market-rules §10, §14) as a property: any mix of closes (on-demand and reserved leases under a Shanghai–宁夏
/// pairing, SLA credits that leave buyers in credit) and cash actions — payments, payouts to providers and regions,
/// reimbursements, refunds — of any amount keeps the trial balance at 0 after every action, and no accepted action ever
/// pays an account beyond what is owed: after a payout or a refund the account is not a debit balance (the platform never
/// pays out more than it owes), after a payment or reimbursement not a credit balance. Disputes of any issued line,
/// accepted with any amount, mix in: each credit note's transaction balances, and over all its notes no part of a line
/// (the earner's, the platform fee, each region's, the buyer's, the issuer's) is ever given back beyond what the line
/// moved (market-rules §14).
/// </summary>
public class CashLoopPropertyTests
{
    private static readonly Party Issuer = new("issuer-x", 20, PartyRoles.Issuer, null, false, null);
    private static readonly Party BuyerIssuer = new("buyer-issuer", 21, PartyRoles.Buyer | PartyRoles.Issuer, "shanghai", true, null);
    private static Party? Parties(string id) => id == Issuer.Id ? Issuer : id == BuyerIssuer.Id ? BuyerIssuer : Find(id);
    private static readonly IReadOnlyList<Party> AllParties = [.. All.Values, Issuer, BuyerIssuer];
    private static readonly string[] Buyers = [BuyerSh, BuyerGz, Both, BuyerIssuer.Id];
    private static readonly string[] Providers = [ProvA, ProvB, Both];
    private static readonly string[] Regions = ["east-sh", "ningxia", "atlantis"];
    private static readonly string[] Kinds = ["payment", "payout", "region", "reimburse", "refund", "dispute"];
    private static readonly long[] Amounts = [1, 99, 1_990, 50_000, 144_768, 1_000_000, 0, -1];

    private static readonly PairingBook Pairings = PairingsOf();

    private static PairingBook PairingsOf()
    {
        var book = new PairingBook();
        book.Evolve(new PairingAgreed("sh-nx", "east-sh", ["shanghai"], "ningxia", 50, 25, 25, null, null, Sh.Dec(1)));
        return book;
    }

    private static bool IsRegion(string id) => id is "east-sh" or "ningxia";

    /// <summary>1–40 steps, each decoded from 8 random numbers.</summary>
    private static readonly Gen<int[][]> Streams = Gen.Int[0, 999].Array[8].Array[1, 40];

    [Fact]
    public void Any_mix_of_closes_and_cash_keeps_the_trial_balance_at_0_and_never_pays_beyond_what_is_owed() =>
        Streams.Sample(s => { Run(s); }, iter: 300);

    [Fact]
    public void A_buyer_left_in_credit_by_an_sla_credit_is_refunded_exactly_that()
    {
        // Day 2: 20 h of a reserved lease (04:00 to 01:00 the next day, half delivered), paid in full; day 3: its last hour
        // and an SLA credit of 10 % of 21 h, above it: the buyer is owed 1.1 h. Refunded exactly; then the supply hub paid.
        var (balances, cash) = Run([[0, 0, 0, 0, 4, 1, 0, 0], [1, 0, 0, 0, 0, 0, 1, 0], [0, 2, 1, 0, 0, 0, 0, 1], [1, 4, 0, 0, 0, 0, 1, 0],
            [1, 2, 1, 0, 0, 0, 1, 0]]);

        // 1 device × 0.156 × 58.00: 20 h = 18,096 fen, 1 h = 904.8 → 905; credit −share(19,001, 1000 bp) = −1,900.1 → −1,900.
        Assert.Equal([new Posting("buyer:buyer-sh", 995), new Posting(CashBook.Clearing, -995)], cash.Find("c3")!.Postings);
        Assert.Equal("refund", cash.Find("c3")!.Kind);
        Assert.Equal(0, balances["buyer:buyer-sh"]);
        Assert.Equal("region:ningxia", cash.Find("c4")!.Postings[0].Account);
        Assert.Equal(0, balances["region:ningxia"]);
    }

    [Fact]
    public void A_line_credited_in_full_returns_every_account_it_moved_to_0()
    {
        // Day 2: one on-demand lease of buyer-sh (no voucher, under the sh-nx pairing), then a dispute of all of it, accepted in full.
        var (balances, _) = Run([[0, 0, 1, 0, 4, 0, 0, 0], [1, 5, 0, 0, 0, 0, 0, 0]]);

        Assert.All(balances, b => Assert.Equal(0, b.Value));
        Assert.Contains("region:ningxia", balances.Keys);
    }

    private static (Dictionary<string, long> Balances, CashBook Cash) Run(int[][] steps)
    {
        var carried = new List<LeaseAtClose>();
        var balances = new Dictionary<string, long>(StringComparer.Ordinal);
        var cash = new CashBook();
        var closed = new HashSet<string>(StringComparer.Ordinal);
        var day = 2;
        var seq = 0L;
        var disputable = new List<(DisputedLine Line, DisputeLine Decider, Dictionary<string, long> Given)>();
        var disputes = 0;
        for (var i = 0; i < steps.Length; i++)
        {
            var r = steps[i];
            if (r[0] % 3 == 0 && day < 30)
            {
                // Close the next day with one or two leases: on-demand with its usage, or reserved (one hour of it may run
                // into the next day) with a delivered fraction that may fall short of 99 % (an SLA credit).
                var leases = new List<LeaseAtClose>(carried);
                var records = new List<UsageRecorded>();
                for (var k = 0; k <= r[1] % 2; k++)
                {
                    seq++;
                    var reserved = r[2 + k] % 2 == 0;
                    var from = Sh.Dec(day, r[4] % 20);
                    var to = reserved && r[5] % 2 == 1 ? Sh.Dec(day + 1, 1) : Sh.Dec(day, r[4] % 20 + 1 + r[6] % 3);
                    var terms = new LeaseTerms($"lease-{seq:D6}", seq, $"b{seq}", Buyers[(r[1] + k) % Buyers.Length],
                        Parties(Buyers[(r[1] + k) % Buyers.Length])!.City!, $"o{seq}", Providers[(r[2] + k) % Providers.Length], "zhongwei", "ningxia",
                        "ai-fp16-80g", "intelligent", "v1", 0.156m, 1 + r[7] % 8, from, to, 58.00m, reserved ? "reserved" : "on-demand", 11.5m);
                    var full = terms.Devices * (long)(to - from).TotalSeconds;
                    leases.Add(new LeaseAtClose(terms, r[7] % 3 == 0 ? full / 2 : full));
                    if (!reserved)
                    {
                        var period = PeriodCalendar.DailyShanghai.PeriodOf(from).Key;
                        records.Add(new UsageRecorded($"u{seq}", terms.LeaseId, terms.Provider, from, to, full, 1m, 1m, 0m, "v1", 0.156m, period, period, to, null));
                    }
                }
                var periodOf = PeriodCalendar.DailyShanghai.PeriodOf(Sh.Dec(day, 12));
                var result = PeriodClose.Compute(new CloseInput(periodOf, PeriodCalendar.DailyShanghai, FeeSchedule.Default, AllParties,
                    leases, records, periodOf.End.Plus(Duration.FromHours(1)), null, closed, Pairings));
                closed.Add(periodOf.Key);
                // A reserved lease that runs into the next day is billed there too (its last hour, and its SLA credit).
                carried = leases.Where(l => l.Terms.To > periodOf.End && !carried.Contains(l)).ToList();
                foreach (var t in result.Transactions)
                {
                    Assert.Equal(0, t.Sum);
                    Post(balances, t);
                }
                foreach (var invoice in result.Invoices)
                {
                    foreach (var line in invoice.Lines)
                    {
                        var charge = result.Transactions.First(t => t.TxId == DisputedLine.KeyOf(invoice.Period, line.LeaseId, line.Kind, line.Late));
                        disputable.Add((DisputedLine.From(invoice, line, charge), new DisputeLine(), new Dictionary<string, long>(StringComparer.Ordinal)));
                    }
                }
                day++;
            }
            else if (Kinds[r[1] % Kinds.Length] == "dispute")
            {
                if (disputable.Count > 0)
                {
                    Dispute(disputable[r[2] % disputable.Count], r, $"d{disputes++}", Sh.Dec(day, 12), balances);
                }
            }
            else
            {
                var kind = Kinds[r[1] % Kinds.Length];
                var (type, party, account) = kind switch
                {
                    "payment" => ("payment", Buyers[r[2] % Buyers.Length], (string?)null),
                    "payout" => ("payout", Providers[r[2] % Providers.Length], Providers[r[2] % Providers.Length] == Both ? "provider" : null),
                    "region" => ("payout", Regions[r[2] % Regions.Length], CashBook.RegionAccountName),
                    "reimburse" => ("reimburse", r[2] % 2 == 0 ? Issuer.Id : BuyerIssuer.Id, null),
                    _ => ("refund", Buyers[r[2] % Buyers.Length], Buyers[r[2] % Buyers.Length] == BuyerIssuer.Id ? (r[3] % 2 == 0 ? "buyer" : "issuer") : null),
                };
                // The amount: what is open on the account (exactly), one fen above it, or a fixed figure.
                var target = account == CashBook.RegionAccountName ? CashBook.RegionAccount(party)
                    : type == "refund" && account == "issuer" ? $"issuer:{party}"
                    : type is "payment" or "refund" ? $"buyer:{party}" : type == "reimburse" ? $"issuer:{party}" : $"provider:{party}";
                var open = Math.Abs(balances.GetValueOrDefault(target));
                var amount = (r[4] % 4) switch { 0 => open, 1 => open + 1, _ => Amounts[r[5] % Amounts.Length] };
                var id = r[6] % 5 == 0 && i > 0 ? $"c{i - 1}" : $"c{i}";
                IReadOnlyList<object> decided;
                try
                {
                    decided = cash.Decide(new RecordCash(type, id, party, account, amount, Sh.Dec(day, 12)), Parties, a => balances.GetValueOrDefault(a), IsRegion);
                }
                catch (RejectedException)
                {
                    decided = [];
                }
                foreach (var e in decided)
                {
                    var t = (TransactionPosted)e;
                    Assert.Equal(0, t.Sum);
                    cash.Evolve(t);
                    Post(balances, t);
                    var posted = t.Postings.Single(p => p.Account != CashBook.Clearing).Account;
                    Assert.Equal(target, posted);
                    // Never paid beyond what is owed: money out leaves no debit balance, money in no credit balance.
                    if (CashBook.IsOutgoing(type))
                    {
                        Assert.True(balances[posted] <= 0, $"{type} {amount} fen to {posted} left it owing {balances[posted]} fen");
                    }
                    else
                    {
                        Assert.True(balances[posted] >= 0, $"{type} {amount} fen from {posted} left it in credit {balances[posted]} fen");
                    }
                }
            }
            Assert.Equal(0, balances.Values.Sum());
        }
        return (balances, cash);
    }

    /// <summary>
    /// A dispute of <paramref name="of"/>'s line, claimed and accepted with amounts decoded from <paramref name="r"/> (all of
    /// what is left, one fen more, or a part): when accepted, its credit note is posted, and what each part has given back
    /// over all the line's notes stays within what the line moved.
    /// </summary>
    private static void Dispute((DisputedLine Line, DisputeLine Decider, Dictionary<string, long> Given) of, int[] r, string id, Instant at,
        Dictionary<string, long> balances)
    {
        var (line, decider, given) = of;
        var left = line.AmountFen - decider.CreditedFen;
        var claim = (r[4] % 3) switch { 0 => left, 1 => left + 1, _ => 1 + r[5] % Math.Max(1, left) };
        try
        {
            foreach (var e in decider.Decide(new OpenDispute(id, line.Buyer, line.Period, line.Bid, line.Offer, line.Kind, line.Late, claim, "why", at),
                Parties(line.Buyer), null, line))
            {
                decider.Evolve(e);
            }
        }
        catch (RejectedException e)
        {
            Assert.True(line.Kind == LineKinds.SlaCredit || claim > left || claim <= 0, $"{e.Rejection.Code}: {e.Rejection.Reason}");
            return;
        }
        var x = (r[6] % 3) switch { 0 => claim, 1 => 1, _ => 1 + r[7] % claim };
        var events = decider.Decide(new ResolveDispute(id, Outcomes.Accept, x, at), Audit.Statements.Genesis);
        foreach (var e in events)
        {
            decider.Evolve(e);
        }
        var tx = Assert.IsType<TransactionPosted>(events[^1]);
        Assert.Equal(0, tx.Sum);
        Post(balances, tx);
        foreach (var p in tx.Postings)
        {
            given[p.Account] = given.GetValueOrDefault(p.Account) + p.AmountFen;
        }
        // Debits (given back) within the earner's, the platform's and each region's part; credits within the buyer's and the issuer's.
        Assert.InRange(given.GetValueOrDefault(line.Earner), 0, line.EarnerFen);
        Assert.InRange(given.GetValueOrDefault(DisputedLine.PlatformFees), 0, line.PlatformFen);
        foreach (var region in line.Regions)
        {
            Assert.InRange(given.GetValueOrDefault(region.Account), 0, region.AmountFen);
        }
        Assert.InRange(-given.GetValueOrDefault($"buyer:{line.Buyer}"), 0, line.AmountFen - line.VoucherFen);
        if (line.Issuer is not null)
        {
            Assert.InRange(-given.GetValueOrDefault(line.Issuer), 0, line.VoucherFen);
        }
        Assert.InRange(decider.CreditedFen, 1, line.AmountFen);
    }

    private static void Post(Dictionary<string, long> balances, TransactionPosted t)
    {
        foreach (var p in t.Postings)
        {
            balances[p.Account] = balances.GetValueOrDefault(p.Account) + p.AmountFen;
        }
    }
}
