using System.CommandLine;
using System.Diagnostics;
using ComputeNet.Application;
using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Ledger.RecordCash;
using ComputeNet.Application.Market.PlaceBid;
using ComputeNet.Application.Market.PlaceOffer;
using ComputeNet.Application.Parties.RegisterParty;
using ComputeNet.Application.Settlement.ClosePeriod;
using ComputeNet.Application.Settlement.GetLedger;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Spectre.Console;

namespace ComputeNet.Cli;

/// <summary>
/// The close as the platform ages (issue 12): N daily periods, each with about ten reserved leases traded through the
/// application and closed in turn (so every close issues invoices, SLA credits, statements and transactions and extends
/// every chain), on a settable clock. At each measuring day it closes three empty periods (no leases, no usage) and
/// times each, then closes one of them again ("already closed"), records a cash payment and reads the ledger. The
/// figures at day 30 and at day 360 should be the same: nothing a close reads may grow with the number of closed periods.
/// </summary>
internal static class ClosesBench
{
    private static readonly Instant FirstDay = Instant.FromUtc(2026, 11, 30, 16, 0); // 2026-12-01 00:00 Asia/Shanghai
    private static readonly LocalDate FirstDate = new(2026, 12, 1);
    private const int Buyers = 5;
    private const int Providers = 5;

    public static Command Create()
    {
        var days = new Option<int>("--days") { Description = "daily periods to trade and close", DefaultValueFactory = _ => 360 };
        var leases = new Option<int>("--leases") { Description = "reserved leases traded per day", DefaultValueFactory = _ => 10 };
        var at = new Option<int[]>("--measure-at") { Description = "days after which to measure (empty closes, already closed, cash, ledger)", DefaultValueFactory = _ => [30, 360], AllowMultipleArgumentsPerToken = true };
        var keep = new Option<bool>("--keep-schema") { Description = "keep the schema (bench_closes) for inspection" };
        var closes = new Command("closes", "close N daily periods of ~10 leases each through the application; time the close of an empty period, an already closed one, a cash action and the ledger at day 30 and day 360")
        {
            days, leases, at, keep,
        };
        closes.SetAction(async (parse, ct) =>
        {
            await RunAsync(Math.Max(1, parse.GetValue(days)), Math.Clamp(parse.GetValue(leases), 0, 1_000), parse.GetValue(at)!, parse.GetValue(keep), ct);
            return 0;
        });
        return closes;
    }

    private static Instant Start(int day) => FirstDay.Plus(Duration.FromDays(day));

    private static string Key(int day) => FirstDate.PlusDays(day).ToString("yyyy-MM-dd", null);

