using ComputeNet.Domain.Parties;
using NodaTime;

namespace ComputeNet.Domain.Payments;

/// <summary>
/// Event: a card / Alipay / WeChat Pay payment intent was created at the payment provider (Stripe) for one invoice's
/// amount due. One per invoice: the provider call carries an idempotency key derived from the invoice id, so a
/// repeat (or a crash between the call and this event) finds the same intent. Amounts in fen (CNY's minor unit).
/// </summary>
public sealed record PaymentIntentCreated(string InvoiceId, string Period, string Buyer, string IntentId, long AmountFen, string Currency,
    string ClientSecret, string IdempotencyKey, Instant At);

/// <summary>
/// Event: the provider reported the intent succeeded and the payment was posted as cash action <see cref="CashId"/>
/// (a <c>payment</c> of the buyer). Recorded once per intent; later reports of the same success change nothing.
/// </summary>
public sealed record PaymentIntentSucceeded(string IntentId, string EventId, long AmountFen, string CashId, Instant At);

/// <summary>Event: a payment attempt on the intent failed (the buyer may try again on the same intent). Once per provider event id.</summary>
public sealed record PaymentIntentFailed(string IntentId, string EventId, string? FailureCode, string? FailureMessage, Instant At);

/// <summary>
/// Event: the provider reported a success that the ledger refused to post (for example <c>over-balance</c>: the buyer
/// had already paid by bank transfer). The money is at the provider; an operator refunds or reverses. Reconciliation
/// lists it until then.
/// </summary>
public sealed record PaymentNotPosted(string IntentId, string EventId, long AmountFen, string Code, string Reason, Instant At);

/// <summary>Event: the operator set (or replaced) the Stripe connected account a provider or carrier is paid to.</summary>
public sealed record PayoutAccountSet(string Party, string ConnectedAccountId, Instant At);

/// <summary>
/// Event: the operator asked to pay a provider or carrier through the payment provider. Reserves the amount against
/// the party's payable balance until the transfer is posted. Every attempt uses <see cref="IdempotencyKey"/>.
/// </summary>
public sealed record PayoutRequested(string PayoutId, string Party, string Account, long AmountFen, string Destination, string IdempotencyKey, Instant At);

/// <summary>Event: an attempt at the payout's transfer failed at the provider (attempt 1-based). An operator may retry it.</summary>
public sealed record PayoutTransferFailed(string PayoutId, int Attempt, string? ErrorCode, string ErrorMessage, Instant At);

/// <summary>Event: the provider accepted the transfer and the payout was posted as cash action <see cref="CashId"/>.</summary>
public sealed record PayoutTransferred(string PayoutId, string TransferId, string CashId, Instant At);

/// <summary>Event: the transfer was made but the ledger refused the payout (an operator recorded another payout meanwhile).</summary>
public sealed record PayoutNotPosted(string PayoutId, string TransferId, string Code, string Reason, Instant At);

/// <summary>An invoice as payments see it: id <c>{period}.{buyer}</c>, and the buyer's due after vouchers.</summary>
public sealed record PayableInvoice(string InvoiceId, string Period, string Buyer, long DueFen);

public sealed record IntentState(PaymentIntentCreated Created, string Status, PaymentIntentSucceeded? Succeeded,
    IReadOnlyList<PaymentIntentFailed> Failures, PaymentNotPosted? NotPosted);

public sealed record PayoutState(PayoutRequested Requested, string Status, int Attempts, PayoutTransferFailed? LastFailure,
    PayoutTransferred? Transferred, PayoutNotPosted? NotPosted);

/// <summary>A webhook event as the payments book needs it: the provider's event id and type, and the intent it is about.</summary>
public sealed record IntentEvent(string EventId, string Type, string IntentId, long AmountReceivedFen, string Currency, string? FailureCode, string? FailureMessage);

