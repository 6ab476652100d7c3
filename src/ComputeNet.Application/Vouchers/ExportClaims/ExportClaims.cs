using System.Globalization;
using System.Text;
using ComputeNet.Application.Vouchers.GetClaims;
using FluentValidation;
using Mediator;
using NodaTime;
using NodaTime.Text;

namespace ComputeNet.Application.Vouchers.ExportClaims;

/// <summary>
/// Issuer: its reimbursement claims of one closed period with their evidence, as CSV (RFC 4180) — one row per metered usage
/// record behind each redemption (a redemption whose line no record rated, a reserved lease's compute line, has one row
/// with the usage columns empty). Regulators and operators: every issuer's (or <see cref="Issuer"/>'s). Reads what
/// <see cref="GetClaimsRequest"/> reads: the period's claims, their redemptions, invoices, leases and usage rows.
/// </summary>
public sealed record ExportClaimsRequest(string? Issuer, string Period) : IQuery<ClaimsCsv>;

/// <param name="Rows">Data rows (the header not counted).</param>
public sealed record ClaimsCsv(string Csv, int Claims, int Redemptions, int Rows);

public sealed class ExportClaimsValidator : AbstractValidator<ExportClaimsRequest>
{
    public ExportClaimsValidator()
    {
        RuleFor(x => x.Issuer).MaximumLength(64);
        RuleFor(x => x.Period).NotEmpty().MaximumLength(10);
    }
}

public sealed class ExportClaimsHandler(Marten.IDocumentStore store, Platform.PlatformService platform, Infrastructure.AsyncReadModels readModels)
    : IQueryHandler<ExportClaimsRequest, ClaimsCsv>
{
    public static readonly string[] Header =
    [
        "period", "issuer", "programme", "voucher", "buyer", "redeemed_fen", "invoice", "line_no", "line_kind", "late", "line_amount_fen",
        "line_voucher_fen", "lease", "provider", "cluster", "hub", "resource_class", "devices", "lease_from", "lease_to", "price_yuan_per_scu_hour",
        "record", "record_from", "record_to", "device_seconds", "scu_hours", "energy_kwh", "green_kwh", "transfer_gb", "carrier",
    ];

    public async ValueTask<ClaimsCsv> Handle(ExportClaimsRequest q, CancellationToken ct)
    {
        // The claims exactly as GET /v1/claims reads them (same handler), then flattened.
        var claims = await new GetClaimsHandler(store, platform, readModels).Handle(new GetClaimsRequest(q.Issuer, q.Period), ct);
        var csv = new StringBuilder();
        Append(csv, Header);
        var rows = 0;
        foreach (var claim in claims)
        {
            foreach (var item in claim.Items)
            {
                string[] head =
                [
                    claim.Period, claim.Issuer, item.Programme, item.Voucher, item.Buyer, Int(item.AmountFen), Documents.DocumentIds.Invoice(claim.Period, item.Buyer),
                    Int(item.Line.LineNo), item.Line.Kind, item.Line.Late ? "true" : "false", Int(item.Line.AmountFen), Int(item.Line.VoucherFen),
                    item.Lease.LeaseId, item.Lease.Provider, item.Lease.Cluster, item.Lease.Hub, item.Lease.ResourceClass, Int(item.Lease.Devices),
                    Time(item.Lease.From), Time(item.Lease.To), Dec(item.Lease.Price),
                ];
                if (item.Usage.Count == 0)
                {
                    Append(csv, [.. head, "", "", "", "", "", "", "", "", ""]);
                    rows++;
                }
                foreach (var u in item.Usage)
                {
                    Append(csv, [.. head, u.RecordId, Time(u.From), Time(u.To), Int(u.DeviceSeconds), Dec(u.DeviceSeconds * u.ScuPerDevice / 3600m),
                        Dec(u.EnergyKwh), Dec(u.GreenKwh), Dec(u.TransferGb), u.Carrier ?? ""]);
                    rows++;
                }
            }
        }
        return new ClaimsCsv(csv.ToString(), claims.Count, claims.Sum(c => c.Items.Count), rows);
    }

    private static string Int(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Dec(decimal v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Time(Instant t) => InstantPattern.General.Format(t);

    /// <summary>
    /// One CSV line: CRLF, fields quoted when they hold a comma, quote or line break; a field a spreadsheet would run as a
    /// formula (starting with = + - @ tab or CR, other than a number) gets a leading apostrophe inside quotes.
    /// </summary>
    private static void Append(StringBuilder csv, IReadOnlyList<string> cells)
    {
        for (var i = 0; i < cells.Count; i++)
        {
            if (i > 0)
            {
                csv.Append(',');
            }
            var cell = cells[i];
            if (cell.Length > 0 && "=+-@\t\r".Contains(cell[0]) && !decimal.TryParse(cell, NumberStyles.Number, CultureInfo.InvariantCulture, out _))
            {
                cell = "'" + cell;
            }
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
