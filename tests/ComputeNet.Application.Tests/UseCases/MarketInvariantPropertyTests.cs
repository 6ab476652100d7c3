using ComputeNet.Application.Market.ListTrades;
using ComputeNet.Application.Metering.RecordUsage;
using ComputeNet.Application.Parties.RegisterParty;
using ComputeNet.Application.Settlement.ClosePeriod;
using ComputeNet.Application.Settlement.GetLedger;
using ComputeNet.Application.Vouchers.CreateProgramme;
using ComputeNet.Application.Vouchers.GrantVoucher;
using ComputeNet.Application.Vouchers.ListVouchers;
using ComputeNet.Domain;
using CsCheck;
using static ComputeNet.Application.Tests.UseCases.Market;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>
/// Random market days against real PostgreSQL: whatever offers, bids (GTC/IOC, on-demand/reserved), grants and
/// usage arrive — refused or not — the close leaves the trial balance at zero, every voucher between zero and its
/// face, and every programme within its budget and caps.
/// </summary>
public sealed class MarketInvariantPropertyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>8–30 actions, each decoded from 6 random numbers.</summary>
    private static readonly Gen<int[][]> Days = Gen.Int[0, 999].Array[6].Array[8, 30];

    [Fact]
    public async Task Random_market_days_keep_the_ledger_balanced_and_vouchers_and_budgets_non_negative()
    {
        await Days.SampleAsync(async day =>
        {
            await using var p = await TestPlatform.StartAsync(Nov30Morning);
            string[] providers = ["prov-a", "prov-b"], buyers = ["sme-1", "sme-2", "sme-3"];
            foreach (var id in providers)
            {
                await p.Sender.Send(Provider(id), Ct);
            }
            foreach (var id in buyers)
            {
                await p.Sender.Send(Buyer(id), Ct);
            }
            await p.Sender.Send(new RegisterPartyRequest("gov", ["issuer"]), Ct);
            await p.Sender.Send(new CreateProgrammeRequest("gov", "p1", "compute", 1000 + day[0][0] % 5 * 1000, 40_000, 100_000, Dec1,
                At("2027-01-01T00:00:00+08:00")), Ct);
            await p.Sender.Send(new CreateProgrammeRequest("gov", "p2", "compute", 5000, 20_000, 30_000, Dec1, Dec2), Ct);

            for (var i = 0; i < day.Length; i++)
            {
                var r = day[i];
                try
                {
                    switch (r[0] % 10)
                    {
                        case <= 3:
                            await p.Sender.Send(Offer($"o{i}", providers[r[1] % 2], 1 + r[2] % 16, 50m + r[3] % 20 * 0.5m), Ct);
                            break;
                        case <= 7:
                        {
                            var bid = Bid($"b{i}", buyers[r[1] % 3], 1 + r[2] % 8, 50m + r[3] % 24 * 0.5m, r[4] % 3 == 0 ? "reserved" : "on-demand");
                            await p.Sender.Send(bid with { Tif = r[5] % 4 == 0 ? "IOC" : "GTC" }, Ct);
                            break;
                        }
                        default:
                            await p.Sender.Send(new GrantVoucherRequest("gov", $"g{i}", r[1] % 2 == 0 ? "p1" : "p2", buyers[r[2] % 3], 1_000 + r[3] * 50), Ct);
                            break;
                    }
                }
                catch (RejectedException)
                {
                    // Refused actions are part of the day: they must change nothing.
                }
            }

            p.Clock.Set(At("2026-12-02T00:10:00+08:00"));
            var trades = await p.Sender.Send(new ListTradesRequest(), Ct);
            for (var t = 0; t < trades.Count; t++)
            {
                var lease = trades[t];
                var seconds = (long)lease.Devices * 86_400 * (day[t % day.Length][4] % 101) / 100;
                await p.Sender.Send(new RecordUsageRequest(lease.Provider, $"u{t}", lease.LeaseId, Dec1, Dec2, seconds, 1m, 0.5m, 0m), Ct);
            }
            p.Clock.Set(At("2026-12-02T01:00:00+08:00"));
            await p.Sender.Send(new ClosePeriodRequest("2026-12-01"), Ct);

            Assert.Equal(0, (await p.Sender.Send(new GetLedgerRequest(), Ct)).TrialBalanceFen);
            var vouchers = await p.Sender.Send(new ListVouchersRequest(), Ct);
            Assert.All(vouchers, v => Assert.InRange(v.BalanceFen, 0, v.FaceFen));
            foreach (var programme in await p.Sender.Send(new ListProgrammesRequest(), Ct))
            {
                Assert.True(programme.RemainingBudgetFen >= 0, $"{programme.Id} is over budget");
                var granted = vouchers.Where(v => v.Programme == programme.Id).ToList();
                Assert.True(granted.Sum(v => v.FaceFen) <= programme.BudgetFen, $"{programme.Id} granted past its budget");
                Assert.All(granted.GroupBy(v => v.Buyer), g => Assert.True(g.Sum(v => v.FaceFen) <= programme.CapFen, $"{programme.Id} over cap for {g.Key}"));
            }
        }, iter: 6, threads: 1);
    }
}
