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
/// (<c>late = false</c>) or late. Device-seconds and GB as recorded; energy in kWh. <see cref="FirstFrom"/> and
/// <see cref="LastFrom"/> are the earliest and latest record starts: a late line's charge period runs from the period of
/// the first to the end of the period of the last (a record belongs wholly to the period its interval starts in).
/// </summary>
public sealed record FocusUsage(long DeviceSeconds, decimal EnergyKwh, decimal GreenKwh, decimal TransferGb, Instant? FirstFrom = null, Instant? LastFrom = null)
{
    public static readonly FocusUsage None = new(0, 0, 0, 0);

    public FocusUsage Add(long deviceSeconds, decimal energyKwh, decimal greenKwh, decimal transferGb, Instant? from = null) =>
        new(DeviceSeconds + deviceSeconds, EnergyKwh + energyKwh, GreenKwh + greenKwh, TransferGb + transferGb,
            from is not { } f ? FirstFrom : FirstFrom is { } a && a <= f ? a : f,
            from is not { } g ? LastFrom : LastFrom is { } b && b >= g ? b : g);
}

/// <summary>One closed period as the export sees it: its bounds and the invoices it issued (all buyers', or one buyer's).</summary>
public sealed record FocusPeriod(PeriodClosed Closed, IReadOnlyList<InvoiceIssued> Invoices);

/// <summary>
/// Everything the FOCUS mapping reads besides the invoices: lease terms, delivered usage per (lease, late), names, and the
/// platform's period calendar (for a late line's own charge period; without it a late line carries the receiving period).
/// </summary>
public sealed record FocusContext(
    IReadOnlyDictionary<string, LeaseTerms> Leases,
    IReadOnlyDictionary<(string Period, string Lease, bool Late), FocusUsage> Usage,
    Func<string, string> PartyName,
    Func<string, string?> ClusterName,
    PeriodCalendar? Calendar = null);

/// <summary>
/// One row of the export. Money in fen (signed); the CSV shows it as decimal yuan. Nullable cells are FOCUS nulls (empty in
/// CSV). <see cref="ListCost"/> is a decimal, not fen: it is <c>ListUnitPrice × PricingQuantity</c> exactly, as FOCUS
/// requires, so it may hold more than two places where the billed amount was rounded to the fen once.
/// </summary>
public sealed record FocusRow
{
    public required long BilledCostFen { get; init; }
    public required string BillingAccountId { get; init; }
    public required string BillingAccountName { get; init; }
    public required Instant BillingPeriodStart { get; init; }
    public required Instant BillingPeriodEnd { get; init; }
    public string? CapacityReservationId { get; init; }
    public string? CapacityReservationStatus { get; init; }
    public required string ChargeCategory { get; init; }
    /// <summary>
    /// <c>Correction</c> on a row that corrects a charge invoiced in an earlier billing period (a credit note's rows: the
    /// corrected line's invoice was issued when its period closed, before any dispute of it); null on every other row. FOCUS 1.2:
    /// null for a correction within the current billing period, which ComputeNet never makes (a close's lines are final).
    /// </summary>
    public string? ChargeClass { get; init; }
    public required string ChargeDescription { get; init; }
    public required string ChargeFrequency { get; init; }
    public required Instant ChargePeriodStart { get; init; }
    public required Instant ChargePeriodEnd { get; init; }
    public decimal? ConsumedQuantity { get; init; }
    public string? ConsumedUnit { get; init; }
    public required long ContractedCostFen { get; init; }
    public required long EffectiveCostFen { get; init; }
    public required string InvoiceId { get; init; }
    public required decimal ListCost { get; init; }
    public decimal? ListUnitPrice { get; init; }
    public string? PricingCategory { get; init; }
    public decimal? PricingQuantity { get; init; }
    public string? PricingUnit { get; init; }
    public required string ProviderName { get; init; }
    public required string PublisherName { get; init; }
    public required string RegionId { get; init; }
    public required string RegionName { get; init; }
    public required string ResourceId { get; init; }
    public required string ResourceName { get; init; }
    public required string ResourceType { get; init; }
    public required string ServiceCategory { get; init; }
    public required string ServiceName { get; init; }
    public required string ServiceSubcategory { get; init; }
    public string? SkuId { get; init; }
    public string? SkuMeter { get; init; }
    public string? SkuPriceId { get; init; }
    public string? LatencyTier { get; init; }
    public decimal? GreenShare { get; init; }
    public long VoucherFen { get; init; }
    public string? Programme { get; init; }
    public string? StatementHash { get; init; }
    public required int LineNo { get; init; }
}

