using ComputeNet.Application.Analytics;
using ComputeNet.Application.Analytics.GetRegional;
using ComputeNet.Application.Analytics.GetTransport;
using ComputeNet.Application.Analytics.GetUtilisation;
using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Reports.GetMeteringReport;
using ComputeNet.Application.Scenarios;
using ComputeNet.Application.Settlement;
using ComputeNet.Domain.Metering;
using ComputeNet.Domain.Settlement;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>
/// The portal's running totals (issue 14, ADR 0025) on the demo day, against the same figures computed straight from the
/// events: every usage batch summed per (own period, lease), every transport line of every invoice; the regulator's
/// period against the metering report; and a forced rebuild of the projections gives the same totals, not double.
/// </summary>
public sealed class PortalReadModelTests : IAsyncLifetime
{
    private const string Day = "2026-12-01";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TestPlatform _p = null!;

    public async ValueTask InitializeAsync()
    {
        var cs = await TestDatabase.ConnectionStringAsync();
        var json = await File.ReadAllTextAsync(TestDatabase.ScenarioPath("demo-market-day.json"), Ct);
        var demo = await TestDatabase.Runner().RunAsync(json, new ScenarioRunOptions(cs, KeepSchema: true, SigningKeyPath: TestDatabase.SigningKeyPath), Ct);
        _p = await TestPlatform.StartAsync(Market.Dec8, demo.Schema);
    }

    public async ValueTask DisposeAsync() => await _p.DisposeAsync();

    private async Task<List<(string Id, string Provider, string? Carrier, long Records, long DeviceSeconds, decimal ScuDeviceSeconds, decimal Energy, decimal Green, decimal Gb)>>
        TotalsAsync()
    {
        await _p.Services.GetRequiredService<AsyncReadModels>().ReadyAsync(Ct);
        await using var session = _p.Store.QuerySession();
        return (await session.Query<LeaseUsagePeriod>().ToListAsync(Ct))
            .Select(t => (t.Id, t.Provider, t.Carrier, t.Records, t.DeviceSeconds, t.ScuDeviceSeconds, t.EnergyKwh, t.GreenKwh, t.TransferGb))
            .OrderBy(t => t.Id, StringComparer.Ordinal).ToList();
    }

    [Fact]
    public async Task Usage_totals_per_lease_and_period_equal_the_sums_of_every_usage_batch_and_survive_a_rebuild()
    {
        await using var session = _p.Store.QuerySession();
        var records = (await session.Events.QueryRawEventDataOnly<UsageBatchRecorded>().ToListAsync(Ct)).SelectMany(b => b.Records).ToList();
        Assert.NotEmpty(records);
        var expected = records.GroupBy(r => LeaseUsagePeriod.IdOf(r.OwnPeriod, r.LeaseId))
            .Select(g => (g.Key, g.First().Provider, g.Select(r => r.Carrier).FirstOrDefault(c => c is not null), g.LongCount(), g.Sum(r => r.DeviceSeconds),
                g.Sum(r => r.DeviceSeconds * r.ScuPerDevice), g.Sum(r => r.EnergyKwh), g.Sum(r => r.GreenKwh), g.Sum(r => r.TransferGb)))
            .OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(expected, await TotalsAsync());

        await SettlementReadModels.EnsureAsync(_p.Store, force: true, null, Ct);
        Assert.Equal(expected, await TotalsAsync());
    }

