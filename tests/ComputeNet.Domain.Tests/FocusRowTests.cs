using ComputeNet.Domain.Market;
using ComputeNet.Domain.Settlement;
using NodaTime;

namespace ComputeNet.Domain.Tests;

/// <summary>docs/focus.md: every column of a FOCUS 1.2 row, per line kind, family, commitment and late flag; cells and CSV text.</summary>
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
    };

    private static readonly FocusContext Context = new(Leases,
        new Dictionary<(string, string, bool), FocusUsage>
        {
            [("2026-12-01", "general", true)] = new(5_400, 8m, 2m, 12.5m),
            [("2026-12-01", "super", false)] = new(7_200, 0m, 0m, 0m),
            [("2026-12-01", "far", false)] = new(3_600, 3m, 1m, 7.25m),
        },
        id => id == "buyer-1" ? "Buyer One" : $"name of {id}", c => c == "guian" ? "贵安" : null);

    private static InvoiceLine Line(string lease, string kind, bool late, long amount, long voucher, decimal quantity, string unit, decimal price) =>
        new(1, lease, "b", "o", kind, late, amount, 0, voucher, voucher == 0 ? null : "prog", amount - voucher, "prov-1", "provider", 0, quantity, unit, price);

    private static FocusRow Row(InvoiceLine line, string? hash = "h") =>
        FocusExport.Row(Closed, new InvoiceIssued("2026-12-01", "buyer-1", [line], line.AmountFen, line.VoucherFen, line.DueFen, End, hash), line, Context);

    [Fact]
    public void A_late_on_demand_compute_line_of_a_general_lease()
    {
        var row = Row(Line("general", "compute", true, 1_234, 34, 0.75m, "SCU-hour", 1.5m));

        Assert.Equal(new FocusRow(1_234, "buyer-1", "Buyer One", Start, End, "Usage", "late on-demand compute, 100 × cls in guian at 1.5 yuan/SCU-hour",
            "Usage-Based", Start, End, 1.5m, "Device-Hours", 1_234, 1_200, 1_234, "Standard", 0.75m, "SCU-Hour", "name of prov-1", "name of prov-1",
            "guian", "贵安", "general", "Compute", "ComputeNet general compute", "city", 0.25m, 34, "prog", "h"), row);
    }

    [Fact]
    public void A_late_transport_line_is_networking_usage_based_even_on_a_reserved_lease()
    {
        var row = Row(Line("general", "transport", true, 25, 0, 12.5m, "GB", 0.02m) with { Earner = "carrier-1", EarnerRole = "carrier" });

        Assert.Equal(new FocusRow(25, "buyer-1", "Buyer One", Start, End, "Usage", "late transport, 12.5 GB shanghai–guian (city) at 0.02 yuan/GB",
            "Usage-Based", Start, End, 12.5m, "GB", 25, 25, 25, "Standard", 12.5m, "GB", "name of carrier-1", "name of carrier-1",
            "guian", "贵安", "general", "Networking", "ComputeNet elastic bandwidth", "city", null, 0, null, "h"), row);

        var reserved = Row(Line("far", "transport", false, 58, 0, 7.25m, "GB", 0.08m));
        Assert.Equal(("Usage-Based", "Standard", "transport, 7.25 GB shanghai–guian () at 0.08 yuan/GB", (string?)null),
            (reserved.ChargeFrequency, reserved.PricingCategory, reserved.ChargeDescription, reserved.LatencyTier));
    }

    [Fact]
    public void A_reserved_compute_line_of_a_super_lease_with_an_unnamed_cluster_and_no_energy()
    {
        var row = Row(Line("super", "compute", false, 900, 0, 1m, "SCU-hour", 1.5m), hash: null);

        Assert.Equal(new FocusRow(900, "buyer-1", "Buyer One", Start, End, "Usage", "reserved compute, 100 × cls in nowhere at 1.5 yuan/SCU-hour",
            "Recurring", Start, End, 2m, "Device-Hours", 900, 900, 900, "Committed", 1m, "SCU-Hour", "name of prov-1", "name of prov-1",
            "nowhere", "nowhere", "super", "Compute", "ComputeNet super compute", "regional", null, 0, null, null), row);
    }

    [Fact]
    public void An_sla_credit_is_a_recurring_committed_credit_without_quantities()
    {
        var row = Row(Line("far", "sla-credit", false, -91, 0, 0m, "", 0m));

        Assert.Equal(("Credit", "SLA credit: reserved lease far delivered below 99.0 %", "Recurring", "Committed"),
            (row.ChargeCategory, row.ChargeDescription, row.ChargeFrequency, row.PricingCategory));
        Assert.Equal(((decimal?)null, (string?)null, (decimal?)null, (string?)null, (decimal?)null),
            (row.ConsumedQuantity, row.ConsumedUnit, row.PricingQuantity, row.PricingUnit, row.GreenShare));
        Assert.Equal(("AI and Machine Learning", "ComputeNet intelligent compute", (string?)null), (row.ServiceCategory, row.ServiceName, row.LatencyTier));
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
        var row = Row(Line("general", "compute", true, 1_234, 34, 0.75m, "SCU-hour", 1.5m));
        var cells = FocusExport.Header.Zip(FocusExport.Cells(row)).ToDictionary(x => x.First, x => x.Second);

        var expected = new Dictionary<string, string>
        {
            ["BilledCost"] = "12.34", ["BillingAccountId"] = "buyer-1", ["BillingAccountName"] = "Buyer One", ["BillingCurrency"] = "CNY",
            ["BillingPeriodEnd"] = "2026-12-01T16:00:00Z", ["BillingPeriodStart"] = "2026-11-30T16:00:00Z", ["ChargeCategory"] = "Usage", ["ChargeClass"] = "",
            ["ChargeDescription"] = "late on-demand compute, 100 × cls in guian at 1.5 yuan/SCU-hour", ["ChargeFrequency"] = "Usage-Based",
            ["ChargePeriodEnd"] = "2026-12-01T16:00:00Z", ["ChargePeriodStart"] = "2026-11-30T16:00:00Z", ["ConsumedQuantity"] = "1.5",
            ["ConsumedUnit"] = "Device-Hours", ["ContractedCost"] = "12.34", ["EffectiveCost"] = "12.00", ["InvoiceIssuerName"] = "ComputeNet", ["ListCost"] = "12.34",
            ["PricingCategory"] = "Standard", ["PricingQuantity"] = "0.75", ["PricingUnit"] = "SCU-Hour", ["ProviderName"] = "name of prov-1",
            ["PublisherName"] = "name of prov-1", ["RegionId"] = "guian", ["RegionName"] = "贵安", ["ResourceId"] = "general", ["ServiceCategory"] = "Compute",
            ["ServiceName"] = "ComputeNet general compute", ["x_LatencyTier"] = "city", ["x_GreenShare"] = "0.25", ["x_VoucherFen"] = "34",
            ["x_Programme"] = "prog", ["x_StatementHash"] = "h",
        };
        Assert.Equal(expected.Select(kv => $"{kv.Key}={kv.Value}"), cells.Select(kv => $"{kv.Key}={kv.Value}"));

        var credit = FocusExport.Header.Zip(FocusExport.Cells(Row(Line("far", "sla-credit", false, -91, 0, 0m, "", 0m), hash: null)))
            .ToDictionary(x => x.First, x => x.Second);
        Assert.Equal(("", "", "", "", "", "", "", "-0.91"), (credit["ConsumedQuantity"], credit["ConsumedUnit"], credit["PricingQuantity"], credit["PricingUnit"],
            credit["x_LatencyTier"], credit["x_Programme"], credit["x_StatementHash"], credit["BilledCost"]));
    }

    [Fact]
    public void The_header_is_alphabetical_focus_columns_then_the_extensions()
    {
        Assert.Equal(["BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory",
            "ChargeClass", "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart", "ConsumedQuantity", "ConsumedUnit", "ContractedCost",
            "EffectiveCost", "InvoiceIssuerName", "ListCost", "PricingCategory", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName", "RegionId",
            "RegionName", "ResourceId", "ServiceCategory", "ServiceName", "x_LatencyTier", "x_GreenShare", "x_VoucherFen", "x_Programme", "x_StatementHash"],
            FocusExport.Header);
        Assert.Equal(["ChargeFrequency", "ConsumedQuantity", "ConsumedUnit", "PricingCategory", "RegionId", "RegionName", "ResourceId"], FocusExport.ApplicableColumns);
        Assert.Equal(("CNY", "ComputeNet", "SCU-Hour", "GB", "Device-Hours", 6),
            (FocusExport.BillingCurrency, FocusExport.InvoiceIssuer, FocusExport.ComputeUnit, FocusExport.TransportUnit, FocusExport.DeviceHours, FocusExport.QuantityPlaces));
    }

    [Fact]
    public void Csv_quotes_commas_quotes_and_line_breaks_only()
    {
        var row = Row(Line("general", "compute", false, 100, 0, 1m, "SCU-hour", 1.5m)) with
        {
            BillingAccountName = "a,b", ProviderName = "say \"hi\"", PublisherName = "line\nbreak", RegionName = "cr\rhere", ServiceName = "plain",
        };
        var csv = FocusExport.Csv([row, row]);
        var lines = csv.Split("\r\n");

        Assert.Equal(string.Join(",", FocusExport.Header), lines[0]);
        Assert.Contains(",\"a,b\",", csv);
        Assert.Contains(",\"say \"\"hi\"\"\",\"line\nbreak\",", csv);
        Assert.Contains(",\"cr\rhere\",", csv);
        Assert.Contains(",plain,", csv);
        Assert.StartsWith("1.00,buyer-1,", lines[1]);
        Assert.EndsWith(",h", lines[^2]);
        Assert.Equal("", lines[^1]);
        Assert.Equal(FocusExport.Header.Count + 2, lines[1].Split(',').Length);   // "a,b" and the description hold one comma each
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
    }

    [Fact]
    public void Usage_adds_up()
    {
        Assert.Equal(new FocusUsage(3, 1.5m, 0.5m, 2m), FocusUsage.None.Add(1, 1m, 0.25m, 0.5m).Add(2, 0.5m, 0.25m, 1.5m));
        Assert.Equal(new FocusUsage(0, 0, 0, 0), FocusUsage.None);
        Assert.Equal("2026-11-30T16:00:00Z", FocusExport.Time(Start));
        Assert.Equal("-0.05", FocusExport.Yuan(-5));
    }
}