/// <summary>What to do with a webhook event (decided purely from the book).</summary>
public abstract record WebhookDecision
{
    /// <summary>Post the payment as cash action <paramref name="CashId"/> (idempotent by id), then record the success.</summary>
    public sealed record Post(IntentState Intent, string CashId, long AmountFen) : WebhookDecision;

    public sealed record RecordFailure(PaymentIntentFailed Failed) : WebhookDecision;

    /// <summary>Acknowledge and change nothing: a replay, an unknown intent, a type we do not act on.</summary>
    public sealed record Ignore(string Why) : WebhookDecision;
}

/// <summary>
/// Money moved through the payment provider, folded from one stream: an invoice's (<c>payment:{invoiceId}</c>: its intent
/// and outcomes) or a payee's (<c>payee:{party}</c>: its connected account and payouts). Decisions are pure; the provider
/// calls and the cash postings happen in Application around them.
/// </summary>
public sealed class PaymentsBook
{
    public const string Currency = "cny";
    public static readonly IReadOnlyList<string> MethodTypes = ["card", "alipay", "wechat_pay"];
    public const int MaxPayoutIdLength = 40;

    private readonly Dictionary<string, IntentState> _byIntent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _intentByInvoice = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PayoutState> _payouts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _eventIds = new(StringComparer.Ordinal);
    private readonly List<string> _payoutOrder = [];

    public static string InvoiceIdOf(string period, string buyer) => $"{period}.{buyer}";

    /// <summary>Splits an invoice id at its first '.': periods never hold one.</summary>
    public static (string Period, string Buyer)? ParseInvoiceId(string? invoiceId)
    {
        var dot = invoiceId?.IndexOf('.') ?? -1;
        return dot <= 0 || dot == invoiceId!.Length - 1 ? null : (invoiceId[..dot], invoiceId[(dot + 1)..]);
    }

    public static string IntentIdempotencyKey(string invoiceId) => $"computenet-invoice-{invoiceId}";

    public static string PayoutIdempotencyKey(string payoutId) => $"computenet-payout-{payoutId}";

    /// <summary>Cash ids of provider-driven postings: unique among all cash actions and recognisable by reconciliation.</summary>
    public static string PaymentCashId(string intentId) => $"stripe-{intentId}";

    public static string PayoutCashId(string payoutId) => $"stripe-payout-{payoutId}";

    public IntentState? IntentForInvoice(string invoiceId) => _intentByInvoice.TryGetValue(invoiceId, out var id) ? _byIntent[id] : null;

    public IntentState? Intent(string intentId) => _byIntent.GetValueOrDefault(intentId);

    public IEnumerable<IntentState> Intents => _byIntent.Values;

    public string? PayoutAccountOf(string party) => _accounts.GetValueOrDefault(party);

    public IReadOnlyDictionary<string, string> PayoutAccounts => _accounts;

    public PayoutState? Payout(string payoutId) => _payouts.GetValueOrDefault(payoutId);

    public IEnumerable<PayoutState> Payouts => _payoutOrder.Select(id => _payouts[id]);

    /// <summary>A book of intents and payouts as they stand (read from their documents, e.g. for reconciliation).</summary>
    public static PaymentsBook Of(IEnumerable<IntentState> intents, IEnumerable<PayoutState> payouts)
    {
        var book = new PaymentsBook();
        foreach (var i in intents)
        {
            book._byIntent[i.Created.IntentId] = i;
            book._intentByInvoice[i.Created.InvoiceId] = i.Created.IntentId;
        }
        foreach (var p in payouts)
        {
            book._payouts[p.Requested.PayoutId] = p;
            book._payoutOrder.Add(p.Requested.PayoutId);
        }
        return book;
    }

    /// <summary>Whether a new intent is needed: refuses an invoice with nothing due. Null when one exists already.</summary>
    public IntentState? CheckIntent(PayableInvoice invoice)
    {
        if (IntentForInvoice(invoice.InvoiceId) is { } existing)
        {
            return existing;
        }
        if (invoice.DueFen <= 0)
        {
            throw RejectedException.Of(Codes.NothingDue, $"invoice '{invoice.InvoiceId}' has nothing due ({invoice.DueFen} fen)", "invoiceId");
        }
        return null;
    }

