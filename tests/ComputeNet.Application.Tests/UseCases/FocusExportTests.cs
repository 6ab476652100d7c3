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
    public async Task The_demo_day_exports_each_invoice_line_and_each_voucher_part_with_exact_money()
    {
        var cs = await TestDatabase.ConnectionStringAsync();
        var json = await File.ReadAllTextAsync(TestDatabase.ScenarioPath("demo-market-day.json"), TestContext.Current.CancellationToken);
        var result = await TestDatabase.Runner().RunAsync(json, new ScenarioRunOptions(cs), TestContext.Current.CancellationToken);
        var dataset = Assert.IsType<FocusDataset>(result.Focus);

        var rows = ParseCsv(dataset.Csv, out var header);
        Assert.Equal(FocusExport.Header, header);

        // Rows: every invoice line's charge (a reserved line delivered short in two: used and unused), then a Credit row per voucher part.
        var lines = result.Invoices.SelectMany(i => i.Lines).ToList();
        var charges = rows.Where(r => r["x_VoucherFen"] == "0").ToList();
        var vouchers = rows.Where(r => r["x_VoucherFen"] != "0").ToList();
        Assert.Equal(lines.Count(l => l.VoucherFen != 0), vouchers.Count);
        Assert.All(vouchers, r => Assert.Equal("Credit", r["ChargeCategory"]));
        Assert.Equal(lines.Count + charges.Count(r => r["CapacityReservationStatus"] == "Unused" && charges.Any(u => u["CapacityReservationStatus"] == "Used"
            && u["ResourceId"] == r["ResourceId"] && u["InvoiceId"] == r["InvoiceId"])), charges.Count);
        foreach (var invoice in result.Invoices)
        {
            var mine = rows.Where(r => r["BillingAccountId"] == invoice.Buyer).ToList();
            // BilledCost adds up to what the buyer pays (the invoice's due amount); with the voucher parts, to the invoice amount.
            Assert.Equal(invoice.DueFen, mine.Sum(r => Fen(r["BilledCost"])));
            Assert.Equal(invoice.AmountFen, mine.Sum(r => Fen(r["BilledCost"]) + long.Parse(r["x_VoucherFen"], CultureInfo.InvariantCulture)));
            Assert.All(mine, r => Assert.Equal((invoice.Hash, $"{invoice.Period}.{invoice.Buyer}"), (r["x_StatementHash"], r["InvoiceId"])));
        }
        Assert.Equal(2_588_681, rows.Sum(r => Fen(r["BilledCost"])));
        Assert.Equal(3_096_883 - 2_588_681, rows.Sum(r => long.Parse(r["x_VoucherFen"], CultureInfo.InvariantCulture)));

        foreach (var r in rows)
        {
            Assert.Matches(@"^-?\d+\.\d{2}$", r["BilledCost"]);
            Assert.Equal(r["BilledCost"], r["EffectiveCost"]);
            Assert.Equal(r["BilledCost"], r["ContractedCost"]);
            Assert.Equal(("CNY", "ComputeNet", "ComputeNet"), (r["BillingCurrency"], r["InvoiceIssuerName"], r["ProviderName"]));
            Assert.Equal(("2026-11-30T16:00:00Z", "2026-12-01T16:00:00Z"), (r["ChargePeriodStart"], r["ChargePeriodEnd"]));
            Assert.Equal(("2026-11-30T16:00:00Z", "2026-12-01T16:00:00Z"), (r["BillingPeriodStart"], r["BillingPeriodEnd"]));
            Assert.StartsWith("lease-", r["ResourceId"]);
            Assert.Equal("Compute lease", r["ResourceType"]);
            Assert.False(string.IsNullOrEmpty(r["RegionId"]));
            Assert.Equal("", r["ChargeClass"]);
            Assert.NotEqual("Committed", r["PricingCategory"]);
        }

        // The §13-style first line: 8 × 20 h on-demand in 中卫, 24.96 SCU-hours at 58.00, then the 30 % compute voucher's Credit row.
        var (first, voucher) = (rows[0], rows[1]);
        Assert.Equal(("1447.68", "1447.68", "1447.68", "58.00", "0", "sh-compute-2026"),
            (first["BilledCost"], first["EffectiveCost"], first["ListCost"], first["ListUnitPrice"], first["x_VoucherFen"], first["x_Programme"]));
        Assert.Equal(("Usage", "Usage-Based", "Standard"), (first["ChargeCategory"], first["ChargeFrequency"], first["PricingCategory"]));
        Assert.Equal(("24.960000", "SCU-Hours", "160", "Device-Hours"), (first["PricingQuantity"], first["PricingUnit"], first["ConsumedQuantity"], first["ConsumedUnit"]));
        Assert.Equal(("AI and Machine Learning", "zhongwei", "Zhongwei", "cross-hub"), (first["ServiceCategory"], first["RegionId"], first["RegionName"], first["x_LatencyTier"]));
        Assert.Equal(("ai-fp16-80g", "of-nx-a", "Compute Usage", "Zhongwei West Cloud"), (first["SkuId"], first["SkuPriceId"], first["SkuMeter"], first["PublisherName"]));
        Assert.Equal("8 x ai-fp16-80g in Zhongwei", first["ResourceName"]);
        Assert.Equal(("Credit", "-434.30", "-434.30", "43430", "", first["ResourceId"], "1"),
            (voucher["ChargeCategory"], voucher["BilledCost"], voucher["EffectiveCost"], voucher["x_VoucherFen"], voucher["PricingQuantity"], voucher["ResourceId"], voucher["x_InvoiceLine"]));

        // The reserved lease: a Recurring capacity reservation (its id the lease), and its SLA credit (Credit, no quantity, the negative amount).
        var reserved = rows.Where(r => r["CapacityReservationId"] != "").ToList();
        Assert.NotEmpty(reserved);
        Assert.All(reserved, r => Assert.Equal(("Recurring", r["ResourceId"]), (r["ChargeFrequency"], r["CapacityReservationId"])));
        var credit = Assert.Single(rows, r => r["ChargeCategory"] == "Credit" && r["x_VoucherFen"] == "0");
        Assert.Equal(("-1751.72", "-1751.72", "", "", ""), (credit["BilledCost"], credit["EffectiveCost"], credit["PricingQuantity"], credit["ConsumedQuantity"], credit["CapacityReservationStatus"]));

        // Transport lines: Networking, GB, the 运力券 covering half in Credit rows of their own.
        var transport = rows.Where(r => r["ServiceCategory"] == "Networking" && r["ChargeCategory"] == "Usage").ToList();
        Assert.Equal(["100.04", "64.00"], transport.Select(r => r["BilledCost"]));
        Assert.All(transport, r => Assert.Equal(("GB", "GB", "Usage-Based", "Network Connectivity"), (r["PricingUnit"], r["ConsumedUnit"], r["ChargeFrequency"], r["ServiceSubcategory"])));
        Assert.Equal("1250.5", transport[0]["ConsumedQuantity"]);
        Assert.Contains(rows, r => r["ServiceCategory"] == "Networking" && r["ChargeCategory"] == "Credit" && r["x_Programme"] == "west-transport-2026");
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
