using ComputeNet.Application.Analytics.GetRegional;
using ComputeNet.Application.Analytics.GetUtilisation;
using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Market.CancelOrder;
using ComputeNet.Application.Market.PlaceBid;
using ComputeNet.Application.Market.PlaceOffer;
using ComputeNet.Application.Market.ReduceOrder;
using ComputeNet.Application.Platform.ConfigurePlatform;
using ComputeNet.Application.Reports.GetMeteringReport;
using NodaTime;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>
/// The regional report's offered and leased device-hours come from running totals per (period, cluster) kept by the async
/// daemon (ADR 0029). They must be exactly what summing the offer and lease documents gives (the per-provider utilisation,
/// which still reads them through <c>CapacitySql</c>: the oracle) and what the metering report counts, period by period —
/// with offers across periods, reduces, a cancel in the middle of an hour, a cancel before the window starts, leases across
/// periods; in a daily and a monthly calendar, across a change of calendar before the first close, and after a rebuild.
/// </summary>
public sealed class CapacityTotalsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Instant Sh(int month, int day, int hour = 0, int minute = 0) =>
        new LocalDateTime(month == 1 ? 2027 : 2026, month, day, hour, minute).InZoneStrictly(DateTimeZoneProviders.Tzdb["Asia/Shanghai"]).ToInstant();

    private static readonly string[] Providers = ["prov-a", "prov-b"];

    /// <summary>The market story: offers over days and months, trades, reduces and cancels (one mid-hour, one before its window).</summary>
    private static async Task TradeAsync(TestPlatform p, string prefix)
    {
        var s = p.Sender;
        p.Clock.Set(Sh(11, 30, 9));
        await s.Send(new PlaceOfferRequest("prov-a", $"{prefix}of1", "zhongwei", "ai-fp16-80g", 20, Sh(12, 1), Sh(12, 4), 58m), Ct);
        await s.Send(new PlaceOfferRequest("prov-b", $"{prefix}of2", "guian", "ai-fp16-80g", 5, Sh(12, 1), Sh(1, 5), 70m), Ct);
        await s.Send(new PlaceOfferRequest("prov-a", $"{prefix}of3", "zhongwei", "ai-fp16-80g", 10, Sh(12, 2), Sh(12, 3), 90m), Ct);
        await s.Send(new PlaceOfferRequest("prov-b", $"{prefix}of4", "qingyang", "ai-fp16-80g", 7, Sh(12, 1, 6), Sh(12, 2, 18), 95m), Ct);
        Assert.Single((await s.Send(Bid($"{prefix}b1", 8, Sh(12, 1), Sh(12, 2)), Ct)).Leases);
        Assert.Single((await s.Send(Bid($"{prefix}b2", 8, Sh(12, 1, 12), Sh(12, 3, 12)), Ct)).Leases);
        p.Clock.Set(Sh(11, 30, 15, 20));
        // Cancelled before its window starts: it never stood, so it counts nothing (not negative hours).
        await s.Send(new CancelOrderRequest("prov-a", $"{prefix}of3"), Ct);
        await s.Send(new ReduceOrderRequest("prov-a", $"{prefix}of1", 18), Ct);
        await s.Send(new ReduceOrderRequest("prov-b", $"{prefix}of2", 3), Ct);
        // Cancelled at 10:30 on Dec 2, partly leased: Dec 1 keeps its 24 h, Dec 2 its first 10 whole hours, Dec 3 nothing.
        p.Clock.Set(Sh(12, 2, 10, 30));
        await s.Send(new CancelOrderRequest("prov-a", $"{prefix}of1"), Ct);
        p.Clock.Set(Sh(12, 2, 11, 45));
        await s.Send(new CancelOrderRequest("prov-b", $"{prefix}of4"), Ct);
    }

    private static PlaceBidRequest Bid(string id, int devices, Instant from, Instant to) =>
        new("sme-sh-1", id, "intelligent", devices, 0.1m, 40, from, to, "cross-hub", 0m, 60m, "on-demand", true, "GTC");

    private static async Task<TestPlatform> StartAsync()
    {
        var p = await TestPlatform.StartAsync(Sh(11, 30, 8));
        await p.Sender.Send(Market.Buyer(), Ct);
        foreach (var provider in Providers)
        {
            await p.Sender.Send(Market.Provider(provider), Ct);
        }
        return p;
    }

    /// <summary>The regional report's (offered, leased) per (period, cluster), without zero cells.</summary>
    private static async Task<List<(string, string, long, long)>> RegionalAsync(TestPlatform p, string from, string to) =>
        (await p.Sender.Send(new GetRegionalRequest(from, to), Ct)).Periods
        .SelectMany(r => r.Clusters.Where(c => c.OfferedDeviceHours != 0 || c.LeasedDeviceHours != 0)
            .Select(c => (r.Period, c.Cluster, c.OfferedDeviceHours, c.LeasedDeviceHours)))
        .OrderBy(x => x.Period, StringComparer.Ordinal).ThenBy(x => x.Cluster, StringComparer.Ordinal).ToList();

    /// <summary>
    /// The oracle: the documents summed in PostgreSQL as before the totals (each provider's utilisation per cluster reads
    /// its offers and leases through <c>CapacitySql</c>), added up over the providers.
    /// </summary>
    private static async Task<List<(string, string, long, long)>> DocumentsAsync(TestPlatform p, string from, string to)
    {
        var cells = new Dictionary<(string Period, string Cluster), (long Offered, long Leased)>();
        foreach (var provider in Providers)
        {
            var view = await p.Sender.Send(new GetUtilisationRequest(provider, "period", from, to), Ct);
            foreach (var series in view.Clusters)
            {
                foreach (var point in series.Points)
                {
                    var (o, l) = cells.GetValueOrDefault((point.Bucket, series.Cluster));
                    cells[(point.Bucket, series.Cluster)] = (o + point.OfferedDeviceHours, l + point.LeasedDeviceHours);
                }
            }
        }
        return cells.Where(c => c.Value.Offered != 0 || c.Value.Leased != 0).Select(c => (c.Key.Period, c.Key.Cluster, c.Value.Offered, c.Value.Leased))
            .OrderBy(x => x.Period, StringComparer.Ordinal).ThenBy(x => x.Cluster, StringComparer.Ordinal).ToList();
    }

    /// <summary>The metering report of each period, for the same cells.</summary>
    private static async Task<List<(string, string, long, long)>> MeteringAsync(TestPlatform p, IEnumerable<string> periods)
    {
        var cells = new List<(string, string, long, long)>();
        foreach (var period in periods)
        {
            var report = await p.Sender.Send(new GetMeteringReportRequest(period), Ct);
            cells.AddRange(report.Clusters.Where(c => c.OfferedDeviceHours != 0 || c.LeasedDeviceHours != 0)
                .Select(c => (period, c.Id, c.OfferedDeviceHours, c.LeasedDeviceHours)));
        }
        return cells.OrderBy(x => x.Item1, StringComparer.Ordinal).ThenBy(x => x.Item2, StringComparer.Ordinal).ToList();
    }

    /// <summary>The rows of the totals table for <paramref name="periods"/> (what the regional report must have read).</summary>
    private static async Task<List<(string, string, long, long)>> TableAsync(TestPlatform p, IReadOnlyList<string> periods)
    {
        await using var connection = new Npgsql.NpgsqlConnection(p.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"select period, cluster, offered_device_hours, leased_device_hours from \"{p.Schema}\".cn_capacity_periods "
            + "where period = any(@periods) and (offered_device_hours <> 0 or leased_device_hours <> 0)";
        command.Parameters.AddWithValue("periods", periods.ToArray());
        var rows = new List<(string, string, long, long)>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3)));
        }
        return rows.OrderBy(x => x.Item1, StringComparer.Ordinal).ThenBy(x => x.Item2, StringComparer.Ordinal).ToList();
    }

    private static async Task AssertAllAgreeAsync(TestPlatform p, string from, string to, IReadOnlyList<string> periods)
    {
        var totals = await RegionalAsync(p, from, to);
        Assert.NotEmpty(totals);
        // Read from the running totals (not the documents' fallback): the table holds exactly these cells.
        Assert.Equal(totals, await TableAsync(p, periods));
        Assert.Equal(await DocumentsAsync(p, from, to), totals);
        Assert.Equal(await MeteringAsync(p, periods), totals);
        // The platform-wide utilisation per period reads the same totals.
        var all = await p.Sender.Send(new GetUtilisationRequest(null, "period", from, to), Ct);
        Assert.Equal(totals, all.Clusters.SelectMany(s => s.Points.Where(x => x.OfferedDeviceHours != 0 || x.LeasedDeviceHours != 0)
                .Select(x => (x.Bucket, s.Cluster, x.OfferedDeviceHours, x.LeasedDeviceHours)))
            .OrderBy(x => x.Bucket, StringComparer.Ordinal).ThenBy(x => x.Cluster, StringComparer.Ordinal).ToList());
    }

    private static readonly string[] Days = ["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05"];

    [Fact]
    public async Task Daily_totals_equal_the_documents_and_the_metering_report_and_a_rebuild_gives_the_same()
    {
        await using var p = await StartAsync();
        await TradeAsync(p, "");
        await AssertAllAgreeAsync(p, Days[0], Days[^1], Days);
        var before = await RegionalAsync(p, "2026-11-25", "2027-01-10");
        Assert.Contains(("2026-12-05", "guian", 3L * 24, 0L), before);
        // By hand: of1 18 devices × 24 h on Dec 1, × 10 h on Dec 2 (cancelled at 10:30); of4 7 × 18 h on Dec 1 and 7 × 11 h on Dec 2.
        Assert.Contains(("2026-12-01", "zhongwei", 18L * 24, 8L * 24 + 8 * 12), before);
        Assert.Contains(("2026-12-02", "zhongwei", 18L * 10, 8L * 24), before);
        Assert.Contains(("2026-12-02", "qingyang", 7L * 11, 0L), before);
        Assert.Contains(("2026-12-03", "zhongwei", 0L, 8L * 12), before);

        // A later daemon batch reduces and cancels offers listed in an earlier one (their rows are read back).
        p.Clock.Set(Sh(12, 3, 7, 59));
        await p.Sender.Send(new ReduceOrderRequest("prov-b", "of2", 2), Ct);
        p.Clock.Set(Sh(12, 3, 8, 1));
        await p.Sender.Send(new CancelOrderRequest("prov-b", "of2"), Ct);
        await AssertAllAgreeAsync(p, Days[0], Days[^1], Days);
        Assert.Contains(("2026-12-03", "guian", 2L * 8, 0L), await RegionalAsync(p, Days[0], Days[^1]));
        var after = await RegionalAsync(p, "2026-11-25", "2027-01-10");

        await SettlementReadModels.EnsureAsync(p.Store, force: true, null, Ct);
        Assert.Equal(after, await RegionalAsync(p, "2026-11-25", "2027-01-10"));
    }

    [Fact]
    public async Task Monthly_totals_equal_the_documents_and_the_metering_report()
    {
        await using var p = await StartAsync();
        await p.Sender.Send(new ConfigurePlatformRequest("month", "Asia/Shanghai", 300, 100, null, null), Ct);
        await TradeAsync(p, "");
        await AssertAllAgreeAsync(p, "2026-11", "2027-01", ["2026-11", "2026-12", "2027-01"]);
    }

    [Fact]
    public async Task A_change_of_calendar_before_the_first_close_cuts_every_total_again_and_a_rebuild_agrees()
    {
        await using var p = await StartAsync();
        await TradeAsync(p, "x-");
        // Projected under the daily calendar first.
        await AssertAllAgreeAsync(p, Days[0], Days[^1], Days);
        await p.Sender.Send(new ConfigurePlatformRequest("month", "Asia/Kolkata", 300, 100, null, null), Ct);
        p.Clock.Set(Sh(12, 2, 12));
        await p.Sender.Send(new PlaceOfferRequest("prov-b", "y-of5", "zhongwei", "ai-fp16-80g", 4, Sh(12, 30), Sh(1, 2, 5), 99m), Ct);
        await p.Sender.Send(new ReduceOrderRequest("prov-b", "x-of2", 2), Ct);
        string[] months = ["2026-11", "2026-12", "2027-01"];
        await AssertAllAgreeAsync(p, months[0], months[^1], months);
        var before = await RegionalAsync(p, months[0], months[^1]);

        await SettlementReadModels.EnsureAsync(p.Store, force: true, null, Ct);
        Assert.Equal(before, await RegionalAsync(p, months[0], months[^1]));
    }
}