/// <summary>
/// Invoice lines as a FinOps FOCUS 1.2 cost-and-usage dataset, so buyers can load ComputeNet costs into FinOps tools.
/// A pure mapping, in close order, then invoice (buyer) order, then line order: each line gives its charge row (a
/// reserved compute line two when the lease delivered less than it reserved: the used and the unused part of the
/// capacity reservation), then, when a voucher paid part of it, a Credit row of minus the voucher part.
/// </summary>
/// <remarks>
/// docs/focus.md gives the sources, the rules checked and the reasons. In short: ProviderName and InvoiceIssuerName are the
/// marketplace (ComputeNet), PublisherName the data centre or carrier (FOCUS appendix "Origination of cost data", case 3.2);
/// BilledCost = EffectiveCost = ContractedCost on every row; ListCost = ListUnitPrice × PricingQuantity exactly where there
/// is a unit price, else BilledCost. Per invoice: Σ BilledCost = the invoice's due (payable) amount, and
/// Σ BilledCost + Σ x_VoucherFen ÷ 100 = the invoice amount.
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

    /// <summary>
    /// FOCUS 1.2 Conditional, Recommended or Optional columns that apply to ComputeNet (docs/focus.md says why each), so they are
    /// present too.
    /// </summary>
    public static readonly IReadOnlyList<string> ApplicableColumns =
    [
        "CapacityReservationId", "CapacityReservationStatus", "ChargeFrequency", "ConsumedQuantity", "ConsumedUnit", "InvoiceId", "ListUnitPrice",
        "PricingCategory", "RegionId", "RegionName", "ResourceId", "ResourceName", "ResourceType", "ServiceSubcategory", "SkuId", "SkuMeter",
        "SkuPriceDetails", "SkuPriceId",
    ];

    /// <summary>ComputeNet's own columns (FOCUS reserves the <c>x_</c> prefix for provider extensions).</summary>
    public static readonly IReadOnlyList<string> ExtensionColumns =
        ["x_LatencyTier", "x_GreenShare", "x_VoucherFen", "x_Programme", "x_StatementHash", "x_InvoiceLine"];

    /// <summary>The header: FOCUS columns in alphabetical order (as the specification lists them), then the extensions.</summary>
    public static readonly IReadOnlyList<string> Header =
        [.. MandatoryColumns.Concat(ApplicableColumns).OrderBy(c => c, StringComparer.Ordinal), .. ExtensionColumns];

    public const string BillingCurrency = "CNY";

    /// <summary>The marketplace: FOCUS's Provider (it makes the leases available) and Invoice Issuer (it issues the invoice).</summary>
    public const string Marketplace = "ComputeNet";

    public const string InvoiceIssuer = Marketplace;
    public const string ComputeUnit = "SCU-Hours";
    public const string TransportUnit = "GB";
    public const string DeviceHours = "Device-Hours";
    public const string LeaseResourceType = "Compute lease";

    /// <summary>Places kept for quantities (SCU-hours, device-hours, GB) and the green share; money is always exact.</summary>
    public const int QuantityPlaces = 6;

    /// <summary>The invoice's id, as its documents name it (<c>{period}.{buyer}</c>, e.g. <c>2026-12-01.sme-sh-ai</c>).</summary>
    public static string InvoiceIdOf(string period, string buyer) => $"{period}.{buyer}";

    public static IReadOnlyList<FocusRow> Rows(IEnumerable<FocusPeriod> periods, FocusContext context)
    {
        var rows = new List<FocusRow>();
        foreach (var period in periods)
        {
            foreach (var invoice in period.Invoices)
            {
                foreach (var line in invoice.Lines)
                {
                    rows.AddRange(LineRows(period.Closed, invoice, line, context));
                }
            }
        }
        return rows;
    }

    /// <summary>
    /// The rows of one invoice line: its charge (split into the used and unused part of a reservation when the lease
    /// delivered less than it reserved in the period), then the voucher's Credit row when a voucher paid part of it.
    /// Their BilledCost adds up to the line's due amount.
    /// </summary>
    public static IReadOnlyList<FocusRow> LineRows(PeriodClosed closed, InvoiceIssued invoice, InvoiceLine line, FocusContext context)
    {
        var row = Row(closed, invoice, line, context);
        var rows = new List<FocusRow>(3);
        if (row.CapacityReservationStatus == "Used" && row.PricingQuantity is { } reservedQty && row.ConsumedQuantity is { } usedDeviceHours)
        {
            var terms = context.Leases[line.LeaseId];
            var (from, to) = (Instant.Max(terms.From, closed.Start), Instant.Min(terms.To, closed.End));
            var reservedDeviceSeconds = to > from ? (long)terms.Devices * (long)(to - from).TotalSeconds : 0;
            var usedSeconds = Math.Min(reservedDeviceSeconds, context.Usage.GetValueOrDefault((closed.Period, line.LeaseId, false))?.DeviceSeconds ?? 0);
            if (reservedDeviceSeconds > 0 && usedSeconds < reservedDeviceSeconds)
            {
                // The used part is rated like any compute (Rating.ComputeAmount of the delivered device-seconds); the unused part is the rest.
                var usedFen = Rating.ComputeAmount(usedSeconds, terms.ScuPerDevice, terms.Price).Value;
                var usedQty = Rating.ScuHours(usedSeconds, terms.ScuPerDevice);
                var unusedQty = reservedQty - usedQty;
                if (usedSeconds > 0)
                {
                    rows.Add(row with
                    {
                        BilledCostFen = usedFen, ContractedCostFen = usedFen, EffectiveCostFen = usedFen, ListCost = usedQty * line.UnitPriceYuan,
                        PricingQuantity = usedQty, ConsumedQuantity = usedDeviceHours,
                        ChargeDescription = row.ChargeDescription + ", used part",
                    });
                }
                var unusedFen = line.AmountFen - (usedSeconds > 0 ? usedFen : 0);
                rows.Add(row with
                {
                    BilledCostFen = unusedFen, ContractedCostFen = unusedFen, EffectiveCostFen = unusedFen, ListCost = unusedQty * line.UnitPriceYuan,
                    PricingQuantity = unusedQty, ConsumedQuantity = 0m, CapacityReservationStatus = "Unused", GreenShare = null,
                    ChargeDescription = row.ChargeDescription + ", unused part",
                });
            }
            else
            {
                rows.Add(row);
            }
        }
        else
        {
            rows.Add(row);
        }
        if (line.VoucherFen != 0)
        {
            rows.Add(Credit(row, -line.VoucherFen,
                $"voucher {line.Voucher} paid {Yuan(line.VoucherFen)} yuan of line {line.LineNo} ({row.ChargeDescription})") with
            {
                VoucherFen = line.VoucherFen,
            });
        }
        return rows;
    }

    /// <summary>
    /// A Credit row against the charge <paramref name="of"/> (a voucher's part, or any other credit on the same line): the same
    /// account, invoice, resource, service and periods; the amount (negative for a credit) in every cost column; no quantities,
    /// unit price, SKU, pricing category or reservation status (FOCUS lets them be null on a Credit).
    /// </summary>
    public static FocusRow Credit(FocusRow of, long amountFen, string description) => of with
    {
        ChargeCategory = "Credit",
        ChargeDescription = description,
        BilledCostFen = amountFen,
        ContractedCostFen = amountFen,
        EffectiveCostFen = amountFen,
        ListCost = amountFen / 100m,
        ListUnitPrice = null,
        PricingCategory = null,
        PricingQuantity = null,
        PricingUnit = null,
        ConsumedQuantity = null,
        ConsumedUnit = null,
        CapacityReservationStatus = null,
        SkuId = null,
        SkuMeter = null,
        SkuPriceId = null,
        GreenShare = null,
        VoucherFen = 0,
    };

    /// <summary>The charge row of one invoice line, before any reservation split or voucher row (<see cref="LineRows"/>).</summary>
    public static FocusRow Row(PeriodClosed closed, InvoiceIssued invoice, InvoiceLine line, FocusContext context)
    {
        var terms = context.Leases.TryGetValue(line.LeaseId, out var t)
            ? t
            : throw new InvalidOperationException($"invoice line {line.LineNo} of {invoice.Buyer} names lease {line.LeaseId}, which is unknown");
        var credit = line.Kind == LineKinds.SlaCredit;
        var transport = line.Kind == LineKinds.Transport;
        // Transport is metered elastic bandwidth whatever the lease's commitment: only compute and its SLA credit belong to the reservation.
        var reserved = terms.Commitment == MarketSlugs.Of(Commitment.Reserved) && !transport;
        // The SLA credit and the reserved compute line rest on the period's own records; the others on the records of their line.
        var usage = context.Usage.GetValueOrDefault((closed.Period, line.LeaseId, line.Late)) ?? FocusUsage.None;

        decimal? consumed = credit ? null
            : transport ? usage.TransferGb
            : Math.Round(usage.DeviceSeconds / 3600m, QuantityPlaces, MidpointRounding.AwayFromZero);
        var tier = Latency.ActualTier(terms.LatencyMs) is { } lt ? Slugs.Of(lt) : null;
        var clusterName = context.ClusterName(terms.Cluster) ?? terms.Cluster;
        var service = transport ? ("Networking", "ComputeNet elastic bandwidth", "Network Connectivity")
            : terms.Family == "intelligent" ? ("AI and Machine Learning", "ComputeNet intelligent compute", "Other (AI and Machine Learning)")
            : ("Compute", $"ComputeNet {terms.Family} compute", "Other (Compute)");
        var description = credit
            ? $"SLA credit: reserved lease {line.LeaseId} delivered below 99.0 %"
            : transport
                ? $"{(line.Late ? "late " : "")}transport, {usage.TransferGb.ToString(CultureInfo.InvariantCulture)} GB {terms.BuyerCity}-{terms.Cluster} ({tier}) at {line.UnitPriceYuan.ToString(CultureInfo.InvariantCulture)} yuan/GB"
                : $"{(line.Late ? "late " : "")}{terms.Commitment} compute, {terms.Devices} x {terms.ResourceClass} in {terms.Cluster} at {line.UnitPriceYuan.ToString(CultureInfo.InvariantCulture)} yuan/SCU-hour";
        var (chargeStart, chargeEnd) = (closed.Start, closed.End);
        if (line.Late && context.Calendar is { } calendar && usage.FirstFrom is { } first && usage.LastFrom is { } last)
        {
            // A late line bills usage of earlier periods: its charge period is theirs, not the receiving period's.
            (chargeStart, chargeEnd) = (calendar.PeriodOf(first).Start, calendar.PeriodOf(last).End);
        }
        decimal? unitPrice = credit ? null : line.UnitPriceYuan;
        decimal? quantity = credit ? null : line.Quantity;

        return new FocusRow
        {
            BilledCostFen = line.AmountFen,
            BillingAccountId = invoice.Buyer,
            BillingAccountName = context.PartyName(invoice.Buyer),
            BillingPeriodStart = closed.Start,
            BillingPeriodEnd = closed.End,
            CapacityReservationId = reserved ? line.LeaseId : null,
            CapacityReservationStatus = reserved && !credit ? "Used" : null,
            ChargeCategory = credit ? "Credit" : "Usage",
            ChargeDescription = description,
            ChargeFrequency = reserved ? "Recurring" : "Usage-Based",
            ChargePeriodStart = chargeStart,
            ChargePeriodEnd = chargeEnd,
            ConsumedQuantity = consumed,
            ConsumedUnit = credit ? null : transport ? TransportUnit : DeviceHours,
            ContractedCostFen = line.AmountFen,
            EffectiveCostFen = line.AmountFen,
            InvoiceId = InvoiceIdOf(invoice.Period, invoice.Buyer),
            ListCost = unitPrice is { } p && quantity is { } q ? p * q : line.AmountFen / 100m,
            ListUnitPrice = unitPrice,
            PricingCategory = credit ? null : "Standard",
            PricingQuantity = quantity,
            PricingUnit = credit ? null : transport ? TransportUnit : ComputeUnit,
            ProviderName = Marketplace,
            PublisherName = context.PartyName(line.Earner),
            RegionId = terms.Cluster,
            RegionName = clusterName,
            ResourceId = line.LeaseId,
            ResourceName = $"{terms.Devices} x {terms.ResourceClass} in {clusterName}",
            ResourceType = LeaseResourceType,
            ServiceCategory = service.Item1,
            ServiceName = service.Item2,
            ServiceSubcategory = service.Item3,
            SkuId = credit ? null : transport ? "elastic-bandwidth" : terms.ResourceClass,
            SkuMeter = credit ? null : transport ? "Data Transfer" : "Compute Usage",
            // Compute: the offer the lease traded against (its published price for that resource class); transport: the tariff of the tier.
            SkuPriceId = credit ? null : transport ? $"elastic-bandwidth/{tier ?? "cross-hub"}" : line.Offer,
            LatencyTier = tier,
            GreenShare = credit || transport || usage.EnergyKwh == 0 ? null
                : Math.Round(usage.GreenKwh / usage.EnergyKwh, 4, MidpointRounding.AwayFromZero),
            VoucherFen = 0,
            Programme = line.Voucher,
            StatementHash = invoice.Hash,
            LineNo = line.LineNo,
        };
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
            ["CapacityReservationId"] = r.CapacityReservationId ?? "",
            ["CapacityReservationStatus"] = r.CapacityReservationStatus ?? "",
            ["ChargeCategory"] = r.ChargeCategory,
            ["ChargeClass"] = r.ChargeClass ?? "",
            ["ChargeDescription"] = r.ChargeDescription,
            ["ChargeFrequency"] = r.ChargeFrequency,
            ["ChargePeriodEnd"] = Time(r.ChargePeriodEnd),
            ["ChargePeriodStart"] = Time(r.ChargePeriodStart),
            ["ConsumedQuantity"] = Number(r.ConsumedQuantity),
            ["ConsumedUnit"] = r.ConsumedUnit ?? "",
            ["ContractedCost"] = Yuan(r.ContractedCostFen),
            ["EffectiveCost"] = Yuan(r.EffectiveCostFen),
            ["InvoiceId"] = r.InvoiceId,
            ["InvoiceIssuerName"] = InvoiceIssuer,
            ["ListCost"] = ExactDecimal(r.ListCost),
            ["ListUnitPrice"] = r.ListUnitPrice is { } lup ? ExactDecimal(lup) : "",
            ["PricingCategory"] = r.PricingCategory ?? "",
            ["PricingQuantity"] = Number(r.PricingQuantity),
            ["PricingUnit"] = r.PricingUnit ?? "",
            ["ProviderName"] = r.ProviderName,
            ["PublisherName"] = r.PublisherName,
            ["RegionId"] = r.RegionId,
            ["RegionName"] = r.RegionName,
            ["ResourceId"] = r.ResourceId,
            ["ResourceName"] = r.ResourceName,
            ["ResourceType"] = r.ResourceType,
            ["ServiceCategory"] = r.ServiceCategory,
            ["ServiceName"] = r.ServiceName,
            ["ServiceSubcategory"] = r.ServiceSubcategory,
            ["SkuId"] = r.SkuId ?? "",
            ["SkuMeter"] = r.SkuMeter ?? "",
            ["SkuPriceDetails"] = "",
            ["SkuPriceId"] = r.SkuPriceId ?? "",
            ["x_LatencyTier"] = r.LatencyTier ?? "",
            ["x_GreenShare"] = Number(r.GreenShare),
            ["x_VoucherFen"] = r.VoucherFen.ToString(CultureInfo.InvariantCulture),
            ["x_Programme"] = r.Programme ?? "",
            ["x_StatementHash"] = r.StatementHash ?? "",
            ["x_InvoiceLine"] = r.LineNo.ToString(CultureInfo.InvariantCulture),
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

    /// <summary>An exact decimal with at least two places and no trailing zeros beyond them (1447.68, 0.7000005, 12.00).</summary>
    public static string ExactDecimal(decimal d) => d.ToString("0.00##########################", CultureInfo.InvariantCulture);

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