    /// <summary>What a webhook event about an intent does. Replays and events for unknown intents change nothing.</summary>
    public WebhookDecision DecideWebhook(IntentEvent e, Instant at)
    {
        if (_byIntent.GetValueOrDefault(e.IntentId) is not { } intent)
        {
            return new WebhookDecision.Ignore($"no intent '{e.IntentId}' was created by this platform");
        }
        switch (e.Type)
        {
            case "payment_intent.succeeded":
                if (intent.Succeeded is not null || intent.NotPosted is not null)
                {
                    return new WebhookDecision.Ignore($"intent '{e.IntentId}' was already settled");
                }
                if (!string.Equals(e.Currency, Currency, StringComparison.OrdinalIgnoreCase))
                {
                    return new WebhookDecision.Ignore($"intent '{e.IntentId}' succeeded in '{e.Currency}', not CNY; left to reconciliation");
                }
                return new WebhookDecision.Post(intent, PaymentCashId(e.IntentId), e.AmountReceivedFen);
            case "payment_intent.payment_failed":
                return _eventIds.Contains(e.EventId)
                    ? new WebhookDecision.Ignore($"event '{e.EventId}' was already recorded")
                    : new WebhookDecision.RecordFailure(new PaymentIntentFailed(e.IntentId, e.EventId, e.FailureCode, e.FailureMessage, at));
            default:
                return new WebhookDecision.Ignore($"event type '{e.Type}' is not acted on");
        }
    }

    /// <summary>
    /// The payee a region's revenue-share payouts and connected account are kept under (market-rules §14):
    /// <c>region:{id}</c>, its ledger account, so a region never shares a payee stream with a party of the same id.
    /// </summary>
    public static string RegionPayee(string region) => $"region:{region}";

    /// <summary>The region of a region payee (<see cref="RegionPayee"/>), or null for a party.</summary>
    public static string? RegionOfPayee(string payee) => payee.StartsWith("region:", StringComparison.Ordinal) ? payee["region:".Length..] : null;

    /// <summary>The operator sets the connected account a region's revenue share is paid to; an unknown region is `invalid`.</summary>
    public PayoutAccountSet DecideSetRegionAccount(bool knownRegion, string region, string connectedAccountId, Instant at)
    {
        if (!knownRegion)
        {
            throw RejectedException.Of(Codes.Invalid, $"no pairing agreement names a region '{region}' (a demand region or supply hub)", "region");
        }
        CheckConnectedAccount(connectedAccountId);
        return new PayoutAccountSet(RegionPayee(region), connectedAccountId, at);
    }

    private static void CheckConnectedAccount(string connectedAccountId)
    {
        if (!connectedAccountId.StartsWith("acct_", StringComparison.Ordinal) || connectedAccountId.Length > 64)
        {
            throw RejectedException.Of(Codes.Invalid, "a connected account id starts with 'acct_' and has at most 64 characters", "connectedAccountId");
        }
    }

    public PayoutAccountSet DecideSetAccount(Party? party, string partyId, string connectedAccountId, Instant at)
    {
        if (party is null)
        {
            throw RejectedException.Of(Codes.UnknownParty, $"no party '{partyId}' is registered", "party");
        }
        if (!party.Has(PartyRoles.Provider) && !party.Has(PartyRoles.Carrier))
        {
            throw RejectedException.Of(Codes.WrongRole, $"'{partyId}' is neither a provider nor a carrier", "party");
        }
        CheckConnectedAccount(connectedAccountId);
        return new PayoutAccountSet(partyId, connectedAccountId, at);
    }

