using ComputeNet.Domain.Ledger;
using ComputeNet.Domain.Settlement;
using NodaTime;

namespace ComputeNet.Domain.Tests;

/// <summary>market-rules §10: no posting is ever changed or deleted; a mistake is corrected by a new, reversing transaction.</summary>
public class CorrectionsTests
{
    private static readonly Instant At = Sh.Dec(5, 9);

    private static readonly TransactionPosted Charge = new("2026-12-02/lease-1/compute", "2026-12-02", "charge", "compute line of lease-1 for buyer-sh",
        [new Posting("buyer:buyer-sh", 101_338), new Posting("issuer:iss", 43_430), new Posting("provider:prov-a", -140_425), new Posting("platform:fees", -4_343)],
        Sh.Dec(3, 1));

    private static readonly TransactionPosted Payment = new("cash/c1", "", "payment", "payment c1 by buyer-sh",
        [new Posting("cash:clearing", 500), new Posting("buyer:buyer-sh", -500)], Sh.Dec(4, 1));

    private static TransactionPosted? Find(string txId) => new[] { Charge, Payment }.FirstOrDefault(t => t.TxId == txId);

    private static Corrections Given(params object[] events)
    {
        var c = new Corrections();
        foreach (var e in events)
        {
            c.Evolve(e);
        }
        return c;
    }

    private static ReverseTransaction Reverse(string? id = "fix-1", string txId = "2026-12-02/lease-1/compute", string reason = "wrong price") =>
        new(id, txId, reason, At);

    [Fact]
    public void A_reversal_negates_every_posting_in_the_original_period()
    {
        var tx = Assert.IsType<TransactionPosted>(Assert.Single(Given().Decide(Reverse(), Find)));

        Assert.Equal(("reversal/fix-1", "2026-12-02", "reversal", "reverses 2026-12-02/lease-1/compute: wrong price", At),
            (tx.TxId, tx.Period, tx.Kind, tx.Memo, tx.At));
        Assert.Equal([new Posting("buyer:buyer-sh", -101_338), new Posting("issuer:iss", -43_430), new Posting("provider:prov-a", 140_425),
            new Posting("platform:fees", 4_343)], tx.Postings);
    }

    [Fact]
    public void Cash_transactions_are_reversed_too()
    {
        var tx = (TransactionPosted)Given().Decide(Reverse(txId: "cash/c1"), Find)[0];
        Assert.Equal([new Posting("cash:clearing", -500), new Posting("buyer:buyer-sh", 500)], tx.Postings);
        Assert.Equal("", tx.Period);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public void A_correction_needs_an_id(string? id) => Then.Rejected(Codes.Invalid, "id", () => Given().Decide(Reverse(id, reason: ""), Find));

    [Fact]
    public void Ids_are_at_most_64_characters_and_reasons_at_most_500()
    {
        Assert.Single(Given().Decide(Reverse(new string('f', 64), reason: new string('r', 500)), Find));
        Then.Rejected(Codes.Invalid, "id", () => Given().Decide(Reverse(new string('f', 65)), Find));
        Then.Rejected(Codes.Invalid, "reason", () => Given().Decide(Reverse(reason: new string('r', 501)), Find));
        Then.Rejected(Codes.Invalid, "reason", () => Given().Decide(Reverse(reason: "  "), Find));
        Then.Rejected(Codes.Invalid, "reason", () => Given().Decide(Reverse(txId: "nope", reason: ""), Find));
    }

    [Fact]
    public void An_unknown_transaction_is_invalid() =>
        Then.Rejected(Codes.Invalid, "txId", () => Given().Decide(Reverse(txId: "nope"), Find));

    [Fact]
    public void A_repeat_changes_nothing_and_the_same_id_for_another_transaction_is_id_reused()
    {
        var reversal = (TransactionPosted)Given().Decide(Reverse(), Find)[0];
        var book = Given(reversal);

        Assert.Empty(book.Decide(Reverse(reason: "another wording"), Find));
        Then.Rejected(Codes.IdReused, "id", () => book.Decide(Reverse(txId: "cash/c1"), Find));
        // A transaction id that merely starts like the reversed one is another transaction.
        Then.Rejected(Codes.IdReused, "id", () => book.Decide(Reverse(txId: "2026-12-02/lease-1"), Find));
    }

    [Fact]
    public void A_transaction_is_reversed_at_most_once()
    {
        var book = Given((TransactionPosted)Given().Decide(Reverse(), Find)[0]);

        var r = Then.Rejected(Codes.Invalid, "txId", () => book.Decide(Reverse("fix-2"), Find));
        Assert.Contains("fix-1", r.Reason);
        Assert.Single(book.Decide(Reverse("fix-2", txId: "cash/c1"), Find));
    }

    [Fact]
    public void A_reversal_is_not_reversed()
    {
        var reversal = (TransactionPosted)Given().Decide(Reverse(), Find)[0];
        var book = Given(reversal);

        Then.Rejected(Codes.Invalid, "txId", () => book.Decide(Reverse("fix-2", txId: reversal.TxId), id => id == reversal.TxId ? reversal : Find(id)));
    }

    [Fact]
    public void Evolve_remembers_only_reversals()
    {
        var book = Given(Charge, Payment, "not a transaction");
        Assert.Single(book.Decide(Reverse(), Find));
        Assert.Single(book.Decide(Reverse("fix-2", txId: "cash/c1"), Find));
    }
}
