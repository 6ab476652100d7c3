using System.Globalization;
using System.Text;
using ComputeNet.Domain.Market;
using ComputeNet.Domain.Money;
using ComputeNet.Domain.Reference;
using NodaTime;
using NodaTime.Text;

namespace ComputeNet.Domain.Settlement;

/// <summary>
/// What the usage behind one invoice line delivered: the records of the lease that the line's period received, own
/// (<c>late = false</c>) or late. Device-seconds and GB as recorded; energy in kWh.
/// </summary>
public sealed record FocusUsage(long DeviceSeconds, decimal EnergyKwh, decimal GreenKwh, decimal TransferGb)
{
    public static readonly FocusUsage None = new(0, 0, 0, 0);

    public FocusUsage Add(long deviceSeconds, decimal energyKwh, decimal greenKwh, decimal transferGb) =>
        new(DeviceSeconds + deviceSeconds, EnergyKwh + energyKwh, GreenKwh + greenKwh, TransferGb + transferGb);
}

/// <summary>One closed period as the export sees it: its bounds and the invoices it issued (all buyers', or one buyer's).</summary>
public sealed record FocusPeriod(PeriodClosed Closed, IReadOnlyList<InvoiceIssued> Invoices);

/// <summary>Everything the FOCUS mapping reads besides the invoices: lease terms, delivered usage per (lease, late), names.</summary>
public sealed record FocusContext(
    IReadOnlyDictionary<string, LeaseTerms> Leases,
    IReadOnlyDictionary<(string Period, string Lease, bool Late), FocusUsage> Usage,
    Func<string, string> PartyName,
    Func<string, string?> ClusterName);

/// <summary>
/// One row of the export: one invoice line. Money in fen (signed); the CSV shows it as decimal yuan. Nullable cells are
/// FOCUS nulls (empty in CSV).
/// </summary>
public sealed record FocusRow(
    long BilledCostFen,
    string BillingAccountId,
    string BillingAccountName,
    Instant BillingPeriodStart,
    Instant BillingPeriodEnd,
    string ChargeCategory,
    string ChargeDescription,
    string ChargeFrequency,
    Instant ChargePeriodStart,
    Instant ChargePeriodEnd,
    decimal? ConsumedQuantity,
    string? ConsumedUnit,
    long ContractedCostFen,
    long EffectiveCostFen,
    long ListCostFen,
    string PricingCategory,
    decimal? PricingQuantity,
    string? PricingUnit,
    string ProviderName,
    string PublisherName,
    string RegionId,
    string RegionName,
    string ResourceId,
    string ServiceCategory,
    string ServiceName,
    string? LatencyTier,
    decimal? GreenShare,
    long VoucherFen,
    string? Programme,
    string? StatementHash);

/// <summary>
/// Invoice lines as a FinOps FOCUS 1.2 cost-and-usage dataset, so buyers can load ComputeNet costs into FinOps tools.
/// A pure mapping: one row per invoice line, in close order, then invoice (buyer) order, then line order.
/// </summary>
/// <remarks>
/// Column choice (docs/focus.md lists the sources): every column FOCUS 1.2 marks Mandatory; the Conditional columns
/// whose condition holds here (ComputeNet bills per resource (lease), in regions (clusters), by usage, under more than
/// one pricing category); ChargeFrequency (Recommended) because the brief maps it; and the <c>x_</c> extensions.
/// Money: BilledCost = ListCost = ContractedCost = the line amount (prices are list prices, VAT included);
/// EffectiveCost = the buyer's part after the voucher, because a voucher is a third-party payment (market-rules §9).
/// Invariant per row: <c>EffectiveCost × 100 + x_VoucherFen = BilledCost × 100</c>.
/// </remarks>
public static class FocusExport
{
    /// <summary>The columns FOCUS 1.2 marks Mandatory (Feature level: Mandatory), in the specification's order.</summary>
    public static readonly IReadOnlyList<string> MandatoryColumns =
    [
        "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
        "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargePeriodEnd", "ChargePeriodStart", "ContractedCost",
        "EffectiveCost", "InvoiceIssuerName", "ListCost", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName",
        "ServiceCategory", "ServiceName",
    ];

    /// <summary>FOCUS 1.2 Conditional or Recommended columns that apply to ComputeNet, so they are present too.</summary>
    public static readonly IReadOnlyList<string> ApplicableColumns =
    [
        "ChargeFrequency", "ConsumedQuantity", "ConsumedUnit", "PricingCategory", "RegionId", "RegionName", "ResourceId",
    ];