    /// <summary>
    /// Decides a payout through the provider. <paramref name="account"/> is the ledger account (provider:x or carrier:x,
    /// chosen by the same rule as a cash payout); <paramref name="payableFen"/> what the party is owed now (credit
    /// balance). Payouts requested but not yet posted are reserved against it. A null amount pays all that is free.
    /// Returns null for an exact repeat.
    /// </summary>
    public PayoutRequested? DecidePayout(string? payoutId, string partyId, string account, long? amountFen, long payableFen, Instant at)
    {
        if (string.IsNullOrWhiteSpace(payoutId) || payoutId.Length > MaxPayoutIdLength)
        {
            throw RejectedException.Of(Codes.Invalid, $"a payout needs an id of at most {MaxPayoutIdLength} characters", "id");
        }
        var destination = _accounts.GetValueOrDefault(partyId)
            ?? throw RejectedException.Of(Codes.NoPayoutAccount, $"'{partyId}' has no connected account: pay by bank transfer and record it as a cash payout", "party");
        var free = payableFen - ReservedFen(account);
        if (_payouts.TryGetValue(payoutId, out var existing))
        {
            var r = existing.Requested;
            return r.Party == partyId && r.Account == account && (amountFen is null || amountFen == r.AmountFen) ? null
                : throw RejectedException.Of(Codes.IdReused, $"payout id '{payoutId}' was already used with other content", "id");
        }
        var amount = amountFen ?? free;
        if (amount <= 0)
        {
            throw amountFen is null
                ? RejectedException.Of(Codes.OverBalance, $"nothing is payable to {account} ({Math.Max(free, 0)} fen free)", "amountFen")
                : RejectedException.Of(Codes.Invalid, "a payout amount is whole fen above 0", "amountFen");
        }
        if (amount > free)
        {
            throw RejectedException.Of(Codes.OverBalance, $"{amount} fen is above what {account} is owed less payouts in flight ({Math.Max(free, 0)} fen)", "amountFen");
        }
        return new PayoutRequested(payoutId, partyId, account, amount, destination, PayoutIdempotencyKey(payoutId), at);
    }

    /// <summary>
    /// How long a payout's transfer may be attempted under its idempotency key: Stripe keeps a key's result for at least
    /// 24 hours, so an attempt after that could pay twice. Older payouts that never finished are reconciled by hand.
    /// </summary>
    public static readonly Duration IdempotencyWindow = Duration.FromHours(24);

    /// <summary>
    /// What payouts through the provider hold of <paramref name="account"/>'s payable balance: those requested and not
    /// transferred (in flight, or failed and waiting for a retry), except <paramref name="exceptPayout"/>.
    /// </summary>
    public long ReservedFen(string account, string? exceptPayout = null) =>
        _payouts.Values.Where(p => p.Requested.Account == account && p.Requested.PayoutId != exceptPayout && InFlight(p)).Sum(p => p.Requested.AmountFen);

    /// <summary>A payout that holds its amount: no transfer recorded yet (requested, or failed and retryable).</summary>
    public static bool InFlight(PayoutState p) => p.Transferred is null && p.NotPosted is null;

    /// <summary>
    /// A retry is allowed for a payout whose last attempt failed (or whose outcome is not known yet, <c>requested</c>); it
    /// reuses the payout's idempotency key. It is checked again against the balance: what the party is owed now
    /// (<paramref name="payableFen"/>) less the other payouts in flight must still cover it, and it must be inside the
    /// <see cref="IdempotencyWindow"/>.
    /// </summary>
    public PayoutState DecideRetry(string payoutId, long payableFen, Instant now)
    {
        var payout = _payouts.GetValueOrDefault(payoutId)
            ?? throw RejectedException.Of(Codes.UnknownPayout, $"no payout '{payoutId}'", "payoutId");
        if (payout.Status is not ("failed" or "requested"))
        {
            throw RejectedException.Of(Codes.NotRetryable, $"payout '{payoutId}' is {payout.Status}; only a failed payout is retried", "payoutId");
        }
        if (now - payout.Requested.At > IdempotencyWindow)
        {
            throw RejectedException.Of(Codes.NotRetryable,
                $"payout '{payoutId}' was requested more than 24 hours ago, beyond the provider's idempotency window: reconcile it (GET /v1/reconciliation) instead of retrying", "payoutId");
        }
        var free = payableFen - ReservedFen(payout.Requested.Account, payoutId);
        if (payout.Requested.AmountFen > free)
        {
            throw RejectedException.Of(Codes.OverBalance,
                $"{payout.Requested.AmountFen} fen is above what {payout.Requested.Account} is owed now less other payouts in flight ({Math.Max(free, 0)} fen)", "payoutId");
        }
        return payout;
    }

