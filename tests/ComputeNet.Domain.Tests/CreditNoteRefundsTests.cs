using ComputeNet.Domain.Disputes;
using ComputeNet.Domain.Ledger;
using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Settlement;
using NodaTime;

namespace ComputeNet.Domain.Tests;

/// <summary>
/// The refund a credit note starts by itself (ADR 0032): the buyer's credit from the note, never above its credit balance once
/// the note is posted, nothing while it owes; the issuer's part is never refunded; the cash id is derived from the note.
/// </summary>
public class CreditNoteRefundsTests
{
    private static readonly Instant T = Instant.FromUtc(2026, 12, 3, 1, 0);

    /// <summary>The §14 worked example's note cn-d1: x 36,192, v 10,857, buyer credited 25,335.</summary>
    private static CreditNoteIssued Note(string dispute = "d1") => new(CreditNoteIssued.IdOf(dispute), dispute, "2026-12-01", "sme-sh-1", "b1", "of1",
        "compute", false, "2026-12-01/l1/compute", -36_192, -2_049, -10_857, -25_335, "usage counted twice", "provider:prov-nx", "issuer:sh-gov",
        [new Posting("provider:prov-nx", 35_106), new Posting("platform:fees", 543), new Posting("region:east-sh", 272), new Posting("region:ningxia", 271),
         new Posting("buyer:sme-sh-1", -25_335), new Posting("issuer:sh-gov", -10_857)], T);

    [Theory]
    // The buyer had paid in full (balance 0): the whole credit is refunded.
    [InlineData(0, 25_335)]
    // Still owing 101,338: the note lowers the debt, nothing is refunded.
    [InlineData(101_338, 0)]
    // Owing exactly the credit: square after the note, nothing to refund.
    [InlineData(25_335, 0)]
    // Partly paid (owing 5,335): only the 20,000 the note leaves in credit.
    [InlineData(5_335, 20_000)]
    // Already in credit by 1,000 before the note (not refunded yet): the note's refund is its own credit, not more.
    [InlineData(-1_000, 25_335)]
    public void The_refund_is_the_notes_buyer_credit_capped_at_the_credit_balance_after_the_note(long balanceBefore, long refunded)
    {
        var cash = CreditNoteRefunds.Decide(Note(), balanceBefore);
        Assert.Equal(refunded, cash?.AmountFen ?? 0);
        if (cash is not null)
        {
            Assert.Equal(new RecordCash("refund", "refund-cn-d1", "sme-sh-1", "buyer", refunded, T), cash);
            Assert.True(refunded <= -CreditNoteRefunds.BalanceAfter(Note(), balanceBefore));
        }
    }

    [Fact]
    public void The_cash_book_accepts_the_refund_against_the_balance_after_the_note_so_over_balance_cannot_happen()
    {
        var buyer = new Party("sme-sh-1", 1, PartyRoles.Buyer, "shanghai", true, null);
        foreach (var before in new long[] { -50_000, -1, 0, 1, 5_335, 25_334 })
        {
            var cash = CreditNoteRefunds.Decide(Note(), before)!;
            var after = CreditNoteRefunds.BalanceAfter(Note(), before);
            var posted = (TransactionPosted)Assert.Single(new CashBook().Decide(cash, id => id == buyer.Id ? buyer : null, a => a == "buyer:sme-sh-1" ? after : 0));
            Assert.Equal([new Posting("buyer:sme-sh-1", cash.AmountFen), new Posting(CashBook.Clearing, -cash.AmountFen)], posted.Postings);
            Assert.Equal("refund refund-cn-d1 by sme-sh-1, started by credit note cn-d1", CreditNoteRefunds.Named(posted, "cn-d1").Memo);
        }
    }

    [Fact]
    public void A_note_that_credits_only_the_voucher_issuer_starts_no_refund()
    {
        var note = Note() with
        {
            DueFen = 0, VoucherFen = -36_192,
            Postings = [new Posting("provider:prov-nx", 36_192), new Posting("issuer:sh-gov", -36_192)],
        };
        Assert.Null(CreditNoteRefunds.Decide(note, 0));
        Assert.Null(CreditNoteRefunds.Decide(note, -10_000));
    }

    [Fact]
    public void The_cash_id_is_derived_from_the_note_and_stays_within_a_cash_ids_length()
    {
        Assert.Equal("refund-cn-d1", CreditNoteRefunds.CashIdOf("cn-d1"));
        var longest = CreditNoteIssued.IdOf(new string('x', DisputeLine.MaxId));
        var id = CreditNoteRefunds.CashIdOf(longest);
        Assert.Equal(id, CreditNoteRefunds.CashIdOf(longest));
        Assert.StartsWith("refund-cn-", id, StringComparison.Ordinal);
        Assert.True(id.Length <= CashBook.MaxCashId, id);
        Assert.NotEqual(id, CreditNoteRefunds.CashIdOf(CreditNoteIssued.IdOf(new string('y', DisputeLine.MaxId))));
        var fits = CreditNoteIssued.IdOf(new string('z', CashBook.MaxCashId - "refund-cn-".Length));
        Assert.Equal("refund-" + fits, CreditNoteRefunds.CashIdOf(fits));
    }
}
