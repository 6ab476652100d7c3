using ComputeNet.Application.Market.ListOrders;
using ComputeNet.Application.Market.ListTrades;
using ComputeNet.Application.Metering.ListUsage;
using ComputeNet.Application.Metering.RecordUsage;
using ComputeNet.Application.Settlement.ClosePeriod;
using ComputeNet.Application.Settlement.GetInvoices;
using ComputeNet.Application.Settlement.GetLedger;
using ComputeNet.Domain;
using static ComputeNet.Application.Tests.UseCases.Market;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>Everything here runs against real PostgreSQL through Marten, each test in a schema of its own.</summary>
public sealed class MarketPersistenceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Book_rebuilt_from_the_journal_by_a_fresh_instance_has_the_same_orders_and_trades()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        await p.Sender.Send(Buyer(), Ct);
        await p.Sender.Send(Provider(), Ct);
        await p.Sender.Send(Offer(), Ct);
        var bid = await p.Sender.Send(Bid(), Ct);
        Assert.Equal(("filled", 8), (bid.State, bid.DevicesFilled));
        var before = await p.Sender.Send(new ListOrdersRequest(), Ct);

        await using var restarted = await p.SecondProcessAsync();
        var after = await restarted.Sender.Send(new ListOrdersRequest(), Ct);
        var trades = await restarted.Sender.Send(new ListTradesRequest(), Ct);

        Assert.Equal(before, after);
        var trade = Assert.Single(trades);
        Assert.Equal((58.00m, 0.156m, "lease-000001"), (trade.Price, trade.ScuPerDevice, trade.LeaseId));
        Assert.Equal((Dec1, Dec2), (trade.From, trade.To));
    }

    [Fact]
    public async Task Two_instances_writing_the_same_market_catch_up_with_each_other_and_never_double_book()
    {
        await using var a = await TestPlatform.StartAsync(Nov30Morning);
        await using var b = await a.SecondProcessAsync();
        await a.Sender.Send(Buyer(), Ct);
        await a.Sender.Send(Buyer("sme-sh-2"), Ct);
        await b.Sender.Send(Provider(), Ct);
        await b.Sender.Send(Offer(devices: 10), Ct);

        // Both instances race bids for the same 10 devices; each sees the other's trades before deciding.
        var tasks = Enumerable.Range(0, 8).Select(i =>
            (i % 2 == 0 ? a : b).Sender.Send(Bid($"b{i}", i % 2 == 0 ? "sme-sh-1" : "sme-sh-2", devices: 3), Ct).AsTask()).ToList();
        var results = await Task.WhenAll(tasks);

        Assert.Equal(10, results.Sum(r => r.DevicesFilled));
        var trades = await a.Sender.Send(new ListTradesRequest(), Ct);
        Assert.Equal(10, trades.Sum(t => t.Devices));
        Assert.Equal(trades.Count, trades.Select(t => t.LeaseId).Distinct().Count());
        var offer = (await b.Sender.Send(new ListOrdersRequest(), Ct)).Single(o => o.Id == "of1");
        Assert.Equal(10, offer.DevicesFilled);
    }

    [Fact]
    public async Task Repeating_an_order_changes_nothing_and_answers_with_the_first_result()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        await p.Sender.Send(Buyer(), Ct);
        await p.Sender.Send(Provider(), Ct);
        await p.Sender.Send(Offer(), Ct);
        var first = await p.Sender.Send(Bid(), Ct);
        var again = await p.Sender.Send(Bid(), Ct);

        Assert.False(first.Repeat);
        Assert.True(again.Repeat);
        Assert.Equal(first.Leases, again.Leases);
        Assert.Single(await p.Sender.Send(new ListTradesRequest(), Ct));
        var e = await Assert.ThrowsAsync<RejectedException>(() => p.Sender.Send(Bid(devices: 9), Ct).AsTask());
        Assert.Equal(Codes.IdReused, e.Rejection.Code);
    }

    [Fact]
    public async Task Close_rates_usage_posts_a_balanced_ledger_and_closing_again_changes_nothing()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        await p.Sender.Send(Buyer(), Ct);
        await p.Sender.Send(Provider(), Ct);
        await p.Sender.Send(Offer(), Ct);
        var bid = await p.Sender.Send(Bid(), Ct);
        var lease = Assert.Single(bid.Leases);

        p.Clock.Set(At("2026-12-01T12:00:00+08:00"));
        var early = await Assert.ThrowsAsync<RejectedException>(() => p.Sender.Send(new ClosePeriodRequest("2026-12-01"), Ct).AsTask());
        Assert.Equal(Codes.PeriodNotEnded, early.Rejection.Code);

        p.Clock.Set(At("2026-12-02T00:10:00+08:00"));
        var usage = await p.Sender.Send(new RecordUsageRequest("prov-nx", "u1", lease, Dec1, Dec2, 576_000, 420.5m, 357.4m, 0m), Ct);
        Assert.Equal(24.96m, usage.ScuHours);
        p.Clock.Set(At("2026-12-02T01:00:00+08:00"));
        var closed = await p.Sender.Send(new ClosePeriodRequest("2026-12-01"), Ct);
        var again = await p.Sender.Send(new ClosePeriodRequest("2026-12-01"), Ct);

        Assert.Equal((false, 1, 1, 4_343L), (closed.AlreadyClosed, closed.Invoices, closed.Transactions, closed.PlatformFeeFen));
        Assert.True(again.AlreadyClosed);
        Assert.Equal(closed with { AlreadyClosed = true }, again);
        var ledger = await p.Sender.Send(new GetLedgerRequest(), Ct);
        Assert.Equal(1, ledger.Transactions);
        Assert.Equal(0, ledger.TrialBalanceFen);
        Assert.Equal(144_768, ledger.Balances["buyer:sme-sh-1"]);
        var invoice = Assert.Single(await p.Sender.Send(new GetInvoicesRequest(), Ct));
        Assert.Equal(8_194, Assert.Single(invoice.Lines).TaxFen);
    }

    [Fact]
    public async Task Usage_arriving_after_its_period_closed_is_rated_late_into_the_next_open_period()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        var lease = await TradedLeaseAsync(p, Ct);

        p.Clock.Set(At("2026-12-02T01:00:00+08:00"));
        await p.Sender.Send(new ClosePeriodRequest("2026-12-01"), Ct);
        var late = await p.Sender.Send(new RecordUsageRequest("prov-nx", "u-late", lease, Dec1, At("2026-12-01T10:00:00+08:00"), 288_000, 1m, 1m, 0m), Ct);
        Assert.Equal(("2026-12-01", "2026-12-02", true), (late.Period, late.ReceivingPeriod, late.Late));

        p.Clock.Set(At("2026-12-03T01:00:00+08:00"));
        await p.Sender.Send(new ClosePeriodRequest("2026-12-02"), Ct);
        var invoices = await p.Sender.Send(new GetInvoicesRequest(Period: "2026-12-02"), Ct);
        var line = Assert.Single(Assert.Single(invoices).Lines);
        Assert.True(line.Late);
        Assert.Equal(72_384, line.AmountFen);
    }

    [Fact]
    public async Task Racing_usage_records_with_one_id_on_two_leases_store_exactly_one()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        await p.Sender.Send(Buyer(), Ct);
        await p.Sender.Send(Provider(), Ct);
        await p.Sender.Send(Offer(), Ct);
        var l1 = Assert.Single((await p.Sender.Send(Bid("b1"), Ct)).Leases);
        var l2 = Assert.Single((await p.Sender.Send(Bid("b2"), Ct)).Leases);
        p.Clock.Set(Dec2);

        var outcomes = await Task.WhenAll(new[] { l1, l2 }.Select(async lease =>
        {
            try
            {
                await p.Sender.Send(new RecordUsageRequest("prov-nx", "same-id", lease, Dec1, Dec2, 1000, 1m, 0m, 0m), Ct);
                return "stored";
            }
            catch (RejectedException e)
            {
                return e.Rejection.Code;
            }
        }));

        Assert.Equal(["id-reused", "stored"], outcomes.Order().ToArray());
    }

    [Fact]
    public async Task Usage_racing_the_close_of_its_period_is_rated_exactly_once_either_in_it_or_late()
    {
        await using var p = await TestPlatform.StartAsync(Nov30Morning);
        var lease = await TradedLeaseAsync(p, Ct);
        p.Clock.Set(At("2026-12-02T01:00:00+08:00"));

        // 48 half-hour records of 3,600 device-seconds (0.156 SCU-h each) race the close of their own day.
        var records = Enumerable.Range(0, 48).Select(i => p.Sender.Send(new RecordUsageRequest("prov-nx", $"u{i}", lease,
            Dec1.Plus(NodaTime.Duration.FromMinutes(30 * i)), Dec1.Plus(NodaTime.Duration.FromMinutes(30 * (i + 1))), 3600, 1m, 0m, 0m), Ct).AsTask()).ToList();
        var close = p.Sender.Send(new ClosePeriodRequest("2026-12-01"), Ct).AsTask();
        await Task.WhenAll(records);
        await close;
        p.Clock.Set(At("2026-12-03T01:00:00+08:00"));
        await p.Sender.Send(new ClosePeriodRequest("2026-12-02"), Ct);

        var stored = await p.Sender.Send(new ListUsageRequest(LeaseId: lease, Limit: 100), Ct);
        Assert.Equal(48, stored.Count);
        var onTime = stored.Count(r => r.ReceivingPeriod == "2026-12-01");
        var lines = (await p.Sender.Send(new GetInvoicesRequest(), Ct)).SelectMany(i => i.Lines).ToList();
        var rated = lines.Where(l => !l.Late).Sum(l => l.Quantity);
        var ratedLate = lines.Where(l => l.Late).Sum(l => l.Quantity);
        Assert.Equal(0.156m * onTime, rated);
        Assert.Equal(0.156m * (48 - onTime), ratedLate);
    }
}
