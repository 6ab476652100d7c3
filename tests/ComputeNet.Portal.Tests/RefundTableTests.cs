using Bunit;
using ComputeNet.Application.Payments.ListRefunds;
using ComputeNet.Portal.Shared;
using NodaTime;

namespace ComputeNet.Portal.Tests;

/// <summary>The refunds table without a browser: the operator's variant (party column, links) and a buyer's (neither), in both languages.</summary>
public sealed class RefundTableTests
{
    private static readonly Fmt Shanghai = new(DateTimeZoneProviders.Tzdb["Asia/Shanghai"]);

    private static readonly RefundView Failed = new("rf-1", "sme-sh-ai", "cash/rf-1", 150_000, 20_000, "cny", "failed",
    [
        new RefundPartView(1, "pi_2", 100_000, "computenet-refund-rf-1-1", "succeeded", "re_1", null, null, null),
        new RefundPartView(2, "pi_1", 30_000, "computenet-refund-rf-1-2", "failed", "re_2", "expired_or_canceled_card", "Stripe reported the refund failed",
            "reversal/refund-failed-rf-1-2"),
    ], Instant.FromUtc(2026, 12, 2, 2, 30));

    [Fact]
    public void The_operators_table_links_each_refund_and_names_its_party_and_parts()
    {
        using var bunit = new BunitContext();
        var table = bunit.Render<RefundTable>(p => p.Add(c => c.Refunds, [Failed]).Add(c => c.Link, true).Add(c => c.T, Texts.En).Add(c => c.F, Shanghai));
        var row = table.Find("#refunds tr[data-refund='rf-1']");
        Assert.Equal("failed", row.GetAttribute("data-status"));
        Assert.Equal("/operator/refunds/rf-1", row.QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("sme-sh-ai", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("¥1,000.00 succeeded, ¥300.00 failed (given back)", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("¥200.00", row.TextContent, StringComparison.Ordinal); // the bank remainder
        Assert.Contains("2026-12-02 10:30", row.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_buyers_table_has_no_links_or_party_column_and_an_empty_one_says_so()
    {
        using var bunit = new BunitContext();
        var table = bunit.Render<RefundTable>(p => p.Add(c => c.Refunds, [Failed with { BankFen = 0, Status = "refunded" }]).Add(c => c.T, Texts.Zh).Add(c => c.F, Shanghai));
        var row = table.Find("#refunds tr[data-refund='rf-1']");
        Assert.Empty(row.QuerySelectorAll("a"));
        Assert.DoesNotContain("sme-sh-ai", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("已退款", row.TextContent, StringComparison.Ordinal);
        Assert.Equal(6, table.FindAll("#refunds thead th").Count);

        var empty = bunit.Render<RefundTable>(p => p.Add(c => c.Refunds, []).Add(c => c.T, Texts.En).Add(c => c.F, Shanghai));
        Assert.Equal("No refunds through Stripe", empty.Find("#no-refunds").TextContent);
    }
}
