using ComputeNet.Domain.Market;
using ComputeNet.Domain.Settlement;
using NodaTime;

namespace ComputeNet.Domain.Tests;

/// <summary>
/// docs/focus.md: the FOCUS 1.2 rows of one invoice line, per line kind, family, commitment and late flag (the charge, a
/// reservation's used and unused parts, a voucher's Credit row); cells and CSV text.
/// </summary>
public class FocusRowTests
{
    private static readonly Instant Start = Instant.FromUtc(2026, 11, 30, 16, 0);
    private static readonly Instant End = Start + Duration.FromDays(1);
    private static readonly PeriodClosed Closed = new("2026-12-01", Start, End, 300, 100, 1, 1, 1, 0, End);

    private static LeaseTerms Lease(string id, string family, string commitment, decimal latencyMs, string cluster = "guian") =>
        new(id, 1, "b", "buyer-1", "shanghai", "o", "prov-1", cluster, "guizhou", "cls", family, "v1", 0.5m, 100, Start, End, 1.5m, commitment, latencyMs);

    private static readonly Dictionary<string, LeaseTerms> Leases = new()
    {
        ["general"] = Lease("general", "general", "on-demand", 1.0m),
        ["super"] = Lease("super", "super", "reserved", 5.0m, cluster: "nowhere"),
        ["far"] = Lease("far", "intelligent", "reserved", 20.1m),
        ["full"] = Lease("full", "general", "reserved", 1.0m),
        ["idle"] = Lease("idle", "general", "reserved", 1.0m),
    };

    /// <summary>The late records of "general" started the day before the receiving period (2026-11-30 in Shanghai).</summary>
    private static readonly Instant LateFrom = Start - Duration.FromHours(20);

    private static readonly FocusContext Context = new(Leases,
        new Dictionary<(string, string, bool), FocusUsage>
        {
            [("2026-12-01", "general", true)] = new(5_400, 8m, 2m, 12.5m, LateFrom, LateFrom + Duration.FromHours(1)),
            [("2026-12-01", "super", false)] = new(7_200, 0m, 0m, 0m),
            [("2026-12-01", "far", false)] = new(3_600, 3m, 1m, 7.25m),
            [("2026-12-01", "full", false)] = new(8_640_000, 4m, 1m, 0m),
        },
        id => id == "buyer-1" ? "Buyer One" : $"name of {id}", c => c == "guian" ? "贵安" : null, PeriodCalendar.DailyShanghai);

    private static InvoiceLine Line(string lease, string kind, bool late, long amount, long voucher, decimal quantity, string unit, decimal price) =>
        new(1, lease, "b", "o", kind, late, amount, 0, voucher, voucher == 0 ? null : "prog", amount - voucher, "prov-1", "provider", 0, quantity, unit, price);

    private static InvoiceIssued Invoice(InvoiceLine line, string? hash = "h") =>
        new("2026-12-01", "buyer-1", [line], line.AmountFen, line.VoucherFen, line.DueFen, End, hash);

    private static FocusRow Row(InvoiceLine line, string? hash = "h") => FocusExport.Row(Closed, Invoice(line, hash), line, Context);

    private static IReadOnlyList<FocusRow> Rows(InvoiceLine line) => FocusExport.LineRows(Closed, Invoice(line), line, Context);

    private static FocusRow Expected(string lease, long fen) => new()
    {
        BilledCostFen = fen, BillingAccountId = "buyer-1", BillingAccountName = "Buyer One", BillingPeriodStart = Start, BillingPeriodEnd = End,
        ChargeCategory = "Usage", ChargeDescription = "", ChargeFrequency = "Usage-Based", ChargePeriodStart = Start, ChargePeriodEnd = End,
        ContractedCostFen = fen, EffectiveCostFen = fen, InvoiceId = "2026-12-01.buyer-1", ListCost = fen / 100m, PricingCategory = "Standard",
        ProviderName = "ComputeNet", PublisherName = "name of prov-1", RegionId = "guian", RegionName = "贵安", ResourceId = lease,
        ResourceName = "100 x cls in 贵安", ResourceType = "Compute lease", ServiceCategory = "Compute", ServiceName = "ComputeNet general compute",
        ServiceSubcategory = "Other (Compute)", SkuId = "cls", SkuMeter = "Compute Usage", SkuPriceId = "o", StatementHash = "h", LineNo = 1,
    };

