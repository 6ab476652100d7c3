using System.Globalization;
using ComputeNet.Application.Exports.ExportFocus;
using ComputeNet.Application.Scenarios;
using ComputeNet.Domain;
using ComputeNet.Domain.Settlement;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>
/// The FOCUS 1.2 export of the demo market day (compute, reserved, SLA credit, transport and voucher lines), read back
/// from its CSV as a FinOps tool would.
/// </summary>
public sealed class FocusExportTests
{
    /// <summary>An RFC 4180 reader (quoted fields, doubled quotes, CRLF records), independent of the writer.</summary>
    public static List<Dictionary<string, string>> ParseCsv(string csv, out List<string> header)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') { quoted = false; }
                else { field.Append(c); }
            }
            else if (c == '"') { quoted = true; }
            else if (c == ',') { record.Add(field.ToString()); field.Clear(); }
            else if (c == '\r' && i + 1 < csv.Length && csv[i + 1] == '\n')
            {
                record.Add(field.ToString()); field.Clear(); records.Add(record); record = []; i++;
            }
            else { Assert.NotEqual('\n', c); field.Append(c); }
        }
        Assert.Empty(record);
        Assert.Equal(0, field.Length);
        header = records[0];
        var names = header;
        return records.Skip(1).Select(r =>
        {
            Assert.Equal(names.Count, r.Count);
            return names.Zip(r).ToDictionary(x => x.First, x => x.Second);
        }).ToList();
    }

    private static long Fen(string yuan) => (long)(decimal.Parse(yuan, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) * 100);

    [Fact]
    public async Task The_demo_day_exports_one_row_per_invoice_line_with_every_mandatory_column_and_exact_money()
    {
        var cs = await TestDatabase.ConnectionStringAsync();
        var json = await File.ReadAllTextAsync(TestDatabase.ScenarioPath("demo-market-day.json"), TestContext.Current.CancellationToken);
        var result = await TestDatabase.Runner().RunAsync(json, new ScenarioRunOptions(cs), TestContext.Current.CancellationToken);
        var dataset = Assert.IsType<FocusDataset>(result.Focus);

        var rows = ParseCsv(dataset.Csv, out var header);

        // The header is exactly FOCUS 1.2's mandatory columns, the conditional ones that apply, and the x_ extensions.
        string[] mandatory = ["BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
            "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargePeriodEnd", "ChargePeriodStart", "ContractedCost", "EffectiveCost",
            "InvoiceIssuerName", "ListCost", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName", "ServiceCategory", "ServiceName"];
        string[] applicable = ["ChargeFrequency", "ConsumedQuantity", "ConsumedUnit", "PricingCategory", "RegionId", "RegionName", "ResourceId"];
        string[] extensions = ["x_LatencyTier", "x_GreenShare", "x_VoucherFen", "x_Programme", "x_StatementHash"];
        Assert.Equal(mandatory.Concat(applicable).Order(StringComparer.Ordinal).Concat(extensions), header);

        // One row per invoice line; BilledCost sums to each invoice's amount, EffectiveCost to what the buyer owes.
        Assert.Equal(result.Invoices.Sum(i => i.Lines.Count), rows.Count);
        Assert.Equal(10, rows.Count);
        foreach (var invoice in result.Invoices)
        {
            var mine = rows.Where(r => r["BillingAccountId"] == invoice.Buyer).ToList();
            Assert.Equal(invoice.AmountFen, mine.Sum(r => Fen(r["BilledCost"])));
            Assert.Equal(invoice.DueFen, mine.Sum(r => Fen(r["EffectiveCost"])));
            Assert.All(mine, r => Assert.Equal(invoice.Hash, r["x_StatementHash"]));
        }
        Assert.Equal(3_096_883, rows.Sum(r => Fen(r["BilledCost"])));
        Assert.Equal(2_588_681, rows.Sum(r => Fen(r["EffectiveCost"])));

        foreach (var r in rows)
        {
            // EffectiveCost + x_VoucherFen = BilledCost, to the fen; money is decimal yuan with exactly two places.
            Assert.Equal(Fen(r["BilledCost"]), Fen(r["EffectiveCost"]) + long.Parse(r["x_VoucherFen"], CultureInfo.InvariantCulture));
            Assert.Matches(@"^-?\d+\.\d{2}$", r["BilledCost"]);
            Assert.Equal(r["BilledCost"], r["ListCost"]);
            Assert.Equal(r["BilledCost"], r["ContractedCost"]);
            Assert.Equal("CNY", r["BillingCurrency"]);
            Assert.Equal("ComputeNet", r["InvoiceIssuerName"]);
            Assert.Equal(("2026-11-30T16:00:00Z", "2026-12-01T16:00:00Z"), (r["ChargePeriodStart"], r["ChargePeriodEnd"]));
            Assert.Equal(("2026-11-30T16:00:00Z", "2026-12-01T16:00:00Z"), (r["BillingPeriodStart"], r["BillingPeriodEnd"]));
            Assert.StartsWith("lease-", r["ResourceId"]);
            Assert.False(string.IsNullOrEmpty(r["RegionId"]));
            Assert.Equal("", r["ChargeClass"]);
        }

        // The §13-style first line: 8 × 20 h on-demand in 中卫, 24.96 SCU-hours at 58.00, a 30 % compute voucher.
        var first = rows[0];
        Assert.Equal(("1447.68", "1013.38", "43430", "sh-compute-2026"), (first["BilledCost"], first["EffectiveCost"], first["x_VoucherFen"], first["x_Programme"]));
        Assert.Equal(("Usage", "Usage-Based", "Standard"), (first["ChargeCategory"], first["ChargeFrequency"], first["PricingCategory"]));
        Assert.Equal(("24.960000", "SCU-Hour", "160", "Device-Hours"), (first["PricingQuantity"], first["PricingUnit"], first["ConsumedQuantity"], first["ConsumedUnit"]));
        Assert.Equal(("AI and Machine Learning", "zhongwei", "中卫", "cross-hub"), (first["ServiceCategory"], first["RegionId"], first["RegionName"], first["x_LatencyTier"]));

        // The reserved lease: a Recurring, Committed compute line and its SLA credit (Credit, no quantity, the negative amount).
        var reserved = rows.Where(r => r["PricingCategory"] == "Committed").ToList();
        Assert.Equal(2, reserved.Count);
        Assert.All(reserved, r => Assert.Equal("Recurring", r["ChargeFrequency"]));
        var credit = Assert.Single(rows, r => r["ChargeCategory"] == "Credit");
        Assert.Equal(("-1751.72", "-1751.72", "0", "", ""), (credit["BilledCost"], credit["EffectiveCost"], credit["x_VoucherFen"], credit["PricingQuantity"], credit["ConsumedQuantity"]));

        // Transport lines: Networking, GB, the 运力券 covering half.
        var transport = rows.Where(r => r["ServiceCategory"] == "Networking").ToList();
        Assert.Equal(2, transport.Count);
        Assert.Equal(["100.04", "64.00"], transport.Select(r => r["BilledCost"]));
        Assert.All(transport, r => Assert.Equal(("GB", "GB", "Usage-Based"), (r["PricingUnit"], r["ConsumedUnit"], r["ChargeFrequency"])));
        Assert.Equal("1250.5", transport[0]["ConsumedQuantity"]);
    }

    [Fact]
    public async Task A_period_that_is_not_closed_or_not_a_period_is_refused_as_invalid()
    {
        await using var p = await TestPlatform.StartAsync(Market.Nov30Morning);
        var notClosed = await Assert.ThrowsAsync<RejectedException>(async () => await p.Sender.Send(new ExportFocusRequest("2026-12-01"), TestContext.Current.CancellationToken));
        Assert.Equal((Codes.Invalid, "period"), (notClosed.Rejection.Code, notClosed.Rejection.Field));
        var malformed = await Assert.ThrowsAsync<RejectedException>(async () => await p.Sender.Send(new ExportFocusRequest("12/01"), TestContext.Current.CancellationToken));
        Assert.Equal(Codes.Invalid, malformed.Rejection.Code);
        Assert.Equal(FocusExport.Header, ParseCsvHeader((await p.Sender.Send(new ExportFocusRequest(null), TestContext.Current.CancellationToken)).Csv));
    }

    private static List<string> ParseCsvHeader(string csv)
    {
        ParseCsv(csv, out var header);
        return header;
    }
}
