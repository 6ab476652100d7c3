using System.Globalization;
using System.Text.RegularExpressions;
using ComputeNet.Application.Exports.ExportFocus;
using ComputeNet.Application.Scenarios;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>
/// The two exports the FOCUS rule tests read: the demo day (compute and transport vouchers, a reserved lease with its SLA
/// credit, transport) and a two-day scenario with a voucher, a reserved lease delivered short (used and unused parts, SLA
/// credit), transport and late usage billed in the next period. Each is run once, through the scenario runner, and read
/// back from its CSV.
/// </summary>
public sealed class FocusDatasets : IAsyncLifetime
{
    public sealed record Dataset(ScenarioResult Result, IReadOnlyList<string> Header, IReadOnlyList<Dictionary<string, string>> Rows);

    public Dictionary<string, Dataset> Sets { get; } = [];

    /// <summary>Two days: sme-sh's on-demand lease (30 % voucher, transport, late usage in day 2) and a reserved lease over midnight delivered short.</summary>
    public const string Rich = """
        {
          "name": "focus-rules",
          "parties": [
            { "id": "sme-sh", "name": "上海智算", "nameEn": "Shanghai AI", "roles": ["buyer"], "city": "shanghai", "sme": true },
            { "id": "prov-nx", "name": "中卫西部云", "nameEn": "Zhongwei West Cloud", "roles": ["provider"] },
            { "id": "carrier-west", "name": "东数西算专网", "nameEn": "East-West Backbone", "roles": ["carrier"], "routes": [ { "cities": ["shanghai"], "clusters": ["zhongwei"] } ] },
            { "id": "sh-gov", "name": "上海市经信委", "nameEn": "Shanghai Commission", "roles": ["issuer"] }
          ],
          "programmes": [
            { "id": "sh-compute", "issuer": "sh-gov", "kind": "compute", "coverageBp": 3000, "capFen": 1000000, "budgetFen": 50000000,
              "validFrom": "2026-12-01T00:00:00+08:00", "validTo": "2027-01-01T00:00:00+08:00", "buyerCities": ["shanghai"], "families": null, "supplyHubs": null }
          ],
          "actions": [
            { "at": "2026-11-30T08:00:00+08:00", "type": "grant", "id": "g1", "programme": "sh-compute", "buyer": "sme-sh", "faceFen": 500000 },
            { "at": "2026-11-30T09:00:00+08:00", "type": "offer", "id": "of-nx", "party": "prov-nx", "cluster": "zhongwei", "resourceClass": "ai-fp16-80g",
              "devices": 16, "from": "2026-12-01T00:00:00+08:00", "to": "2026-12-03T00:00:00+08:00", "price": "58.00" },
            { "at": "2026-11-30T10:00:00+08:00", "type": "bid", "id": "b-od", "party": "sme-sh", "family": "intelligent", "devices": 2, "minScuPerDevice": "0.1",
              "minMemoryGb": 40, "from": "2026-12-01T00:00:00+08:00", "to": "2026-12-02T00:00:00+08:00", "tier": "cross-hub", "minGreen": "0",
              "price": "60.00", "commitment": "on-demand", "split": true, "tif": "GTC" },
            { "at": "2026-11-30T10:00:00+08:00", "type": "bid", "id": "b-res", "party": "sme-sh", "family": "intelligent", "devices": 2, "minScuPerDevice": "0.1",
              "minMemoryGb": 40, "from": "2026-12-01T20:00:00+08:00", "to": "2026-12-02T04:00:00+08:00", "tier": "cross-hub", "minGreen": "0",
              "price": "60.00", "commitment": "reserved", "split": true, "tif": "GTC" },
            { "at": "2026-12-01T12:00:00+08:00", "type": "usage", "id": "u-od", "party": "prov-nx", "bid": "b-od", "offer": "of-nx",
              "from": "2026-12-01T00:00:00+08:00", "to": "2026-12-01T12:00:00+08:00", "deviceSeconds": 86400, "energyKwh": "10", "greenKwh": "5", "transferGb": "100.5" },
            { "at": "2026-12-02T04:00:00+08:00", "type": "usage", "id": "u-res", "party": "prov-nx", "bid": "b-res", "offer": "of-nx",
              "from": "2026-12-01T20:00:00+08:00", "to": "2026-12-02T04:00:00+08:00", "deviceSeconds": 20000, "energyKwh": "4", "greenKwh": "1", "transferGb": "0" },
            { "at": "2026-12-02T05:00:00+08:00", "type": "close", "period": "2026-12-01" },
            { "at": "2026-12-02T10:00:00+08:00", "type": "usage", "id": "u-late", "party": "prov-nx", "bid": "b-od", "offer": "of-nx",
              "from": "2026-12-01T12:00:00+08:00", "to": "2026-12-02T00:00:00+08:00", "deviceSeconds": 43200, "energyKwh": "6", "greenKwh": "3", "transferGb": "10" },
            { "at": "2026-12-03T01:00:00+08:00", "type": "close", "period": "2026-12-02" }
          ]
        }
        """;