    [Fact]
    public void A_late_on_demand_compute_line_carries_its_usages_own_period_and_a_voucher_credit_row()
    {
        var rows = Rows(Line("general", "compute", true, 1_234, 34, 0.75m, "SCU-hour", 1.5m));

        Assert.Equal(2, rows.Count);
        var charge = Expected("general", 1_234) with
        {
            ChargeDescription = "late on-demand compute, 100 x cls in guian at 1.5 yuan/SCU-hour",
            ChargePeriodStart = Start - Duration.FromDays(1), ChargePeriodEnd = Start,
            ConsumedQuantity = 1.5m, ConsumedUnit = "Device-Hours", ListCost = 1.125m, ListUnitPrice = 1.5m, PricingQuantity = 0.75m,
            PricingUnit = "SCU-Hours", LatencyTier = "city", GreenShare = 0.25m, Programme = "prog",
        };
        Assert.Equal(charge, rows[0]);
        Assert.Equal(charge with
        {
            ChargeCategory = "Credit", ChargeDescription = "voucher prog paid 0.34 yuan of line 1 (late on-demand compute, 100 x cls in guian at 1.5 yuan/SCU-hour)",
            BilledCostFen = -34, ContractedCostFen = -34, EffectiveCostFen = -34, ListCost = -0.34m, ListUnitPrice = null, PricingCategory = null,
            PricingQuantity = null, PricingUnit = null, ConsumedQuantity = null, ConsumedUnit = null, SkuId = null, SkuMeter = null, SkuPriceId = null,
            GreenShare = null, VoucherFen = 34,
        }, rows[1]);
        // What the buyer pays for the line: the rows' BilledCost.
        Assert.Equal(1_200, rows.Sum(r => r.BilledCostFen));
    }

    [Fact]
    public void Without_a_calendar_a_late_line_keeps_the_receiving_period()
    {
        var line = Line("general", "compute", true, 1_234, 0, 0.75m, "SCU-hour", 1.5m);
        var row = FocusExport.Row(Closed, Invoice(line), line, Context with { Calendar = null });
        Assert.Equal((Start, End), (row.ChargePeriodStart, row.ChargePeriodEnd));
    }

    [Fact]
    public void A_late_transport_line_is_networking_usage_based_even_on_a_reserved_lease()
    {
        var row = Assert.Single(Rows(Line("general", "transport", true, 25, 0, 12.5m, "GB", 0.02m) with { Earner = "carrier-1", EarnerRole = "carrier" }));

        Assert.Equal(Expected("general", 25) with
        {
            ChargeDescription = "late transport, 12.5 GB shanghai-guian (city) at 0.02 yuan/GB", ChargePeriodStart = Start - Duration.FromDays(1), ChargePeriodEnd = Start,
            ConsumedQuantity = 12.5m, ConsumedUnit = "GB", ListCost = 0.25m, ListUnitPrice = 0.02m, PricingQuantity = 12.5m, PricingUnit = "GB",
            PublisherName = "name of carrier-1", ServiceCategory = "Networking", ServiceName = "ComputeNet elastic bandwidth", ServiceSubcategory = "Network Connectivity",
            SkuId = "elastic-bandwidth", SkuMeter = "Data Transfer", SkuPriceId = "elastic-bandwidth/city", LatencyTier = "city",
        }, row);

        var reserved = Row(Line("far", "transport", false, 58, 0, 7.25m, "GB", 0.08m));
        Assert.Equal(("Usage-Based", "Standard", "transport, 7.25 GB shanghai-guian () at 0.08 yuan/GB", (string?)null, (string?)null, "elastic-bandwidth/cross-hub"),
            (reserved.ChargeFrequency, reserved.PricingCategory, reserved.ChargeDescription, reserved.LatencyTier, reserved.CapacityReservationId, reserved.SkuPriceId));
    }

