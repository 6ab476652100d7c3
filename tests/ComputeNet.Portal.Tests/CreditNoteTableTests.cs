using Bunit;
using ComputeNet.Application.Disputes.ListCreditNotes;
using ComputeNet.Domain.Settlement;
using ComputeNet.Portal.Shared;
using NodaTime;

namespace ComputeNet.Portal.Tests;

/// <summary>The credit notes table without a browser: the refund a note started (ADR 0032) is named in its row, and the column is shown only when one did.</summary>
public sealed class CreditNoteTableTests
{
    private static readonly CreditNoteView Note = new("cn-d1", "d1", "2026-12-01", "sme-sh-ai", "b1", "of1", "compute", false, -5_000, -283, 0, -5_000,
        "a failed job was billed", "provider:prov-nx", null, [new Posting("provider:prov-nx", 5_000), new Posting("buyer:sme-sh-ai", -5_000)],
        Instant.FromUtc(2026, 12, 2, 2, 30), "ab", "00");

    [Fact]
    public void A_note_that_started_a_refund_names_it_with_its_amount_and_status()
    {
        using var bunit = new BunitContext();
        var table = bunit.Render<CreditNoteTable>(p => p.Add(c => c.Notes, [Note with { Refund = new CreditNoteRefundView("refund-cn-d1", 5_000, "refunded") },
            Note with { Id = "cn-d2", Dispute = "d2" }]).Add(c => c.PdfBase, "/buyer/credit-notes").Add(c => c.T, Texts.En));
        Assert.Contains("Refund started", table.Find("#credit-notes thead").TextContent, StringComparison.Ordinal);
        var cell = table.Find("td[data-refund='cn-d1']");
        Assert.Contains("refund-cn-d1", cell.TextContent, StringComparison.Ordinal);
        Assert.Contains("¥50.00", cell.TextContent, StringComparison.Ordinal);
        Assert.Contains("refunded", cell.TextContent, StringComparison.Ordinal);
        Assert.Equal("", table.Find("td[data-refund='cn-d2']").TextContent.Trim());

        var bank = bunit.Render<CreditNoteTable>(p => p.Add(c => c.Notes, [Note with { Refund = new CreditNoteRefundView("refund-cn-d1", 5_000, "bank") }])
            .Add(c => c.PdfBase, "/buyer/credit-notes").Add(c => c.T, Texts.Zh));
        Assert.Contains("银行转账", bank.Find("td[data-refund='cn-d1']").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_refund_on_the_page_there_is_no_refund_column()
    {
        using var bunit = new BunitContext();
        var table = bunit.Render<CreditNoteTable>(p => p.Add(c => c.Notes, [Note]).Add(c => c.PdfBase, "/provider/credit-notes").Add(c => c.Mine, "You give back")
            .Add(c => c.T, Texts.En));
        Assert.DoesNotContain("Refund started", table.Find("#credit-notes thead").TextContent, StringComparison.Ordinal);
        Assert.Empty(table.FindAll("td[data-refund]"));
    }
}
