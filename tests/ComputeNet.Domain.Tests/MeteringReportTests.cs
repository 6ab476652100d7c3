using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Reports;
using ComputeNet.Domain.Settlement;

namespace ComputeNet.Domain.Tests;

/// <summary>The metering report against figures computed by hand.</summary>
public sealed class MeteringReportTests
{
    private static readonly SettlementPeriod Day1 = PeriodCalendar.DailyShanghai.PeriodOf(Sh.Dec(1));

    private static LeaseTerms Lease(string id, string buyer, string cluster, string hub, int devices, decimal scu, int fromHour, int toHour) =>
        new(id, 1, "b-" + id, buyer, "x", "o-" + id, "prov", cluster, hub, "ai-fp16-80g", "intelligent", "v1", scu, devices,
            Sh.Dec(1).Plus(NodaTime.Duration.FromHours(fromHour)), Sh.Dec(1).Plus(NodaTime.Duration.FromHours(toHour)), 58m, "on-demand", 10m);

    private static UsageRecorded Record(LeaseTerms lease, int fromHour, int toHour, long deviceSeconds, decimal energy, decimal green) =>
        new($"u-{lease.LeaseId}-{fromHour}", lease.LeaseId, "prov", Sh.Dec(1, fromHour), Sh.Dec(1, toHour), deviceSeconds, energy, green, 0m,
            "v1", lease.ScuPerDevice, Day1.Key, Day1.Key, Sh.Dec(2));

    [Fact]
    public void Delivery_green_share_utilisation_and_east_to_west_flow_by_hand()
    {
        Party[] parties =
        [
            new("sme-sh", 1, PartyRoles.Buyer, "shanghai", true, null),
            new("sme-cd", 2, PartyRoles.Buyer, "chengdu", true, null),
        ];
        // 中卫 (resource hub): Shanghai (east) leases 8 × 0.156 for 10 h; Chengdu (west) leases 2 × 0.156 for 10 h.
        var eastWest = Lease("l1", "sme-sh", "zhongwei", "ningxia", 8, 0.156m, 0, 10);
        var westWest = Lease("l2", "sme-cd", "zhongwei", "ningxia", 2, 0.156m, 0, 10);
        // 张家口 (demand hub): Shanghai leases 4 × 0.156 for 5 h.
        var eastEast = Lease("l3", "sme-sh", "zhangjiakou", "jingjinji", 4, 0.156m, 10, 15);
        UsageRecorded[] records =
        [
            Record(eastWest, 0, 10, 8 * 36_000, 100m, 85m),   // 12.48 SCU-h
            Record(westWest, 0, 10, 2 * 36_000, 25m, 20m),    // 3.12 SCU-h
            Record(eastEast, 10, 15, 4 * 18_000, 40m, 32m),   // 3.12 SCU-h
        ];
        OfferedCapacity[] offers =
        [
            new("zhongwei", 16, 0.156m, Sh.Dec(1), Sh.Dec(2), null),                    // 384 device-hours in the day
            new("zhangjiakou", 8, 0.156m, Sh.Dec(1, 12), Sh.Dec(3), Sh.Dec(1, 18)),     // cancelled at 18:00: 6 h × 8 = 48
        ];

        var report = MeteringReports.Compute(Day1, TestCatalogue.Default, parties, [eastWest, westWest, eastEast], records, offers);

        var zw = report.Clusters.Single(c => c.Id == "zhongwei");
        Assert.Equal((15.6m, 125m, 105m, 0.84m), (zw.ScuHours, zw.EnergyKwh, zw.GreenKwh, zw.GreenShare));
        Assert.Equal((384L, 100L, 0.2604m), (zw.OfferedDeviceHours, zw.LeasedDeviceHours, zw.Utilisation));
        var zjk = report.Clusters.Single(c => c.Id == "zhangjiakou");
        Assert.Equal((48L, 20L, 0.4167m), (zjk.OfferedDeviceHours, zjk.LeasedDeviceHours, zjk.Utilisation));
        Assert.Equal(0.8m, zjk.GreenShare);
        Assert.Null(report.Clusters.Single(c => c.Id == "guian").Utilisation);

        Assert.Equal((18.72m, 432L, 120L, 0.2778m), (report.Platform.ScuHours, report.Platform.OfferedDeviceHours, report.Platform.LeasedDeviceHours, report.Platform.Utilisation));
        Assert.Equal(15.6m, report.Hubs.Single(h => h.Id == "ningxia").ScuHours);
        // East→west: only Shanghai's 12.48 SCU-h in 中卫; 12.48 / 18.72 = 0.6667
        Assert.Equal((12.48m, 0.6667m), (report.EastToWestScuHours, report.EastToWestShare));
    }

    [Fact]
    public void Usage_counts_in_the_period_its_interval_starts_and_scu_weighting_separates_device_classes()
    {
        var gpu = Lease("l1", "sme-sh", "wuhu", "yangtze-delta", 1, 0.156m, 0, 24);
        var cpu = Lease("l2", "sme-sh", "wuhu", "yangtze-delta", 1000, 0.000064m, 0, 24) with { ResourceClass = "cpu-fp32-vcpu" };
        var nextDay = new UsageRecorded("u-next", "l1", "prov", Sh.Dec(2, 1), Sh.Dec(2, 2), 3600, 1m, 1m, 0m, "v1", 0.156m, "2026-12-02", "2026-12-02", Sh.Dec(3));
        OfferedCapacity[] offers =
        [
            new("wuhu", 2, 0.156m, Sh.Dec(1), Sh.Dec(2), null),           // 48 device-hours, 7.488 SCU-h
            new("wuhu", 1000, 0.000064m, Sh.Dec(1), Sh.Dec(2), null),     // 24,000 device-hours, 1.536 SCU-h
        ];

        var report = MeteringReports.Compute(Day1, TestCatalogue.Default, [new("sme-sh", 1, PartyRoles.Buyer, "shanghai", true, null)],
            [gpu, cpu], [nextDay], offers);

        var wuhu = report.Clusters.Single(c => c.Id == "wuhu");
        Assert.Equal(0m, wuhu.ScuHours);
        // leased: 24 + 24,000 device-hours of 24,048 offered; SCU-weighted: 3.744 + 1.536 = 5.28 of 9.024
        Assert.Equal((24_048L, 24_024L, 0.999m), (wuhu.OfferedDeviceHours, wuhu.LeasedDeviceHours, wuhu.Utilisation));
        Assert.Equal((9.024m, 5.28m, 0.5851m), (wuhu.OfferedScuHours, wuhu.LeasedScuHours, wuhu.ScuUtilisation));
    }
}