    [Fact]
    public void A_reserved_compute_line_delivered_below_its_reservation_splits_into_the_used_and_the_unused_part()
    {
        // 100 devices × 1 day reserved = 8,640,000 device-seconds = 1,200 SCU-hours at 1.5 = 180,000 fen; 7,200 device-seconds delivered.
        var rows = Rows(Line("super", "compute", false, 180_000, 0, 1_200m, "SCU-hour", 1.5m));

        Assert.Equal(2, rows.Count);
        var used = rows[0];
        var unused = rows[1];
        Assert.Equal(("super", "Used", 150L, 1m, 2m, 1.5m), (used.CapacityReservationId, used.CapacityReservationStatus, used.BilledCostFen, used.PricingQuantity, used.ConsumedQuantity, used.ListCost));
        Assert.Equal(("super", "Unused", 179_850L, 1_199m, 0m, 1_798.5m), (unused.CapacityReservationId, unused.CapacityReservationStatus, unused.BilledCostFen, unused.PricingQuantity, unused.ConsumedQuantity, unused.ListCost));
        Assert.All(rows, r => Assert.Equal(("Usage", "Recurring", "Standard", "nowhere", "Compute", "Other (Compute)"),
            (r.ChargeCategory, r.ChargeFrequency, r.PricingCategory, r.RegionName, r.ServiceCategory, r.ServiceSubcategory)));
        Assert.Equal(("reserved compute, 100 x cls in nowhere at 1.5 yuan/SCU-hour, used part", "reserved compute, 100 x cls in nowhere at 1.5 yuan/SCU-hour, unused part"),
            (used.ChargeDescription, unused.ChargeDescription));
        Assert.All(rows, r => Assert.Equal(r.ListUnitPrice * r.PricingQuantity, r.ListCost));
        Assert.Equal(180_000, rows.Sum(r => r.BilledCostFen));
    }

    [Fact]
    public void A_reservation_delivered_in_full_is_one_used_row_and_one_delivered_not_at_all_is_one_unused_row()
    {
        var full = Assert.Single(Rows(Line("full", "compute", false, 180_000, 0, 1_200m, "SCU-hour", 1.5m)));
        Assert.Equal(("Used", 180_000L, 2_400m), (full.CapacityReservationStatus, full.BilledCostFen, full.ConsumedQuantity));

        var none = Rows(Line("idle", "compute", false, 180_000, 0, 1_200m, "SCU-hour", 1.5m));
        Assert.Equal(("Unused", 180_000L, 0m), (Assert.Single(none).CapacityReservationStatus, none[0].BilledCostFen, none[0].ConsumedQuantity));
    }

    [Fact]
    public void An_sla_credit_is_a_recurring_credit_of_the_reservation_without_quantities_price_or_sku()
    {
        var row = Assert.Single(Rows(Line("far", "sla-credit", false, -91, 0, 0m, "", 0m)));

        Assert.Equal(("Credit", "SLA credit: reserved lease far delivered below 99.0 %", "Recurring", (string?)null),
            (row.ChargeCategory, row.ChargeDescription, row.ChargeFrequency, row.PricingCategory));
        Assert.Equal(((decimal?)null, (string?)null, (decimal?)null, (string?)null, (decimal?)null, (decimal?)null),
            (row.ConsumedQuantity, row.ConsumedUnit, row.PricingQuantity, row.PricingUnit, row.GreenShare, row.ListUnitPrice));
        Assert.Equal(("far", (string?)null, (string?)null, -0.91m), (row.CapacityReservationId, row.CapacityReservationStatus, row.SkuPriceId, row.ListCost));
        Assert.Equal(("AI and Machine Learning", "ComputeNet intelligent compute", "Other (AI and Machine Learning)", (string?)null),
            (row.ServiceCategory, row.ServiceName, row.ServiceSubcategory, row.LatencyTier));
    }

    [Fact]
    public void A_line_without_recorded_usage_consumed_nothing()
    {
        var row = Row(Line("super", "compute", true, 900, 0, 1m, "SCU-hour", 1.5m));
        Assert.Equal((0m, (decimal?)null), (row.ConsumedQuantity, row.GreenShare));
    }

    [Fact]
    public void A_line_naming_an_unknown_lease_is_a_broken_invariant() =>
        Assert.Equal("invoice line 1 of buyer-1 names lease nope, which is unknown",
            Assert.Throws<InvalidOperationException>(() => Row(Line("nope", "compute", false, 1, 0, 1m, "SCU-hour", 1m))).Message);