    /// <summary>ComputeNet's own columns (FOCUS reserves the <c>x_</c> prefix for provider extensions).</summary>
    public static readonly IReadOnlyList<string> ExtensionColumns = ["x_LatencyTier", "x_GreenShare", "x_VoucherFen", "x_Programme", "x_StatementHash"];

    /// <summary>The header: FOCUS columns in alphabetical order (as the specification lists them), then the extensions.</summary>
    public static readonly IReadOnlyList<string> Header =
        [.. MandatoryColumns.Concat(ApplicableColumns).OrderBy(c => c, StringComparer.Ordinal), .. ExtensionColumns];

    public const string BillingCurrency = "CNY";
    public const string InvoiceIssuer = "ComputeNet";
    public const string ComputeUnit = "SCU-Hour";
    public const string TransportUnit = "GB";
    public const string DeviceHours = "Device-Hours";

    /// <summary>Places kept for quantities (SCU-hours, device-hours, GB) and the green share; money is always exact.</summary>
    public const int QuantityPlaces = 6;

    public static IReadOnlyList<FocusRow> Rows(IEnumerable<FocusPeriod> periods, FocusContext context)
    {
        var rows = new List<FocusRow>();
        foreach (var period in periods)
        {
            foreach (var invoice in period.Invoices)
            {
                foreach (var line in invoice.Lines)
                {
                    rows.Add(Row(period.Closed, invoice, line, context));
                }
            }
        }
        return rows;
    }

    public static FocusRow Row(PeriodClosed closed, InvoiceIssued invoice, InvoiceLine line, FocusContext context)
    {
        var terms = context.Leases.TryGetValue(line.LeaseId, out var t)
            ? t
            : throw new InvalidOperationException($"invoice line {line.LineNo} of {invoice.Buyer} names lease {line.LeaseId}, which is unknown");
        var credit = line.Kind == LineKinds.SlaCredit;
        var transport = line.Kind == LineKinds.Transport;
        // Transport is metered elastic bandwidth whatever the lease's commitment: only compute and its SLA credit are committed.
        var reserved = terms.Commitment == MarketSlugs.Of(Commitment.Reserved) && !transport;
        // The SLA credit and the reserved compute line rest on the period's own records; the others on the records of their line.
        var usage = context.Usage.GetValueOrDefault((closed.Period, line.LeaseId, line.Late)) ?? FocusUsage.None;

        decimal? consumed = credit ? null
            : transport ? usage.TransferGb
            : Math.Round(usage.DeviceSeconds / 3600m, QuantityPlaces, MidpointRounding.AwayFromZero);
        var tier = Latency.ActualTier(terms.LatencyMs) is { } lt ? Slugs.Of(lt) : null;
        var service = transport ? ("Networking", "ComputeNet elastic bandwidth")
            : terms.Family == "intelligent" ? ("AI and Machine Learning", "ComputeNet intelligent compute")
            : ("Compute", $"ComputeNet {terms.Family} compute");
        var description = credit
            ? $"SLA credit: reserved lease {line.LeaseId} delivered below 99.0 %"
            : transport
                ? $"{(line.Late ? "late " : "")}transport, {usage.TransferGb.ToString(CultureInfo.InvariantCulture)} GB {terms.BuyerCity}–{terms.Cluster} ({tier}) at {line.UnitPriceYuan.ToString(CultureInfo.InvariantCulture)} yuan/GB"
                : $"{(line.Late ? "late " : "")}{terms.Commitment} compute, {terms.Devices} × {terms.ResourceClass} in {terms.Cluster} at {line.UnitPriceYuan.ToString(CultureInfo.InvariantCulture)} yuan/SCU-hour";
        var earner = context.PartyName(line.Earner);

        return new FocusRow(
            BilledCostFen: line.AmountFen,
            BillingAccountId: invoice.Buyer,
            BillingAccountName: context.PartyName(invoice.Buyer),
            BillingPeriodStart: closed.Start,
            BillingPeriodEnd: closed.End,
            ChargeCategory: credit ? "Credit" : "Usage",
            ChargeDescription: description,
            ChargeFrequency: reserved ? "Recurring" : "Usage-Based",
            ChargePeriodStart: closed.Start,
            ChargePeriodEnd: closed.End,
            ConsumedQuantity: consumed,
            ConsumedUnit: credit ? null : transport ? TransportUnit : DeviceHours,
            ContractedCostFen: line.AmountFen,
            EffectiveCostFen: line.AmountFen - line.VoucherFen,
            ListCostFen: line.AmountFen,
            PricingCategory: reserved ? "Committed" : "Standard",
            PricingQuantity: credit ? null : line.Quantity,
            PricingUnit: credit ? null : transport ? TransportUnit : ComputeUnit,
            ProviderName: earner,
            PublisherName: earner,
            RegionId: terms.Cluster,
            RegionName: context.ClusterName(terms.Cluster) ?? terms.Cluster,
            ResourceId: line.LeaseId,
            ServiceCategory: service.Item1,
            ServiceName: service.Item2,
            LatencyTier: tier,
            GreenShare: credit || transport || usage.EnergyKwh == 0 ? null
                : Math.Round(usage.GreenKwh / usage.EnergyKwh, 4, MidpointRounding.AwayFromZero),
            VoucherFen: line.VoucherFen,
            Programme: line.Voucher,
            StatementHash: invoice.Hash);
    }