    private static async Task RunAsync(int days, int leasesPerDay, IReadOnlyList<int> measureAt, bool keepSchema, CancellationToken ct)
    {
        const string schema = "bench_closes";
        var connection = await Hosting.ConnectionStringAsync(ct);
        await ComputeNetServices.DropSchemaAsync(connection, schema, ct);
        var clock = new SettableClock(Start(-1));
        var services = ComputeNetServices.Compose(new ComputeNetSettings(connection, schema), clock, Hosting.AddMediator);
        await services.InitialiseComputeNetAsync(ct);
        try
        {
            var sender = services.GetRequiredService<ISender>();
            for (var b = 0; b < Buyers; b++)
            {
                await sender.Send(new RegisterPartyRequest($"bench-buyer-{b}", ["buyer"], "shanghai", Sme: true), ct);
            }
            for (var p = 0; p < Providers; p++)
            {
                await sender.Send(new RegisterPartyRequest($"bench-prov-{p}", ["provider"]), ct);
            }

            // Day d's leases are traded on day d-2 (windows must not have started); day d is closed on day d+1. Each
            // measuring point is followed by three empty days, closed and timed.
            var empty = new HashSet<int>();
            var plan = new List<(int Day, int? MeasureAfter)>();
            var day = 0;
            foreach (var point in measureAt.Where(m => m > 0).Distinct().Order())
            {
                for (; day < point; day++)
                {
                    plan.Add((day, null));
                }
                for (var i = 0; i < 3; i++, day++)
                {
                    empty.Add(day);
                    plan.Add((day, point));
                }
            }
            for (; day < days; day++)
            {
                plan.Add((day, null));
            }

            var results = new SortedDictionary<int, List<double>>();
            var repeats = new SortedDictionary<int, double>();
            var cash = new SortedDictionary<int, double>();
            var ledger = new SortedDictionary<int, double>();
            var tradeTime = TimeSpan.Zero;
            var closeTime = TimeSpan.Zero;
            var closed = 0;
            var order = 0;
            var total = Stopwatch.StartNew();
            foreach (var d in new[] { 0, 1 }.Where(d => d < plan.Count && !empty.Contains(d)))
            {
                await TradeAsync(d);
            }
            foreach (var (d, measure) in plan)
            {
                clock.Set(Start(d + 1).Plus(Duration.FromMinutes(1)));
                if (!empty.Contains(d + 2) && d + 2 < plan.Count)
                {
                    await TradeAsync(d + 2);
                }
                var watch = Stopwatch.StartNew();
                var summary = await sender.Send(new ClosePeriodRequest(Key(d)), ct);
                watch.Stop();
                closeTime += watch.Elapsed;
                closed++;
                if (measure is { } m)
                {
                    (results.TryGetValue(m, out var list) ? list : results[m] = []).Add(watch.Elapsed.TotalSeconds);
                    AnsiConsole.MarkupLineInterpolated($"after {closed - 1} closed periods: empty period {summary.Period} closed in [bold]{watch.Elapsed.TotalMilliseconds:N0} ms[/] ({summary.Invoices} invoices)");
                    if (results[m].Count == 3)
                    {
                        watch.Restart();
                        var again = await sender.Send(new ClosePeriodRequest(Key(d)), ct);
                        repeats[m] = watch.Elapsed.TotalSeconds;
                        watch.Restart();
                        await sender.Send(new RecordCashRequest("payment", $"pay-{d}", "bench-buyer-0", 1), ct);
                        cash[m] = watch.Elapsed.TotalSeconds;
                        watch.Restart();
                        var view = await sender.Send(new GetLedgerRequest(), ct);
                        ledger[m] = watch.Elapsed.TotalSeconds;
                        AnsiConsole.MarkupLineInterpolated(
                            $"  already closed ({again.AlreadyClosed}) {repeats[m] * 1000:N0} ms; cash payment {cash[m] * 1000:N0} ms; ledger ({view.Transactions:N0} transactions, trial balance {view.TrialBalanceFen}) {ledger[m] * 1000:N0} ms");
                    }
                }
                else if (closed == 3)
                {
                    // Warm-up, not counted: the first close again, cash action and ledger read of the process pay for JIT.
                    await sender.Send(new ClosePeriodRequest(Key(d)), ct);
                    await sender.Send(new RecordCashRequest("payment", "warm-up", "bench-buyer-0", 1), ct);
                    await sender.Send(new GetLedgerRequest(), ct);
                }
                else if (closed % 30 == 0)
                {
                    AnsiConsole.MarkupLineInterpolated($"{closed} periods closed ({summary.Invoices} invoices, {summary.Transactions} transactions in the last) in {total.Elapsed.TotalSeconds:N0} s; trading {tradeTime.TotalSeconds:N0} s, closing {closeTime.TotalSeconds:N0} s");
                }
            }

            var table = new Table().AddColumns("closed periods before", "empty close (3 runs, ms)", "median ms", "already closed ms", "cash payment ms", "ledger ms");
            foreach (var (m, list) in results)
            {
                table.AddRow($"{m:N0}", string.Join(" / ", list.Select(s => (s * 1000).ToString("N0"))), $"{Median(list) * 1000:N0}",
                    $"{repeats.GetValueOrDefault(m) * 1000:N0}", $"{cash.GetValueOrDefault(m) * 1000:N0}", $"{ledger.GetValueOrDefault(m) * 1000:N0}");
            }
            AnsiConsole.Write(table);
            if (results.Count >= 2)
            {
                var first = Median(results.First().Value);
                var last = Median(results.Last().Value);
                AnsiConsole.MarkupLineInterpolated($"empty close at {results.Last().Key} / at {results.First().Key}: [bold]{last / first:0.00}×[/] (target ≤ 1.25×)");
            }
            AnsiConsole.MarkupLineInterpolated($"{closed} closes and {order:N0} orders in {total.Elapsed.TotalSeconds:N0} s");

            async Task TradeAsync(int d)
            {
                var watch = Stopwatch.StartNew();
                for (var i = 0; i < leasesPerDay; i++)
                {
                    order++;
                    await sender.Send(new PlaceOfferRequest($"bench-prov-{i % Providers}", $"o-{d}-{i}", "zhongwei", "ai-fp16-80g", 4, Start(d), Start(d + 1), 58m), ct);
                    await sender.Send(new PlaceBidRequest($"bench-buyer-{i % Buyers}", $"b-{d}-{i}", "intelligent", 4, 0, 0, Start(d), Start(d + 1), "cross-hub", 0,
                        60m, "reserved", false, "GTC"), ct);
                    order++;
                }
                tradeTime += watch.Elapsed;
            }
        }
        finally
        {
            await services.DisposeAsync();
            if (!keepSchema)
            {
                await ComputeNetServices.DropSchemaAsync(connection, schema, ct);
            }
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
