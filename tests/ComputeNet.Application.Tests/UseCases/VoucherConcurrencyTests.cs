using ComputeNet.Application.Metering.RecordUsage;
using ComputeNet.Application.Parties.RegisterParty;
using ComputeNet.Application.Settlement.ClosePeriod;
using ComputeNet.Application.Settlement.GetInvoices;
using ComputeNet.Application.Settlement.GetLedger;
using ComputeNet.Application.Vouchers.CreateProgramme;
using ComputeNet.Application.Vouchers.GrantVoucher;
using ComputeNet.Application.Vouchers.ListVouchers;
using ComputeNet.Domain;
using ComputeNet.Domain.Vouchers;
using Marten;
using static ComputeNet.Application.Tests.UseCases.Market;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>Vouchers and budgets under concurrency, against real PostgreSQL: never below zero, never over cap, never redeemed twice.</summary>
public sealed class VoucherConcurrencyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Thirty_two_grants_racing_each_other_and_a_running_close_keep_every_invariant()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        await p.Sender.Send(Provider(), Ct);
        await p.Sender.Send(new RegisterPartyRequest("sh-gov", ["issuer"]), Ct);
        await p.Sender.Send(Offer(devices: 64), Ct);
        var buyers = Enumerable.Range(0, 8).Select(i => $"sme-{i}").ToList();
        var leases = new List<string>();
        foreach (var b in buyers)
        {
            await p.Sender.Send(Buyer(b), Ct);
            leases.Add(Assert.Single((await p.Sender.Send(Bid($"bid-{b}", b), Ct)).Leases));
        }
        // Budget 250,000 fen, cap 60,000 per enterprise: 32 grants of 25,000 ask for 800,000.
        await p.Sender.Send(new CreateProgrammeRequest("sh-gov", "p", "compute", 3000, 60_000, 250_000, Dec1, At("2027-01-01T00:00:00+08:00")), Ct);
        await p.Sender.Send(new GrantVoucherRequest("sh-gov", "seed", "p", buyers[0], 10_000), Ct);

        p.Clock.Set(At("2026-12-02T00:10:00+08:00"));
        for (var i = 0; i < leases.Count; i++)
        {
            await p.Sender.Send(new RecordUsageRequest("prov-nx", $"u{i}", leases[i], Dec1, Dec2, 576_000, 1m, 1m, 0m), Ct);
        }
        p.Clock.Set(At("2026-12-02T01:00:00+08:00"));

        // Half the grants come through a second instance on the same store, as another process would send them.
        await using var q = await p.SecondProcessAsync();
        var grants = Enumerable.Range(0, 32).Select(i => Outcome(() => (i % 2 == 0 ? p : q).Sender.Send(
            new GrantVoucherRequest("sh-gov", $"g{i}", "p", buyers[i % buyers.Count], 25_000), Ct).AsTask())).ToList();
        var close = q.Sender.Send(new ClosePeriodRequest("2026-12-01"), Ct).AsTask();
        var codes = await Task.WhenAll(grants);
        await close;

        Assert.All(codes, c => Assert.Contains(c, new[] { "granted", Codes.OverCap, Codes.OverBudget }));
        var vouchers = await p.Sender.Send(new ListVouchersRequest(), Ct);
        Assert.Equal(codes.Count(c => c == "granted") + 1, vouchers.Count);
        Assert.True(vouchers.Sum(v => v.FaceFen) <= 250_000, "budget exceeded");
        Assert.All(vouchers.GroupBy(v => v.Buyer), g => Assert.True(g.Sum(v => v.FaceFen) <= 60_000, $"cap exceeded for {g.Key}"));
        Assert.All(vouchers, v => Assert.InRange(v.BalanceFen, 0, v.FaceFen));

        await using var session = p.Store.QuerySession();
        var redeemed = await session.Events.QueryRawEventDataOnly<VoucherRedeemed>().ToListAsync(Ct);
        Assert.Equal(redeemed.Count, redeemed.Select(r => r.TxId).Distinct().Count());
        var lines = (await p.Sender.Send(new GetInvoicesRequest(), Ct)).SelectMany(i => i.Lines).ToList();
        Assert.Equal(lines.Sum(l => l.VoucherFen), redeemed.Sum(r => r.AmountFen));
        Assert.All(vouchers, v => Assert.Equal(v.FaceFen - v.BalanceFen, redeemed.Where(r => r.GrantId == v.Id).Sum(r => r.AmountFen)));
        var programme = Assert.Single(await p.Sender.Send(new ListProgrammesRequest(), Ct));
        Assert.True(programme.RemainingBudgetFen >= 0);
        Assert.Equal(0, (await p.Sender.Send(new GetLedgerRequest(), Ct)).TrialBalanceFen);
    }

    private static async Task<string> Outcome(Func<Task> grant)
    {
        try
        {
            await grant();
            return "granted";
        }
        catch (RejectedException e)
        {
            return e.Rejection.Code;
        }
    }
}