    [Fact]
    public void Cells_follow_the_header()
    {
        var rows = Rows(Line("general", "compute", true, 1_234, 34, 0.75m, "SCU-hour", 1.5m));
        var cells = FocusExport.Header.Zip(FocusExport.Cells(rows[0])).ToDictionary(x => x.First, x => x.Second);

        var expected = new Dictionary<string, string>
        {
            ["BilledCost"] = "12.34", ["BillingAccountId"] = "buyer-1", ["BillingAccountName"] = "Buyer One", ["BillingCurrency"] = "CNY",
            ["BillingPeriodEnd"] = "2026-12-01T16:00:00Z", ["BillingPeriodStart"] = "2026-11-30T16:00:00Z", ["CapacityReservationId"] = "",
            ["CapacityReservationStatus"] = "", ["ChargeCategory"] = "Usage", ["ChargeClass"] = "",
            ["ChargeDescription"] = "late on-demand compute, 100 x cls in guian at 1.5 yuan/SCU-hour", ["ChargeFrequency"] = "Usage-Based",
            ["ChargePeriodEnd"] = "2026-11-30T16:00:00Z", ["ChargePeriodStart"] = "2026-11-29T16:00:00Z", ["ConsumedQuantity"] = "1.5",
            ["ConsumedUnit"] = "Device-Hours", ["ContractedCost"] = "12.34", ["EffectiveCost"] = "12.34", ["InvoiceId"] = "2026-12-01.buyer-1",
            ["InvoiceIssuerName"] = "ComputeNet", ["ListCost"] = "1.125", ["ListUnitPrice"] = "1.50",
            ["PricingCategory"] = "Standard", ["PricingQuantity"] = "0.75", ["PricingUnit"] = "SCU-Hours", ["ProviderName"] = "ComputeNet",
            ["PublisherName"] = "name of prov-1", ["RegionId"] = "guian", ["RegionName"] = "贵安", ["ResourceId"] = "general", ["ResourceName"] = "100 x cls in 贵安",
            ["ResourceType"] = "Compute lease", ["ServiceCategory"] = "Compute", ["ServiceName"] = "ComputeNet general compute", ["ServiceSubcategory"] = "Other (Compute)",
            ["SkuId"] = "cls", ["SkuMeter"] = "Compute Usage", ["SkuPriceDetails"] = "", ["SkuPriceId"] = "o",
            ["x_LatencyTier"] = "city", ["x_GreenShare"] = "0.25", ["x_VoucherFen"] = "0", ["x_Programme"] = "prog", ["x_StatementHash"] = "h", ["x_InvoiceLine"] = "1",
        };
        Assert.Equal(expected.Select(kv => $"{kv.Key}={kv.Value}"), cells.Select(kv => $"{kv.Key}={kv.Value}"));

        var voucher = FocusExport.Header.Zip(FocusExport.Cells(rows[1])).ToDictionary(x => x.First, x => x.Second);
        Assert.Equal(("Credit", "-0.34", "-0.34", "-0.34", "", "", "34", "prog"), (voucher["ChargeCategory"], voucher["BilledCost"], voucher["EffectiveCost"],
            voucher["ListCost"], voucher["PricingQuantity"], voucher["SkuPriceId"], voucher["x_VoucherFen"], voucher["x_Programme"]));

        var credit = FocusExport.Header.Zip(FocusExport.Cells(Row(Line("far", "sla-credit", false, -91, 0, 0m, "", 0m), hash: null)))
            .ToDictionary(x => x.First, x => x.Second);
        Assert.Equal(("", "", "", "", "", "", "", "-0.91"), (credit["ConsumedQuantity"], credit["ConsumedUnit"], credit["PricingQuantity"], credit["PricingUnit"],
            credit["x_LatencyTier"], credit["x_Programme"], credit["x_StatementHash"], credit["BilledCost"]));
    }

