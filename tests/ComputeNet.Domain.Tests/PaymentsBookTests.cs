using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Payments;
using ComputeNet.Domain.Settlement;
using NodaTime;

namespace ComputeNet.Domain.Tests;

/// <summary>Payments through the provider: given payments events, when a decision, then events or a rejection.</summary>
public class PaymentsBookTests
{
    private static readonly Instant T = Instant.FromUtc(2026, 12, 2, 0, 0);
    private static readonly Party Provider = new("prov", 1, PartyRoles.Provider, null, false, null);

    private static PaymentsBook Given(params object[] events)
    {
        var book = new PaymentsBook();
        foreach (var e in events)
        {
            book.Evolve(e);
        }
        return book;
    }

    private static readonly PaymentIntentCreated Created =
        new("2026-12-01.alice", "2026-12-01", "alice", "pi_1", 144_768, "cny", "pi_1_secret", "computenet-invoice-2026-12-01.alice", T);

    [Fact]
    public void Invoice_ids_split_at_the_first_dot()
    {
        Assert.Equal(("2026-12-01", "a.b"), PaymentsBook.ParseInvoiceId("2026-12-01.a.b"));
        Assert.Null(PaymentsBook.ParseInvoiceId("2026-12-01"));
        Assert.Null(PaymentsBook.ParseInvoiceId(".x"));
        Assert.Null(PaymentsBook.ParseInvoiceId("2026-12-01."));
    }

    [Fact]
    public void An_invoice_with_nothing_due_gets_no_intent_and_one_with_an_intent_answers_it()
    {
        var e = Assert.Throws<RejectedException>(() => Given().CheckIntent(new PayableInvoice("2026-12-01.bob", "2026-12-01", "bob", 0)));
        Assert.Equal(Codes.NothingDue, e.Rejection.Code);
        Assert.Null(Given().CheckIntent(new PayableInvoice("2026-12-01.alice", "2026-12-01", "alice", 5)));
        Assert.Equal("pi_1", Given(Created).CheckIntent(new PayableInvoice("2026-12-01.alice", "2026-12-01", "alice", 5))!.Created.IntentId);
    }

    [Fact]
    public void A_succeeded_intent_is_posted_once_and_unknown_or_replayed_events_are_ignored()
    {
        var succeeded = new IntentEvent("evt_1", "payment_intent.succeeded", "pi_1", 144_768, "cny", null, null);
        var post = Assert.IsType<WebhookDecision.Post>(Given(Created).DecideWebhook(succeeded, T));
        Assert.Equal(("stripe-pi_1", 144_768L), (post.CashId, post.AmountFen));

        var posted = new PaymentIntentSucceeded("pi_1", "evt_1", 144_768, "stripe-pi_1", T);
        Assert.IsType<WebhookDecision.Ignore>(Given(Created, posted).DecideWebhook(succeeded, T));
        Assert.IsType<WebhookDecision.Ignore>(Given(Created, posted).DecideWebhook(succeeded with { EventId = "evt_2" }, T));
        Assert.IsType<WebhookDecision.Ignore>(Given().DecideWebhook(succeeded, T));
        Assert.IsType<WebhookDecision.Ignore>(Given(Created).DecideWebhook(succeeded with { Currency = "usd" }, T));
    }

    [Fact]
    public void A_failure_after_the_success_is_kept_but_the_intent_stays_succeeded()
    {
        var failed = new IntentEvent("evt_f", "payment_intent.payment_failed", "pi_1", 0, "cny", "card_declined", "declined");
        var record = Assert.IsType<WebhookDecision.RecordFailure>(Given(Created).DecideWebhook(failed, T));
        var book = Given(Created, new PaymentIntentSucceeded("pi_1", "evt_1", 144_768, "stripe-pi_1", T), record.Failed);
        Assert.Equal("succeeded", book.Intent("pi_1")!.Status);
        Assert.IsType<WebhookDecision.Ignore>(book.DecideWebhook(failed, T));
    }

