using ComputeNet.Domain.Money;
using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Settlement;
using NodaTime;

namespace ComputeNet.Domain.Ledger;

/// <summary>A cash action (market-rules §10): a buyer's payment, a payout to a provider or carrier, an issuer's reimbursement.</summary>
public sealed record RecordCash(string Kind, string? CashId, string Party, string? Account, long AmountFen, Instant At);

/// <summary>
/// Every cash action, by id (ids are unique among all cash actions). Each one is a balanced ledger transaction in the
/// cash stream; a repeat with the same content changes nothing, other content is `id-reused`.
/// </summary>
public sealed class CashBook
{
    public const string Clearing = "cash:clearing";
    private readonly Dictionary<string, TransactionPosted> _byId = new(StringComparer.Ordinal);

    public static string TxIdOf(string cashId) => $"cash/{cashId}";

    public TransactionPosted? Find(string cashId) => _byId.GetValueOrDefault(TxIdOf(cashId));

    /// <summary>
    /// Decides a cash action in the check order of market-rules §12. <paramref name="openBalance"/> gives an account's
    /// signed balance now (debit positive). Returns no events for an exact repeat.
    /// </summary>
    public IReadOnlyList<object> Decide(RecordCash cmd, Func<string, Party?> parties, Func<string, long> openBalance)
    {
        var (role, roleName) = cmd.Kind switch
        {
            "payment" => (PartyRoles.Buyer, "buyer"),
            "reimburse" => (PartyRoles.Issuer, "voucher issuer"),
            "payout" => (PartyRoles.None, "provider or carrier"),
            _ => throw RejectedException.Of(Codes.Invalid, $"unknown cash action '{cmd.Kind}'", "type"),
        };
        var party = parties(cmd.Party) ?? throw RejectedException.Of(Codes.UnknownParty, $"no party '{cmd.Party}' is registered", "party");
        var account = cmd.Kind switch
        {
            "payment" when party.Has(PartyRoles.Buyer) => $"buyer:{party.Id}",
            "reimburse" when party.Has(PartyRoles.Issuer) => $"issuer:{party.Id}",
            "payout" => PayoutAccount(party, cmd.Account),
            _ => throw RejectedException.Of(Codes.WrongRole, $"'{cmd.Party}' is not a {roleName}", "party"),
        };
        _ = role;
        if (string.IsNullOrWhiteSpace(cmd.CashId) || cmd.CashId.Length > 64)
        {
            throw RejectedException.Of(Codes.Invalid, "a cash action needs an id of at most 64 characters", "id");
        }
        var postings = cmd.Kind == "payout"
            ? new[] { new Posting(account, cmd.AmountFen), new Posting(Clearing, unchecked(-cmd.AmountFen)) }
            : [new Posting(Clearing, cmd.AmountFen), new Posting(account, unchecked(-cmd.AmountFen))];
        if (_byId.TryGetValue(TxIdOf(cmd.CashId), out var existing))
        {
            return existing.Kind == cmd.Kind && existing.Postings.SequenceEqual(postings) ? []
                : throw RejectedException.Of(Codes.IdReused, $"cash id '{cmd.CashId}' was already used with other content", "id");
        }
        if (cmd.AmountFen <= 0)
        {
            throw RejectedException.Of(Codes.Invalid, "a cash amount is whole fen above 0", "amountFen");
        }
        if (cmd.AmountFen > Fen.MaxSafe)
        {
            throw RejectedException.Of(Codes.Invalid, $"a cash amount is at most {Fen.MaxSafe} fen (market-rules §6)", "amountFen");
        }
        // What is open: what a buyer or issuer owes (a debit balance), what a provider or carrier is owed (a credit balance).
        var balance = openBalance(account);
        var open = cmd.Kind == "payout" ? -balance : balance;
        if (cmd.AmountFen > open)
        {
            throw RejectedException.Of(Codes.OverBalance, $"{cmd.AmountFen} fen is above the open balance of {account} ({Math.Max(open, 0)} fen)", "amountFen");
        }
        return [new TransactionPosted(TxIdOf(cmd.CashId), "", cmd.Kind, $"{cmd.Kind} {cmd.CashId} by {cmd.Party}", postings, cmd.At).EnsureBalanced()];
    }

    public void Evolve(object e)
    {
        if (e is TransactionPosted t)
        {
            _byId[t.TxId] = t;
        }
    }

    /// <summary>The payable account a payout to <paramref name="party"/> debits (the account must be named when it is both provider and carrier).</summary>
    public static string PayoutAccount(Party party, string? account)
    {
        var provider = party.Has(PartyRoles.Provider);
        var carrier = party.Has(PartyRoles.Carrier);
        return (provider, carrier, account) switch
        {
            (false, false, _) => throw RejectedException.Of(Codes.WrongRole, $"'{party.Id}' is neither a provider nor a carrier", "party"),
            (true, true, "provider") or (true, false, null or "provider") => $"provider:{party.Id}",
            (true, true, "carrier") or (false, true, null or "carrier") => $"carrier:{party.Id}",
            (true, true, null) => throw RejectedException.Of(Codes.Invalid, $"'{party.Id}' is both provider and carrier: name the account", "account"),
            _ => throw RejectedException.Of(Codes.Invalid, $"account must be 'provider' or 'carrier' and one of the party's roles", "account"),
        };
    }
}
