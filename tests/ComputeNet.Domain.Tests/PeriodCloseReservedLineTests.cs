using ComputeNet.Domain.Market;
using ComputeNet.Domain.Settlement;
using NodaTime;
using static ComputeNet.Domain.Tests.TestParties;

namespace ComputeNet.Domain.Tests;

/// <summary>market-rules §7: a reserved lease's compute line is a whole invoice line — quantity in SCU-hours, unit, unit price.</summary>
public class PeriodCloseReservedLineTests
{
    private static readonly PeriodCalendar Calendar = PeriodCalendar.DailyShanghai;

    private static SettlementPeriod Day(int day) => Calendar.PeriodOf(Sh.Dec(day, 12));

    [Fact]
    public void A_reserved_compute_line_shows_scu_hours_its_unit_and_unit_price()
    {
        // 2 devices × 3 h × 0.156 SCU = 0.936 SCU-hours at 58.00 yuan = 54.288 yuan → 5,429 fen; fee 300 bp = 162.87 → 163.
        var lease = new LeaseTerms("lease-r", 7, "b7", BuyerSh, "shanghai", "o7", ProvA, "zhongwei", "ningxia", "ai-fp16-80g", "intelligent", "v1",
            0.156m, 2, Sh.Dec(2, 9), Sh.Dec(2, 12), 58.00m, "reserved", 11.5m);
        var at = Day(2).End.Plus(Duration.FromMinutes(1));

        var result = PeriodClose.Compute(new CloseInput(Day(2), Calendar, FeeSchedule.Default, TestParties.All.Values.ToList(),
            [new LeaseAtClose(lease, 2 * 3 * 3600)], [], at));

        Assert.Equal(new InvoiceLine(1, "lease-r", "b7", "o7", "compute", false, 5_429, 307, 0, null, 5_429, ProvA, "provider", 163, 0.936m, "SCU-hour", 58.00m),
            Assert.Single(Assert.Single(result.Invoices).Lines));
        Assert.Equal([new Posting($"buyer:{BuyerSh}", 5_429), new Posting($"provider:{ProvA}", -5_266), new Posting("platform:fees", -163)],
            Assert.Single(result.Transactions).Postings);
    }
}