    [Fact]
    public async Task Transport_per_route_equals_the_transport_lines_of_the_invoices_and_the_metered_gb()
    {
        await using var session = _p.Store.QuerySession();
        var closed = await session.Events.FetchStreamAsync(MartenSetup.Streams.Period(Day), token: Ct);
        var lines = closed.Select(e => e.Data).OfType<InvoiceIssued>().SelectMany(i => i.Lines).Where(l => l.Kind == LineKinds.Transport).ToList();
        Assert.NotEmpty(lines);
        var leases = (await session.LoadManyAsync<Metering.LeaseDocument>(Ct, lines.Select(l => MartenSetup.Streams.Lease(l.LeaseId)).Distinct()))
            .ToDictionary(l => l.LeaseId, l => l.Terms);
        var expected = lines.GroupBy(l => (l.Earner, leases[l.LeaseId].BuyerCity, leases[l.LeaseId].Cluster))
            .Select(g => (g.Key.Earner, g.Key.BuyerCity, g.Key.Cluster, g.Sum(l => l.Quantity), g.Sum(l => l.AmountFen), g.Sum(l => l.FeeFen)))
            .OrderBy(x => x.Earner, StringComparer.Ordinal).ThenBy(x => x.BuyerCity, StringComparer.Ordinal).ThenBy(x => x.Cluster, StringComparer.Ordinal)
            .ToList();
        var view = await _p.Sender.Send(new GetTransportRequest(null, Day, Day), Ct);
        Assert.Equal(expected, view.Routes.Where(r => r.Lines > 0).Select(r => (r.Carrier, r.City, r.Cluster, r.BilledGb, r.RevenueFen, r.FeeFen)).ToList());

        var records = (await session.Events.QueryRawEventDataOnly<UsageBatchRecorded>().ToListAsync(Ct)).SelectMany(b => b.Records)
            .Where(r => r.OwnPeriod == Day && r.Carrier is not null).ToList();
        var allLeases = (await session.LoadManyAsync<Metering.LeaseDocument>(Ct, records.Select(r => MartenSetup.Streams.Lease(r.LeaseId)).Distinct()))
            .ToDictionary(l => l.LeaseId, l => l.Terms);
        Assert.Equal(records.GroupBy(r => (r.Carrier!, allLeases[r.LeaseId].BuyerCity, allLeases[r.LeaseId].Cluster)).ToDictionary(g => g.Key, g => g.Sum(r => r.TransferGb)),
            view.Routes.Where(r => r.TransferredGb > 0).ToDictionary(r => (r.Carrier, r.City, r.Cluster), r => r.TransferredGb));
    }

    [Fact]
    public async Task The_regional_period_and_cluster_utilisation_agree_with_the_metering_report()
    {
        var report = await _p.Sender.Send(new GetMeteringReportRequest(Day), Ct);
        var regional = Assert.Single((await _p.Sender.Send(new GetRegionalRequest(Day, Day), Ct)).Periods);
        var utilisation = await _p.Sender.Send(new GetUtilisationRequest(null, "period", Day, Day), Ct);
        Assert.True(report.Platform.ScuHours > 0);
        foreach (var c in report.Clusters)
        {
            var mine = regional.Clusters.Single(x => x.Cluster == c.Id);
            Assert.Equal((c.ScuHours, c.EnergyKwh, c.GreenKwh, c.GreenShare, c.OfferedDeviceHours, c.LeasedDeviceHours, c.Utilisation),
                (mine.ScuHours, mine.EnergyKwh, mine.GreenKwh, mine.GreenShare, mine.OfferedDeviceHours, mine.LeasedDeviceHours, mine.Utilisation));
            var series = utilisation.Clusters.SingleOrDefault(s => s.Cluster == c.Id)?.Points.Single();
            Assert.Equal((c.OfferedDeviceHours, c.LeasedDeviceHours, c.Utilisation),
                (series?.OfferedDeviceHours ?? 0, series?.LeasedDeviceHours ?? 0, series is null ? null : series.Utilisation));
        }
        Assert.Equal((report.Platform.ScuHours, report.EastToWestScuHours, report.EastToWestShare),
            (regional.ScuHours, regional.EastToWestScuHours, regional.EastToWestShare));
        // Flows are rounded one by one (6 places): their sum is the platform's within the rounding.
        Assert.True(Math.Abs(report.Platform.ScuHours - regional.Flows.Sum(f => f.ScuHours)) <= 0.00001m);
    }
}