    /// <summary>The cells of a row in <see cref="Header"/> order, as CSV text (before quoting).</summary>
    public static IReadOnlyList<string> Cells(FocusRow r)
    {
        var byColumn = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["BilledCost"] = Yuan(r.BilledCostFen),
            ["BillingAccountId"] = r.BillingAccountId,
            ["BillingAccountName"] = r.BillingAccountName,
            ["BillingCurrency"] = BillingCurrency,
            ["BillingPeriodEnd"] = Time(r.BillingPeriodEnd),
            ["BillingPeriodStart"] = Time(r.BillingPeriodStart),
            ["ChargeCategory"] = r.ChargeCategory,
            ["ChargeClass"] = "",
            ["ChargeDescription"] = r.ChargeDescription,
            ["ChargeFrequency"] = r.ChargeFrequency,
            ["ChargePeriodEnd"] = Time(r.ChargePeriodEnd),
            ["ChargePeriodStart"] = Time(r.ChargePeriodStart),
            ["ConsumedQuantity"] = Number(r.ConsumedQuantity),
            ["ConsumedUnit"] = r.ConsumedUnit ?? "",
            ["ContractedCost"] = Yuan(r.ContractedCostFen),
            ["EffectiveCost"] = Yuan(r.EffectiveCostFen),
            ["InvoiceIssuerName"] = InvoiceIssuer,
            ["ListCost"] = Yuan(r.ListCostFen),
            ["PricingCategory"] = r.PricingCategory,
            ["PricingQuantity"] = Number(r.PricingQuantity),
            ["PricingUnit"] = r.PricingUnit ?? "",
            ["ProviderName"] = r.ProviderName,
            ["PublisherName"] = r.PublisherName,
            ["RegionId"] = r.RegionId,
            ["RegionName"] = r.RegionName,
            ["ResourceId"] = r.ResourceId,
            ["ServiceCategory"] = r.ServiceCategory,
            ["ServiceName"] = r.ServiceName,
            ["x_LatencyTier"] = r.LatencyTier ?? "",
            ["x_GreenShare"] = Number(r.GreenShare),
            ["x_VoucherFen"] = r.VoucherFen.ToString(CultureInfo.InvariantCulture),
            ["x_Programme"] = r.Programme ?? "",
            ["x_StatementHash"] = r.StatementHash ?? "",
        };
        return Header.Select(c => byColumn[c]).ToList();
    }

    /// <summary>The dataset as RFC 4180 CSV: CRLF line ends, a header line, fields quoted when they hold a comma, quote or line break.</summary>
    public static string Csv(IEnumerable<FocusRow> rows)
    {
        var csv = new StringBuilder();
        AppendLine(csv, Header);
        foreach (var row in rows)
        {
            AppendLine(csv, Cells(row));
        }
        return csv.ToString();
    }

    /// <summary>Fen as decimal yuan, exact: <c>fen / 100</c> with two places (e.g. -1751.72).</summary>
    public static string Yuan(long fen) => new Fen(fen).ToYuanString();

    /// <summary>ISO 8601 in UTC, as FOCUS requires for date/time columns (e.g. 2026-11-30T16:00:00Z).</summary>
    public static string Time(Instant t) => InstantPattern.General.Format(t);

    private static string Number(decimal? d) => d is { } v ? v.ToString(CultureInfo.InvariantCulture) : "";

    private static void AppendLine(StringBuilder csv, IEnumerable<string> cells)
    {
        var first = true;
        foreach (var cell in cells)
        {
            if (!first)
            {
                csv.Append(',');
            }
            first = false;
            if (cell.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                csv.Append('"').Append(cell.Replace("\"", "\"\"")).Append('"');
            }
            else
            {
                csv.Append(cell);
            }
        }
        csv.Append("\r\n");
    }
}