    public void Evolve(object e)
    {
        switch (e)
        {
            case PaymentIntentCreated c:
                _byIntent[c.IntentId] = EvolveIntent(null, c)!;
                _intentByInvoice[c.InvoiceId] = c.IntentId;
                break;
            case PaymentIntentSucceeded or PaymentIntentFailed or PaymentNotPosted:
                var intentId = IntentIdOf(e)!;
                _eventIds.Add(e switch { PaymentIntentSucceeded s => s.EventId, PaymentIntentFailed f => f.EventId, _ => ((PaymentNotPosted)e).EventId });
                _byIntent[intentId] = EvolveIntent(_byIntent[intentId], e)!;
                break;
            case PayoutAccountSet a:
                _accounts[a.Party] = a.ConnectedAccountId;
                break;
            case PayoutRequested r:
                _payouts[r.PayoutId] = EvolvePayout(null, r)!;
                _payoutOrder.Add(r.PayoutId);
                break;
            case PayoutTransferFailed or PayoutTransferred or PayoutNotPosted:
                var payoutId = PayoutIdOf(e)!;
                _payouts[payoutId] = EvolvePayout(_payouts[payoutId], e)!;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "unknown payments event");
        }
    }

    /// <summary>The intent an intent event is about (null for payout events).</summary>
    public static string? IntentIdOf(object e) => e switch
    {
        PaymentIntentCreated c => c.IntentId,
        PaymentIntentSucceeded s => s.IntentId,
        PaymentIntentFailed f => f.IntentId,
        PaymentNotPosted n => n.IntentId,
        _ => null,
    };

    /// <summary>The payout a payout event is about (null for intent events and <see cref="PayoutAccountSet"/>).</summary>
    public static string? PayoutIdOf(object e) => e switch
    {
        PayoutRequested r => r.PayoutId,
        PayoutTransferFailed f => f.PayoutId,
        PayoutTransferred t => t.PayoutId,
        PayoutNotPosted n => n.PayoutId,
        _ => null,
    };

    /// <summary>One intent's state after <paramref name="e"/> (pure; the book and the intent documents both fold with it).</summary>
    public static IntentState? EvolveIntent(IntentState? intent, object e) => e switch
    {
        PaymentIntentCreated c => new IntentState(c, "created", null, [], null),
        PaymentIntentSucceeded s when intent is not null => intent with { Status = "succeeded", Succeeded = s },
        PaymentIntentFailed f when intent is not null => intent with
        {
            Status = intent.Succeeded is null && intent.NotPosted is null ? "failed" : intent.Status,
            Failures = [.. intent.Failures, f],
        },
        PaymentNotPosted n when intent is not null => intent with { Status = "not-posted", NotPosted = n },
        _ => intent,
    };

    /// <summary>One payout's state after <paramref name="e"/> (pure; the book and the payout documents both fold with it).</summary>
    public static PayoutState? EvolvePayout(PayoutState? payout, object e) => e switch
    {
        PayoutRequested r => new PayoutState(r, "requested", 0, null, null, null),
        PayoutTransferFailed f when payout is not null => payout with { Status = "failed", Attempts = f.Attempt, LastFailure = f },
        PayoutTransferred t when payout is not null => payout with { Status = "paid", Attempts = payout.Attempts + 1, Transferred = t },
        PayoutNotPosted n when payout is not null => payout with { Status = "not-posted", Attempts = payout.Attempts + 1, NotPosted = n },
        _ => payout,
    };
}