    public async ValueTask InitializeAsync()
    {
        var cs = await TestDatabase.ConnectionStringAsync();
        var demo = await File.ReadAllTextAsync(TestDatabase.ScenarioPath("demo-market-day.json"));
        foreach (var (name, json) in new[] { ("demo", demo), ("rich", Rich) })
        {
            var result = await TestDatabase.Runner().RunAsync(json, new ScenarioRunOptions(cs), CancellationToken.None);
            if (name == "rich")
            {
                Assert.Empty(result.Rejections);   // the demo refuses some actions on purpose
            }
            var csv = Assert.IsType<FocusDataset>(result.Focus).Csv;
            if (Environment.GetEnvironmentVariable("COMPUTENET_FOCUS_SAMPLES") is { Length: > 0 } folder)
            {
                // Keeps the two exports, e.g. to run the Foundation's validator on them (docs/focus.md).
                Directory.CreateDirectory(folder);
                await File.WriteAllTextAsync(Path.Combine(folder, $"{name}-focus.csv"), csv, new System.Text.UTF8Encoding(false));
            }
            var rows = FocusExportTests.ParseCsv(csv, out var header);
            Sets[name] = new Dataset(result, header, rows);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// The static rules of the FinOps Foundation's validator for FOCUS 1.2 (focus_validator, rules/model-1.2.json), one test per
/// rule family, over the demo day's export and a scenario with vouchers, a reserved lease delivered short, late usage, transport
/// and an SLA credit. docs/focus.md lists the rules and which features ComputeNet declares (they decide the conditional ones).
/// Null is an empty cell, as FOCUS reads CSV.
/// </summary>
public sealed class FocusRuleTests(FocusDatasets sets) : IClassFixture<FocusDatasets>
{
    private static bool Null(Dictionary<string, string> r, string column) => !r.TryGetValue(column, out var v) || v.Length == 0;

    private static decimal Dec(string s) => decimal.Parse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture);

    private static bool UsageOrPurchase(Dictionary<string, string> r) => r["ChargeCategory"] is "Usage" or "Purchase" && r["ChargeClass"] != "Correction";

    private FocusDatasets.Dataset Set(string name) => sets.Sets[name];

    /// <summary>CostAndUsage-D-003…068: every Mandatory column, and each Conditional one whose feature ComputeNet has, is present.</summary>
    [Theory, InlineData("demo"), InlineData("rich")]
    public void Presence_every_mandatory_column_and_every_conditional_one_of_a_declared_feature(string name)
    {
        string[] mandatory = ["BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory",
            "ChargeClass", "ChargeDescription", "ChargePeriodEnd", "ChargePeriodStart", "ContractedCost", "EffectiveCost", "InvoiceIssuerName", "ListCost",
            "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName", "ServiceCategory", "ServiceName"];
        // Recommended: ChargeFrequency, InvoiceId, ServiceSubcategory. Declared features: usage measurement (ConsumedQuantity/Unit), capacity
        // reservations (CapacityReservationId/Status), public price list with unit pricing (ListUnitPrice, SkuId, SkuPriceId, SkuMeter,
        // SkuPriceDetails), regions (RegionId/Name), billing by provisioned resources with resource types (ResourceId/Name/Type).
        string[] conditional = ["ChargeFrequency", "InvoiceId", "ServiceSubcategory", "ConsumedQuantity", "ConsumedUnit", "CapacityReservationId",
            "CapacityReservationStatus", "ListUnitPrice", "SkuId", "SkuPriceId", "SkuMeter", "SkuPriceDetails", "RegionId", "RegionName", "ResourceId",
            "ResourceName", "ResourceType", "PricingCategory"];
        var header = Set(name).Header;
        Assert.All(mandatory.Concat(conditional), c => Assert.Contains(c, header));
        // Features ComputeNet does not have: no commitment discounts, sub-accounts, availability zones, tags, other currencies.
        Assert.DoesNotContain(header, c => c.StartsWith("CommitmentDiscount", StringComparison.Ordinal) || c.StartsWith("SubAccount", StringComparison.Ordinal)
            || c is "AvailabilityZone" or "Tags" or "PricingCurrency" or "BillingAccountType");
        Assert.All(header.Where(c => !mandatory.Contains(c) && !conditional.Contains(c)), c => Assert.StartsWith("x_", c));
    }

    /// <summary>X-C-00n-M "MUST NOT be null" of every non-nullable column.</summary>
    [Theory, InlineData("demo"), InlineData("rich")]
    public void Nullability_of_the_columns_that_must_not_be_null(string name)
    {
        string[] notNull = ["BilledCost", "BillingAccountId", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeFrequency",
            "ChargePeriodEnd", "ChargePeriodStart", "ContractedCost", "EffectiveCost", "InvoiceIssuerName", "ListCost", "ProviderName", "PublisherName",
            "ServiceCategory", "ServiceName", "ServiceSubcategory", "ChargeDescription", "InvoiceId", "BillingAccountName"];
        Assert.NotEmpty(Set(name).Rows);
        Assert.All(Set(name).Rows, r => Assert.All(notNull, c => Assert.False(Null(r, c), c)));
    }

    /// <summary>
    /// The conditional nullability rules: Usage rows carry a pricing quantity, unit, category, list unit price, SKU and SKU price
    /// (…-C-005-C); ConsumedQuantity is null off Usage (ConsumedQuantity-C-004-C); unit null exactly when its quantity is
    /// (PricingUnit-C-005/006, ConsumedUnit-C-005/006); reservation status with its id (CapacityReservationStatus-C-003/004);
    /// SKU meter and price details with their SKU (SkuMeter-C-004, SkuPriceDetails-C-004); resource name and type with the id
    /// (ResourceName-C-004, ResourceType-C-004/005); no Tax rows, so none of the "null when Tax" rules has a row to apply to.
    /// </summary>
    [Theory, InlineData("demo"), InlineData("rich")]
    public void Nullability_conditional_on_the_charge_and_on_other_columns(string name)
    {
        foreach (var r in Set(name).Rows)
        {
            if (UsageOrPurchase(r))
            {
                Assert.All(new[] { "PricingQuantity", "PricingUnit", "PricingCategory", "ListUnitPrice", "SkuId", "SkuPriceId" }, c => Assert.False(Null(r, c), c));
            }
            if (r["ChargeCategory"] != "Usage")
            {
                Assert.True(Null(r, "ConsumedQuantity"));
            }
            Assert.Equal(Null(r, "PricingQuantity"), Null(r, "PricingUnit"));
            Assert.Equal(Null(r, "ConsumedQuantity"), Null(r, "ConsumedUnit"));
            if (Null(r, "CapacityReservationId"))
            {
                Assert.True(Null(r, "CapacityReservationStatus"));
            }
            else if (r["ChargeCategory"] == "Usage")
            {
                Assert.False(Null(r, "CapacityReservationStatus"));
            }
            if (Null(r, "SkuId"))
            {
                Assert.True(Null(r, "SkuMeter"));
            }
            else
            {
                Assert.False(Null(r, "SkuMeter"));   // SkuMeter-C-005-C (SHOULD NOT be null)
            }
            if (Null(r, "SkuPriceId"))
            {
                Assert.True(Null(r, "SkuPriceDetails"));
            }
            Assert.Equal(Null(r, "ResourceId"), Null(r, "ResourceType"));
            if (Null(r, "ResourceId"))
            {
                Assert.True(Null(r, "ResourceName"));
            }
            Assert.NotEqual("Tax", r["ChargeCategory"]);
        }
    }

    private static readonly Regex Numeric = new(@"^[+-]?([0-9]*[.])?[0-9]+([eE][+-]?[0-9]+)?$", RegexOptions.CultureInvariant);
    private static readonly Regex DateTimeUtc = new(@"^[0-9]{4}-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z$", RegexOptions.CultureInvariant);
    private static readonly Regex Ascii = new(@"^[\x00-\x7F]*$", RegexOptions.CultureInvariant);
    private const string Count = @"[A-Za-z][A-Za-z0-9]*(?:\s+[A-Za-z][A-Za-z0-9]*)*";
    private const string Sizes = "b|Kb|Mb|Gb|Tb|Pb|Eb|B|KB|MB|GB|TB|PB|EB|Kib|Mib|Gib|Tib|Pib|Eib|KiB|MiB|GiB|TiB|PiB|EiB";
    private const string TimesPlural = "Years|Months|Days|Hours|Minutes|Seconds";
    private static readonly Regex[] Units =
    [
        new($"^({Sizes}|Year|Month|Day|Hour|Minute|Second|{TimesPlural}|{Count})$"),
        new($"^({Sizes}|{Count})-({TimesPlural})$"),
        new($"^({Sizes}|{Count}|{TimesPlural})/(Year|Month|Day|Hour|Minute|Second)$"),
    ];

    /// <summary>
    /// Type and format rules (…-C-001/002-M): decimals in NumericFormat, date/times ISO 8601 in UTC, strings as StringHandling is
    /// checked (the validator reads it as ASCII only), units in UnitFormat (PricingUnit-C-003-O, ConsumedUnit-C-003-O), the
    /// currency a national ISO 4217 code (BillingCurrency-C-006-M).
    /// </summary>
    [Theory, InlineData("demo"), InlineData("rich")]
    public void Types_and_formats_numbers_dates_strings_units_and_currency(string name)
    {
        string[] decimals = ["BilledCost", "ContractedCost", "EffectiveCost", "ListCost", "ListUnitPrice", "PricingQuantity", "ConsumedQuantity"];
        string[] dates = ["BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd"];
        string[] strings = ["BillingAccountId", "BillingAccountName", "BillingCurrency", "CapacityReservationId", "ChargeDescription", "ConsumedUnit", "InvoiceId",
            "InvoiceIssuerName", "PricingUnit", "ProviderName", "PublisherName", "RegionId", "RegionName", "ResourceId", "ResourceName", "ResourceType", "ServiceName",
            "SkuId", "SkuMeter", "SkuPriceId"];
        foreach (var r in Set(name).Rows)
        {
            Assert.All(decimals.Where(c => !Null(r, c)), c => Assert.Matches(Numeric, r[c]));
            Assert.All(dates, c => Assert.Matches(DateTimeUtc, r[c]));
            Assert.All(strings.Where(c => !Null(r, c)), c => Assert.True(Ascii.IsMatch(r[c]), $"{c}: {r[c]}"));
            Assert.All(new[] { "PricingUnit", "ConsumedUnit" }.Where(c => !Null(r, c)), c => Assert.Contains(Units, u => u.IsMatch(r[c])));
            Assert.Equal("CNY", r["BillingCurrency"]);
            Assert.Matches(@"^-?\d+\.\d{2}$", r["BilledCost"]);
        }
    }

    private static readonly string[] ServiceSubcategories = ["Other (AI and Machine Learning)", "Other (Compute)", "Network Connectivity"];

    /// <summary>
    /// Allowed values: ChargeCategory-C-003-M, ChargeClass-C-005-C, ChargeFrequency-C-003-M, PricingCategory-C-007-M,
    /// CapacityReservationStatus-C-006-M, ServiceCategory-C-003-M, ServiceSubcategory-C-003/004-M (one parent category each).
    /// </summary>
    [Theory, InlineData("demo"), InlineData("rich")]
    public void Allowed_values_of_the_enumerated_columns(string name)
    {
        foreach (var r in Set(name).Rows)
        {
            Assert.Contains(r["ChargeCategory"], new[] { "Usage", "Purchase", "Tax", "Credit", "Adjustment" });
            Assert.True(Null(r, "ChargeClass") || r["ChargeClass"] == "Correction");
            Assert.Contains(r["ChargeFrequency"], new[] { "One-Time", "Recurring", "Usage-Based" });
            Assert.True(Null(r, "PricingCategory") || r["PricingCategory"] is "Standard" or "Committed" or "Dynamic" or "Other");
            Assert.True(Null(r, "CapacityReservationStatus") || r["CapacityReservationStatus"] is "Used" or "Unused");
            Assert.Contains((r["ServiceCategory"], r["ServiceSubcategory"]), new[]
            {
                ("AI and Machine Learning", "Other (AI and Machine Learning)"), ("Compute", "Other (Compute)"), ("Networking", "Network Connectivity"),
            });
            Assert.Contains(r["ServiceSubcategory"], ServiceSubcategories);
            Assert.NotEqual("Committed", r["PricingCategory"]);   // ComputeNet has no commitment discounts
        }
    }

    /// <summary>
    /// Cost rules: ListUnitPrice × PricingQuantity = ListCost exactly (ListUnitPrice-C-010-C, ListCost-C-009-C), ListUnitPrice ≥ 0
    /// (-C-008-M), BilledCost 0 when ProviderName ≠ InvoiceIssuerName (BilledCost-C-005-C: never, the marketplace is both),
    /// EffectiveCost 0 on a prepaid Purchase (-C-005-C: no Purchase rows), ChargeFrequency not Usage-Based on a Purchase
    /// (-C-004-C), and a Credit's ListCost, ContractedCost and EffectiveCost equal to its BilledCost (…-C-008/010-C).
    /// </summary>
    [Theory, InlineData("demo"), InlineData("rich")]
    public void Cost_columns_agree_with_unit_prices_quantities_and_the_charge_category(string name)
    {
        foreach (var r in Set(name).Rows)
        {
            if (!Null(r, "ListUnitPrice") && !Null(r, "PricingQuantity"))
            {
                Assert.Equal(Dec(r["ListCost"]), Dec(r["ListUnitPrice"]) * Dec(r["PricingQuantity"]));
                Assert.True(Dec(r["ListUnitPrice"]) >= 0);
            }
            Assert.Equal("ComputeNet", r["ProviderName"]);
            Assert.Equal(r["ProviderName"], r["InvoiceIssuerName"]);
            Assert.NotEqual("Purchase", r["ChargeCategory"]);
            Assert.Equal(r["BilledCost"], r["EffectiveCost"]);
            Assert.Equal(r["BilledCost"], r["ContractedCost"]);
            if (r["ChargeCategory"] == "Credit")
            {
                Assert.Equal(Dec(r["BilledCost"]), Dec(r["ListCost"]));
            }
        }
    }

    /// <summary>SkuPriceId-C-008-M: every SkuPriceId has one and only one parent SkuId.</summary>
    [Theory, InlineData("demo"), InlineData("rich")]
    public void Each_sku_price_has_one_sku(string name) =>
        Assert.All(Set(name).Rows.Where(r => !Null(r, "SkuPriceId")).GroupBy(r => r["SkuPriceId"]),
            g => Assert.Single(g.Select(r => r["SkuId"]).Distinct()));

    /// <summary>
    /// BilledCost-C-007-M (the validator skips it as dynamic; ComputeNet pins it): per InvoiceId, Σ BilledCost is the invoice's
    /// payable amount (its dueFen), and Σ BilledCost + Σ x_VoucherFen is its amount; each period's rows bill inside it.
    /// </summary>
    [Theory, InlineData("demo"), InlineData("rich")]
    public void Billed_cost_per_invoice_id_is_the_invoices_payable_amount(string name)
    {
        var set = Set(name);
        static long Fen(string yuan) => (long)(Dec(yuan) * 100);
        foreach (var invoice in set.Result.Invoices)
        {
            var mine = set.Rows.Where(r => r["InvoiceId"] == $"{invoice.Period}.{invoice.Buyer}").ToList();
            Assert.NotEmpty(mine);
            Assert.Equal(invoice.DueFen, mine.Sum(r => Fen(r["BilledCost"])));
            Assert.Equal(invoice.AmountFen, mine.Sum(r => Fen(r["BilledCost"]) + long.Parse(r["x_VoucherFen"], CultureInfo.InvariantCulture)));
            Assert.Equal(invoice.VoucherFen, mine.Sum(r => long.Parse(r["x_VoucherFen"], CultureInfo.InvariantCulture)));
            Assert.All(mine, r => Assert.Equal((invoice.Buyer, invoice.Hash), (r["BillingAccountId"], r["x_StatementHash"])));
        }
        Assert.Equal(set.Rows.Count, set.Result.Invoices.Sum(i => set.Rows.Count(r => r["InvoiceId"] == $"{i.Period}.{i.Buyer}")));
        // ChargePeriod lies in the billing period, except a late row's, which is its usage's own earlier period.
        Assert.All(set.Rows, r => Assert.True(string.CompareOrdinal(r["ChargePeriodStart"], r["ChargePeriodEnd"]) < 0));
        Assert.All(set.Rows.Where(r => !r["ChargeDescription"].Contains("late", StringComparison.Ordinal)),
            r => Assert.Equal((r["BillingPeriodStart"], r["BillingPeriodEnd"]), (r["ChargePeriodStart"], r["ChargePeriodEnd"])));
    }

    /// <summary>The rich scenario holds every row kind the rules above must meet: voucher credit, SLA credit, unused reservation, late usage, transport.</summary>
    [Fact]
    public void The_rich_scenario_has_every_kind_of_row()
    {
        var rows = Set("rich").Rows;
        Assert.Contains(rows, r => r["ChargeCategory"] == "Credit" && r["x_VoucherFen"] != "0");
        Assert.Contains(rows, r => r["ChargeCategory"] == "Credit" && r["ChargeDescription"].StartsWith("SLA credit", StringComparison.Ordinal));
        Assert.Contains(rows, r => r["CapacityReservationStatus"] == "Unused");
        Assert.Contains(rows, r => r["CapacityReservationStatus"] == "Used");
        Assert.Contains(rows, r => r["ServiceCategory"] == "Networking");
        var late = Assert.Single(rows, r => r["ChargeDescription"].StartsWith("late on-demand compute", StringComparison.Ordinal));
        // Received (billed) on 12-02, its usage belongs to 12-01: the charge period is 12-01's.
        Assert.Equal(("2026-12-01T16:00:00Z", "2026-12-02T16:00:00Z"), (late["BillingPeriodStart"], late["BillingPeriodEnd"]));
        Assert.Equal(("2026-11-30T16:00:00Z", "2026-12-01T16:00:00Z"), (late["ChargePeriodStart"], late["ChargePeriodEnd"]));
        Assert.Equal("12", late["ConsumedQuantity"]);
    }
}