    [Fact]
    public void The_header_is_alphabetical_focus_columns_then_the_extensions()
    {
        Assert.Equal(["BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart", "CapacityReservationId",
            "CapacityReservationStatus", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart",
            "ConsumedQuantity", "ConsumedUnit", "ContractedCost", "EffectiveCost", "InvoiceId", "InvoiceIssuerName", "ListCost", "ListUnitPrice",
            "PricingCategory", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName", "RegionId", "RegionName", "ResourceId", "ResourceName",
            "ResourceType", "ServiceCategory", "ServiceName", "ServiceSubcategory", "SkuId", "SkuMeter", "SkuPriceDetails", "SkuPriceId",
            "x_LatencyTier", "x_GreenShare", "x_VoucherFen", "x_Programme", "x_StatementHash", "x_InvoiceLine"],
            FocusExport.Header);
        Assert.Equal(("CNY", "ComputeNet", "SCU-Hours", "GB", "Device-Hours", 6),
            (FocusExport.BillingCurrency, FocusExport.InvoiceIssuer, FocusExport.ComputeUnit, FocusExport.TransportUnit, FocusExport.DeviceHours, FocusExport.QuantityPlaces));
    }

    [Fact]
    public void Csv_quotes_commas_quotes_and_line_breaks_only()
    {
        var row = Row(Line("general", "compute", false, 100, 0, 1m, "SCU-hour", 1.5m)) with
        {
            BillingAccountName = "a,b", ChargeDescription = "say \"hi\"", PublisherName = "line\nbreak", RegionName = "cr\rhere", ServiceName = "plain",
        };
        var csv = FocusExport.Csv([row, row]);
        var lines = csv.Split("\r\n");

        Assert.Equal(string.Join(",", FocusExport.Header), lines[0]);
        Assert.Contains(",\"a,b\",", csv);
        Assert.Contains(",\"say \"\"hi\"\"\",", csv);
        Assert.Contains(",\"line\nbreak\",", csv);
        Assert.Contains(",\"cr\rhere\",", csv);
        Assert.Contains(",plain,", csv);
        Assert.StartsWith("1.00,buyer-1,", lines[1]);
        Assert.EndsWith(",h,1", lines[^2]);
        Assert.Equal("", lines[^1]);
    }

    [Fact]
    public void Rows_come_in_close_then_invoice_then_line_order()
    {
        var l1 = Line("general", "compute", false, 1, 0, 1m, "SCU-hour", 1m);
        var l2 = l1 with { LineNo = 2, AmountFen = 2 };
        var l3 = l1 with { AmountFen = 3 };
        var i1 = new InvoiceIssued("2026-12-01", "buyer-1", [l1, l2], 3, 0, 3, End);
        var i2 = new InvoiceIssued("2026-12-01", "buyer-2", [l3], 3, 0, 3, End);
        var later = Closed with { Period = "2026-12-02" };

        var rows = FocusExport.Rows([new FocusPeriod(Closed, [i1, i2]), new FocusPeriod(later, [i1])], Context);

        Assert.Equal([1L, 2L, 3L, 1L, 2L], rows.Select(r => r.BilledCostFen));
        Assert.Equal(["buyer-1", "buyer-1", "buyer-2", "buyer-1", "buyer-1"], rows.Select(r => r.BillingAccountId));
        Assert.Equal([1, 2, 1, 1, 2], rows.Select(r => r.LineNo));
    }

    [Fact]
    public void Usage_adds_up_and_keeps_the_first_and_last_record_start()
    {
        var a = Start + Duration.FromHours(1);
        var b = Start + Duration.FromHours(5);
        Assert.Equal(new FocusUsage(3, 1.5m, 0.5m, 2m, a, b), FocusUsage.None.Add(1, 1m, 0.25m, 0.5m, b).Add(2, 0.5m, 0.25m, 1.5m, a));
        Assert.Equal(new FocusUsage(3, 1.5m, 0.5m, 2m), FocusUsage.None.Add(1, 1m, 0.25m, 0.5m).Add(2, 0.5m, 0.25m, 1.5m));
        Assert.Equal("2026-11-30T16:00:00Z", FocusExport.Time(Start));
        Assert.Equal("-0.05", FocusExport.Yuan(-5));
        Assert.Equal(["1447.68", "12.00", "0.7000005", "-1751.72", "0.00"],
            new[] { 24.960000m * 58.00m, 12m, 0.7000005m, -1751.72m, 0m }.Select(FocusExport.ExactDecimal));
    }
}
