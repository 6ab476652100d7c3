using ComputeNet.Domain.Market;
using ComputeNet.Domain.Settlement;
using CsCheck;
using NodaTime;

namespace ComputeNet.Domain.Tests;

/// <summary>The FOCUS 1.2 mapping and its CSV as pure functions: columns, money, quoting.</summary>
public class FocusExportTests
{
    private static readonly Instant Start = Instant.FromUtc(2026, 11, 30, 16, 0);
    private static readonly PeriodClosed Closed = new("2026-12-01", Start, Start + Duration.FromDays(1), 300, 100, 1, 2, 2, 0, Start + Duration.FromDays(1));

    private static readonly LeaseTerms Lease = new("lease-000001", 1, "b1", "buyer-1", "shanghai", "o1", "prov-1", "zhongwei", "ningxia", "ai-fp16-80g",
        "intelligent", "v1", 0.156m, 8, Start, Start + Duration.FromDays(1), 58.00m, "reserved", 14.3m);

    private static InvoiceLine Line(string kind, long amountFen, long voucherFen = 0) => new(1, Lease.LeaseId, "b1", "o1", kind, false, amountFen,
        Money.Exact.IncludedVat(new Money.Fen(amountFen)).Value, voucherFen, voucherFen == 0 ? null : "prog", amountFen - voucherFen, "prov-1", "provider",
        0, kind == LineKinds.SlaCredit ? 0 : 24.96m, "SCU-hour", 58.00m);

    private static FocusRow Row(InvoiceLine line) => FocusExport.Row(Closed, new InvoiceIssued("2026-12-01", "buyer-1", [line], line.AmountFen,
            line.VoucherFen, line.DueFen, Closed.At, Hash: "abc"),
        line, new FocusContext(new Dictionary<string, LeaseTerms> { [Lease.LeaseId] = Lease },
            new Dictionary<(string, string, bool), FocusUsage> { [("2026-12-01", Lease.LeaseId, false)] = new(576_000, 10m, 8.5m, 0m) },
            id => id == "buyer-1" ? "Buyer, \"One\"" : id, _ => "中卫"));

    [Fact]
    public void The_header_is_the_mandatory_focus_columns_the_applicable_ones_and_the_extensions()
    {
        Assert.Equal(21, FocusExport.MandatoryColumns.Count);
        Assert.Equal(FocusExport.MandatoryColumns.Count + FocusExport.ApplicableColumns.Count + FocusExport.ExtensionColumns.Count, FocusExport.Header.Count);
        Assert.Equal(FocusExport.Header.Count, FocusExport.Header.Distinct().Count());
        Assert.All(FocusExport.ExtensionColumns, c => Assert.StartsWith("x_", c));
        Assert.Equal(FocusExport.Header, FocusExport.Csv([]).TrimEnd('\r', '\n').Split(','));
    }

    [Fact]
    public void A_reserved_line_is_a_recurring_used_capacity_reservation_and_its_sla_credit_is_a_credit_without_quantities()
    {
        var compute = Row(Line(LineKinds.Compute, 144_768, 43_430));
        Assert.Equal(("Usage", "Recurring", "Standard", 144_768L), (compute.ChargeCategory, compute.ChargeFrequency, compute.PricingCategory, compute.EffectiveCostFen));
        Assert.Equal((Lease.LeaseId, "Used"), (compute.CapacityReservationId, compute.CapacityReservationStatus));
        Assert.Equal((160m, "Device-Hours", 24.96m, "SCU-Hours"), (compute.ConsumedQuantity, compute.ConsumedUnit, compute.PricingQuantity, compute.PricingUnit));
        Assert.Equal(0.85m, compute.GreenShare);
        Assert.Equal("cross-hub", compute.LatencyTier);

        var credit = Row(Line(LineKinds.SlaCredit, -175_172));
        Assert.Equal(("Credit", "Recurring", (decimal?)null, (string?)null, (decimal?)null), (credit.ChargeCategory, credit.ChargeFrequency, credit.PricingQuantity, credit.PricingUnit, credit.ConsumedQuantity));
        var cells = FocusExport.Header.Zip(FocusExport.Cells(credit)).ToDictionary(x => x.First, x => x.Second);
        Assert.Equal(("-1751.72", "-1751.72", "", "0"), (cells["BilledCost"], cells["EffectiveCost"], cells["PricingQuantity"], cells["x_VoucherFen"]));

        var transport = Row(Line(LineKinds.Transport, 10_004) with { Unit = "GB" });
        Assert.Equal(("Networking", "Usage-Based", "Standard", "GB"), (transport.ServiceCategory, transport.ChargeFrequency, transport.PricingCategory, transport.PricingUnit));
    }

    [Fact]
    public void Fields_holding_commas_or_quotes_are_quoted_as_rfc_4180_says()
    {
        var csv = FocusExport.Csv([Row(Line(LineKinds.Compute, 144_768))]);
        Assert.Contains(",\"Buyer, \"\"One\"\"\",", csv);
        Assert.EndsWith("\r\n", csv);
        Assert.Equal(2, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Money_is_exact_decimal_yuan_for_every_fen_amount() =>
        Gen.Long[-10_000_000_000_000L, 10_000_000_000_000L].Sample(fen =>
        {
            var yuan = FocusExport.Yuan(fen);
            Assert.Matches(@"^-?\d+\.\d{2}$", yuan);
            Assert.Equal(fen, decimal.Parse(yuan, System.Globalization.CultureInfo.InvariantCulture) * 100);
        });
}
