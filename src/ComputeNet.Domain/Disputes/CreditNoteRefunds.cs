using ComputeNet.Domain.Ledger;
using ComputeNet.Domain.Settlement;

namespace ComputeNet.Domain.Disputes;

/// <summary>
/// The refund a credit note starts by itself (issue 15 item 2, ADR 0032): when the note leaves its buyer in credit (the
/// buyer had already paid), the platform pays that credit back with a <c>refund</c> cash action of its own, decided in the
/// note's transaction. Only the buyer's part is refunded; an issuer's credit (the voucher part v) is left to the operator.
/// </summary>
public static class CreditNoteRefunds
{
    private const string Prefix = "refund-";

    /// <summary>
    /// The refund's cash id, derived from the note so that it is the same in every attempt and on every host:
    /// <c>refund-{creditNoteId}</c> (<c>refund-cn-{dispute}</c>), or, when that is longer than a cash id may be (64 characters),
    /// <c>refund-cn-</c> and 32 hex digits of the SHA-256 of the note's id.
    /// </summary>
    public static string CashIdOf(string creditNoteId)
    {
        var id = Prefix + creditNoteId;
        if (id.Length <= CashBook.MaxCashId)
        {
            return id;
        }
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(creditNoteId));
        return $"{Prefix}cn-{Convert.ToHexStringLower(hash)[..32]}";
    }

    /// <summary>
    /// What the refund pays back, in fen: the buyer's credit from the note (<paramref name="creditedFen"/>, x − v, ≥ 0), but never
    /// more than the platform owes the buyer once the note is posted — its credit balance, <c>−<paramref name="balanceAfterFen"/></c>
    /// (balances are signed, debit positive). 0 when the buyer still owes after the note.
    /// </summary>
    public static long AmountFen(long creditedFen, long balanceAfterFen) => Math.Max(0, Math.Min(creditedFen, -balanceAfterFen));

    /// <summary>
    /// The refund <paramref name="note"/> starts, given the buyer's balance before the note (<paramref name="buyerBalanceBeforeFen"/>,
    /// signed, debit positive): a <c>refund</c> cash action for <c>buyer:{buyer}</c> at the note's instant, or null when the note
    /// leaves the buyer owing (or square). The note's own buyer posting (a credit) gives the balance after it.
    /// </summary>
    public static RecordCash? Decide(CreditNoteIssued note, long buyerBalanceBeforeFen)
    {
        var amount = AmountFen(-BuyerPostingFen(note), BalanceAfter(note, buyerBalanceBeforeFen));
        return amount == 0 ? null : new RecordCash("refund", CashIdOf(note.Id), note.Buyer, "buyer", amount, note.At);
    }

    /// <summary>The buyer's balance once <paramref name="note"/> is posted (signed, debit positive).</summary>
    public static long BalanceAfter(CreditNoteIssued note, long buyerBalanceBeforeFen) => checked(buyerBalanceBeforeFen + BuyerPostingFen(note));

    /// <summary>The note's posting on <c>buyer:{buyer}</c>: −(x − v), or 0 when the voucher covered the whole credit.</summary>
    private static long BuyerPostingFen(CreditNoteIssued note) => note.Postings.Where(p => p.Account == $"buyer:{note.Buyer}").Sum(p => p.AmountFen);

    /// <summary>The refund's memo: the cash action's own, naming the note that started it.</summary>
    public static TransactionPosted Named(TransactionPosted refund, string creditNoteId) =>
        refund with { Memo = $"{refund.Memo}, started by credit note {creditNoteId}" };
}
