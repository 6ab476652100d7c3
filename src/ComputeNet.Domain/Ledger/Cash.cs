using ComputeNet.Domain.Money;
using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Settlement;
using NodaTime;

namespace ComputeNet.Domain.Ledger;

/// <summary>
/// A cash action (market-rules §10, §14): a buyer's payment, a payout to a provider, carrier or region (<c>Account</c>
/// <c>region</c>, <c>Party</c> the region id), an issuer's reimbursement, a refund to a buyer or issuer.
/// </summary>
public sealed record RecordCash(string Kind, string? CashId, string Party, string? Account, long AmountFen, Instant At);

/// <summary>
/// Every cash action, by id (ids are unique among all cash actions). Each one is a balanced ledger transaction in the
/// cash stream; a repeat with the same content changes nothing, other content is `id-reused`.
/// </summary>
public sealed class CashBook
{
    public const string Clearing = "cash:clearing";
    /// <summary>The longest cash id, in characters.</summary>
    public const int MaxCashId = 64;
    private readonly Dictionary<string, TransactionPosted> _byId = new(StringComparer.Ordinal);

    public static string TxIdOf(string cashId) => $"cash/{cashId}";

    public TransactionPosted? Find(string cashId) => _byId.GetValueOrDefault(TxIdOf(cashId));

    /// <summary>
    /// Decides a cash action in the check order of market-rules §12. <paramref name="openBalance"/> gives an account's
    /// signed balance now (debit positive); <paramref name="isRegion"/> says whether an id is a region (a pairing's demand
    /// region or supply hub; market-rules §14), for a payout with account <c>region</c>. Returns no events for an exact repeat.
    /// </summary>
    public IReadOnlyList<object> Decide(RecordCash cmd, Func<string, Party?> parties, Func<string, long> openBalance, Func<string, bool>? isRegion = null)
    {
        var roleName = cmd.Kind switch
        {
            "payment" => "buyer",
            "reimburse" => "voucher issuer",
            "payout" => "provider or carrier",
            "refund" => "buyer or voucher issuer",
            _ => throw RejectedException.Of(Codes.Invalid, $"unknown cash action '{cmd.Kind}'", "type"),
        };
        string account;
        if (cmd.Kind == "payout" && cmd.Account == RegionAccountName)
        {
            // A revenue-share payout (§14): the party is a region, not a registered party; an unknown region is `invalid`.
            if (string.IsNullOrWhiteSpace(cmd.Party) || isRegion?.Invoke(cmd.Party) != true)
            {
                throw RejectedException.Of(Codes.Invalid, $"no pairing agreement names a region '{cmd.Party}' (a demand region or supply hub)", "party");
            }
            account = RegionAccount(cmd.Party);
        }
        else
        {
            var party = parties(cmd.Party) ?? throw RejectedException.Of(Codes.UnknownParty, $"no party '{cmd.Party}' is registered", "party");
            account = cmd.Kind switch
            {
                "payment" when party.Has(PartyRoles.Buyer) => $"buyer:{party.Id}",
                "reimburse" when party.Has(PartyRoles.Issuer) => $"issuer:{party.Id}",
                "payout" => PayoutAccount(party, cmd.Account),
                "refund" => RefundAccount(party, cmd.Account),
                _ => throw RejectedException.Of(Codes.WrongRole, $"'{cmd.Party}' is not a {roleName}", "party"),
            };
        }
        if (string.IsNullOrWhiteSpace(cmd.CashId) || cmd.CashId.Length > MaxCashId)
        {
            throw RejectedException.Of(Codes.Invalid, $"a cash action needs an id of at most {MaxCashId} characters", "id");
        }
        // Money out (payout, refund): debit the account, credit clearing. Money in (payment, reimbursement): the reverse.
        var outgoing = IsOutgoing(cmd.Kind);
        var postings = outgoing
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
        // What is open: what a buyer or issuer owes (a debit balance) for money in; for money out, what the platform owes the
        // account (a credit balance): a provider's, carrier's or region's payable, a buyer's or issuer's overpayment.
        var balance = openBalance(account);
        var open = outgoing ? -balance : balance;
        if (cmd.AmountFen > open)
        {
            throw RejectedException.Of(Codes.OverBalance, $"{cmd.AmountFen} fen is above the open balance of {account} ({Math.Max(open, 0)} fen)", "amountFen");
        }
        return [new TransactionPosted(TxIdOf(cmd.CashId), "", cmd.Kind, $"{cmd.Kind} {cmd.CashId} by {cmd.Party}", postings, cmd.At).EnsureBalanced()];
    }

    /// <summary>The <c>account</c> of a payout that pays a region its revenue share (market-rules §14).</summary>
    public const string RegionAccountName = "region";

    /// <summary>A region's revenue-share account.</summary>
    public static string RegionAccount(string region) => $"region:{region}";

    /// <summary>Whether a cash action pays money out (debits the account, credits clearing): payouts and refunds.</summary>
    public static bool IsOutgoing(string kind) => kind is "payout" or "refund";

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

    /// <summary>The account a refund to <paramref name="party"/> debits (market-rules §14; named when it is both buyer and issuer).</summary>
    public static string RefundAccount(Party party, string? account)
    {
        var buyer = party.Has(PartyRoles.Buyer);
        var issuer = party.Has(PartyRoles.Issuer);
        return (buyer, issuer, account) switch
        {
            (false, false, _) => throw RejectedException.Of(Codes.WrongRole, $"'{party.Id}' is neither a buyer nor a voucher issuer", "party"),
            (true, true, "buyer") or (true, false, null or "buyer") => $"buyer:{party.Id}",
            (true, true, "issuer") or (false, true, null or "issuer") => $"issuer:{party.Id}",
            (true, true, null) => throw RejectedException.Of(Codes.Invalid, $"'{party.Id}' is both buyer and voucher issuer: name the account", "account"),
            _ => throw RejectedException.Of(Codes.Invalid, "account must be 'buyer' or 'issuer' and one of the party's roles", "account"),
        };
    }
}