    [Fact]
    public void A_payout_needs_a_connected_account_and_reserves_its_amount_until_posted()
    {
        var none = Assert.Throws<RejectedException>(() => Given().DecidePayout("po-1", "prov", "provider:prov", null, 1_000, T));
        Assert.Equal(Codes.NoPayoutAccount, none.Rejection.Code);

        var account = Given().DecideSetAccount(Provider, "prov", "acct_1", T);
        var first = Given(account).DecidePayout("po-1", "prov", "provider:prov", null, 1_000, T)!;
        Assert.Equal((1_000L, "acct_1", "computenet-payout-po-1"), (first.AmountFen, first.Destination, first.IdempotencyKey));

        var failed = new PayoutTransferFailed("po-1", 1, "fake_outage", "down", T);
        var book = Given(account, first, failed);
        Assert.Equal(Codes.OverBalance, Assert.Throws<RejectedException>(() => book.DecidePayout("po-2", "prov", "provider:prov", 1, 1_000, T)).Rejection.Code);
        Assert.Null(book.DecidePayout("po-1", "prov", "provider:prov", null, 1_000, T));
        Assert.Equal(Codes.IdReused, Assert.Throws<RejectedException>(() => book.DecidePayout("po-1", "prov", "provider:prov", 5, 1_000, T)).Rejection.Code);
        Assert.Equal("failed", book.DecideRetry("po-1", 1_000, T).Status);

        var paid = Given(account, first, failed, new PayoutTransferred("po-1", "tr_1", "stripe-payout-po-1", T));
        Assert.Equal(2, paid.Payout("po-1")!.Attempts);
        Assert.Equal(Codes.NotRetryable, Assert.Throws<RejectedException>(() => paid.DecideRetry("po-1", 1_000, T)).Rejection.Code);
    }

    [Fact]
    public void A_retry_is_checked_again_against_the_balance_other_payouts_in_flight_and_the_idempotency_window()
    {
        var account = Given().DecideSetAccount(Provider, "prov", "acct_1", T);
        var first = Given(account).DecidePayout("po-1", "prov", "provider:prov", 600, 1_000, T)!;
        var second = Given(account, first).DecidePayout("po-2", "prov", "provider:prov", 400, 1_000, T)!;
        var failed = new PayoutTransferFailed("po-1", 1, "fake_outage", "down", T);
        var book = Given(account, first, second, failed);
        // Both hold their amounts: 1,000 owed covers po-1 (600) beside po-2 (400) in flight.
        Assert.Equal(1_000, book.ReservedFen("provider:prov"));
        Assert.Equal(400, book.ReservedFen("provider:prov", exceptPayout: "po-1"));
        Assert.Equal("failed", book.DecideRetry("po-1", 1_000, T).Status);
        // The balance fell meanwhile (a reversal): 999 no longer covers 600 beside 400 — refused, nothing is sent.
        var over = Assert.Throws<RejectedException>(() => book.DecideRetry("po-1", 999, T));
        Assert.Equal((Codes.OverBalance, "payoutId"), (over.Rejection.Code, over.Rejection.Field));
        // At the window's end exactly it may still go; one tick later the key may be forgotten, so it is reconciled by hand.
        Assert.Equal("failed", book.DecideRetry("po-1", 1_000, T + PaymentsBook.IdempotencyWindow).Status);
        var late = Assert.Throws<RejectedException>(() => book.DecideRetry("po-1", 1_000, T + PaymentsBook.IdempotencyWindow + NodaTime.Duration.Epsilon));
        Assert.Equal(Codes.NotRetryable, late.Rejection.Code);
        // A transfer recorded (paid or not posted) holds nothing any more.
        var done = Given(account, first, second, failed, new PayoutNotPosted("po-2", "tr_2", Codes.OverBalance, "paid by bank", T));
        Assert.Equal(600, done.ReservedFen("provider:prov"));
        Assert.Equal(Codes.UnknownPayout, Assert.Throws<RejectedException>(() => done.DecideRetry("po-x", 1_000, T)).Rejection.Code);
    }

    [Fact]
    public void Reconciliation_lists_differences_both_ways_and_ignores_offline_cash()
    {
        static TransactionPosted Cash(string id, string kind, long fen) => new($"cash/{id}", "", kind, id,
            kind == "payment" ? [new Posting("cash:clearing", fen), new Posting("buyer:alice", -fen)] : [new Posting("provider:prov", fen), new Posting("cash:clearing", -fen)], T);

        var book = Given(Created);
        var report = Reconciliation.Compare(
            [new ProviderIntent("pi_1", 144_768, 144_768, "cny", "succeeded", "2026-12-01.alice")],
            [new ProviderTransfer("tr_1", 900, "cny", "acct_1", "po-1", false)],
            [Cash("stripe-pi_1", "payment", 144_000), Cash("bank-1", "payment", 5), Cash("stripe-payout-po-9", "payout", 10)],
            book);
        Assert.Equal(["amount-mismatch pi_1", "payout-without-transfer po-9", "transfer-without-payout tr_1"],
            report.Differences.Select(d => $"{d.Kind} {d.Subject}").Order().ToList());
        Assert.Equal(5, report.Totals.LedgerOfflinePaymentsFen);
        Assert.False(report.Matches);
    }
}
