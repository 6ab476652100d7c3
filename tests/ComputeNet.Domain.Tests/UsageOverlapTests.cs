using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using static ComputeNet.Domain.Tests.TestParties;

namespace ComputeNet.Domain.Tests;

/// <summary>market-rules §6, overlap on a lease as metering sees it (<see cref="LeaseUsage"/>): intervals are half-open on both sides.</summary>
public class UsageOverlapTests
{
    private static readonly LeaseTerms Lease = new("lease-000001", 1, "b1", BuyerSh, "shanghai", "o1", ProvA, "zhongwei", "ningxia", "ai-fp16-80g",
        "intelligent", "v1", 0.156m, 8, Sh.Dec(2, 0), Sh.Dec(2, 20), 58.00m, "on-demand", 11.5m);

    /// <summary>The lease with one record, 10:00–11:00.</summary>
    private static LeaseUsage WithTenToEleven()
    {
        var lease = new LeaseUsage { Terms = Lease };
        lease.Evolve(new UsageRecorded("r-10", Lease.LeaseId, ProvA, Sh.Dec(2, 10), Sh.Dec(2, 11), 28_800, 4m, 1m, 0m, "v1", 0.156m, "2026-12-02",
            "2026-12-02", Sh.Dec(2, 11)));
        return lease;
    }

    private static RecordUsage Cmd(int fromHour, int toHour) =>
        new(ProvA, $"r-{fromHour}-{toHour}", Lease.LeaseId, Sh.Dec(2, fromHour), Sh.Dec(2, toHour), new UsageQuantities(3_600, 0m, 0m, 0m), Sh.Dec(2, 20));

    [Fact]
    public void A_record_ending_where_a_recorded_one_starts_is_accepted_and_evolves_the_lease()
    {
        var lease = WithTenToEleven();

        UsageRules.Check(Cmd(9, 10), lease, null, (_, _) => null);
        UsageRules.Check(Cmd(11, 12), lease, null, (_, _) => null);

        Assert.Equal(28_800, lease.DeviceSecondsDelivered);
        Assert.Equal(new RecordedInterval("r-10", Sh.Dec(2, 10), Sh.Dec(2, 11), new UsageQuantities(28_800, 4m, 1m, 0m)), Assert.Single(lease.Records));
    }

    [Fact]
    public void A_record_reaching_into_a_recorded_one_names_it()
    {
        var lease = WithTenToEleven();

        var before = Then.Rejected(Codes.Overlap, "from", () => { UsageRules.Check(Cmd(9, 11), lease, null, (_, _) => null); return null; });
        Assert.Equal("the interval overlaps record 'r-10' of the same lease", before.Reason);
        Then.Rejected(Codes.Overlap, "from", () => { UsageRules.Check(Cmd(10, 12), lease, null, (_, _) => null); return null; });
    }
}
