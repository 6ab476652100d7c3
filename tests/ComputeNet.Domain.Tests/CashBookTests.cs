using ComputeNet.Domain.Ledger;
using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Settlement;
using NodaTime;

namespace ComputeNet.Domain.Tests;

/// <summary>market-rules §10 and §12 (cash): payments, payouts and reimbursements as balanced transactions, checked in order.</summary>
public class CashBookTests
{
    private static readonly Dictionary<string, Party> Known = new[]
    {
        new Party("buyer", 1, PartyRoles.Buyer, "shanghai", true, null),
        new Party("prov", 2, PartyRoles.Provider, null, false, null),
        new Party("carr", 3, PartyRoles.Carrier, null, false, null),
        new Party("both", 4, PartyRoles.Provider | PartyRoles.Carrier, null, false, null),
        new Party("iss", 5, PartyRoles.Issuer, null, false, null),
        new Party("reg", 6, PartyRoles.Regulator, null, false, null),
    }.ToDictionary(p => p.Id);

    private static Party? Parties(string id) => Known.GetValueOrDefault(id);

    /// <summary>Open balances (debit positive): the buyer and issuer owe, the provider and carrier are owed.</summary>
    private static readonly Dictionary<string, long> Balances = new()
    {
        ["buyer:buyer"] = 10_000, ["issuer:iss"] = 4_000, ["provider:prov"] = -7_000, ["carrier:carr"] = -3_000,
        ["provider:both"] = -500, ["carrier:both"] = -600,
    };

    private static long Balance(string account) => Balances.GetValueOrDefault(account);

    private static readonly Instant At = Sh.Dec(3, 10);

    private static RecordCash Cash(string kind, string party, long amount, string? id = "c1", string? account = null) => new(kind, id, party, account, amount, At);

    private static CashBook Given(params object[] events)
    {
        var book = new CashBook();
        foreach (var e in events)
        {
            book.Evolve(e);
        }
        return book;
    }

    private static IReadOnlyList<object> When(CashBook book, RecordCash cmd) => book.Decide(cmd, Parties, Balance);

    [Fact]
    public void A_payment_debits_clearing_and_credits_the_buyer()
    {
        var tx = Assert.IsType<TransactionPosted>(Assert.Single(When(Given(), Cash("payment", "buyer", 2_500))));

        Assert.Equal(new TransactionPosted("cash/c1", "", "payment", "payment c1 by buyer", tx.Postings, At), tx);
        Assert.Equal([new Posting("cash:clearing", 2_500), new Posting("buyer:buyer", -2_500)], tx.Postings);
    }

    [Fact]
    public void A_reimbursement_debits_clearing_and_credits_the_issuer()
    {
        var tx = Assert.IsType<TransactionPosted>(Assert.Single(When(Given(), Cash("reimburse", "iss", 4_000))));

        Assert.Equal(("cash/c1", "reimburse", "reimburse c1 by iss"), (tx.TxId, tx.Kind, tx.Memo));
        Assert.Equal([new Posting("cash:clearing", 4_000), new Posting("issuer:iss", -4_000)], tx.Postings);
    }

    [Fact]
    public void A_payout_debits_the_payable_account_and_credits_clearing()
    {
        var tx = Assert.IsType<TransactionPosted>(Assert.Single(When(Given(), Cash("payout", "prov", 7_000))));
        Assert.Equal([new Posting("provider:prov", 7_000), new Posting("cash:clearing", -7_000)], tx.Postings);
        Assert.Equal(("cash/c1", "", "payout", "payout c1 by prov", At), (tx.TxId, tx.Period, tx.Kind, tx.Memo, tx.At));

        var carrier = Assert.IsType<TransactionPosted>(Assert.Single(When(Given(), Cash("payout", "carr", 1))));
        Assert.Equal([new Posting("carrier:carr", 1), new Posting("cash:clearing", -1)], carrier.Postings);
    }

    [Fact]
    public void A_party_both_provider_and_carrier_names_the_account()
    {
        Assert.Equal("provider:both", ((TransactionPosted)When(Given(), Cash("payout", "both", 500, account: "provider"))[0]).Postings[0].Account);
        Assert.Equal("carrier:both", ((TransactionPosted)When(Given(), Cash("payout", "both", 600, account: "carrier"))[0]).Postings[0].Account);
        Then.Rejected(Codes.Invalid, "account", () => When(Given(), Cash("payout", "both", 100)));
        Then.Rejected(Codes.Invalid, "account", () => When(Given(), Cash("payout", "both", 100, account: "buyer")));
    }

    [Fact]
    public void The_payout_account_is_one_of_the_partys_roles()
    {
        Assert.Equal("provider:prov", CashBook.PayoutAccount(Known["prov"], null));
        Assert.Equal("provider:prov", CashBook.PayoutAccount(Known["prov"], "provider"));
        Assert.Equal("carrier:carr", CashBook.PayoutAccount(Known["carr"], null));
        Assert.Equal("carrier:carr", CashBook.PayoutAccount(Known["carr"], "carrier"));
        Then.Rejected(Codes.Invalid, "account", () => CashBook.PayoutAccount(Known["prov"], "carrier"));
        Then.Rejected(Codes.Invalid, "account", () => CashBook.PayoutAccount(Known["carr"], "provider"));
        Then.Rejected(Codes.WrongRole, "party", () => CashBook.PayoutAccount(Known["buyer"], "provider"));
    }

    [Fact]
    public void The_checks_run_in_order_kind_party_role_id()
    {
        Then.Rejected(Codes.Invalid, "type", () => When(Given(), Cash("refund-everything", "nobody", -1, id: null)));
        Then.Rejected(Codes.UnknownParty, "party", () => When(Given(), Cash("payment", "nobody", -1, id: null)));
        Assert.Equal("'prov' is not a buyer", Then.Rejected(Codes.WrongRole, "party", () => When(Given(), Cash("payment", "prov", -1, id: null))).Reason);
        Assert.Equal("'buyer' is not a voucher issuer",
            Then.Rejected(Codes.WrongRole, "party", () => When(Given(), Cash("reimburse", "buyer", -1, id: null))).Reason);
        Assert.Equal("'reg' is neither a provider nor a carrier", Then.Rejected(Codes.WrongRole, "party", () => When(Given(), Cash("payout", "reg", -1, id: null))).Reason);
        Then.Rejected(Codes.WrongRole, "party", () => When(Given(), Cash("payout", "reg", -1, id: null)));
        Then.Rejected(Codes.WrongRole, "party", () => When(Given(), Cash("payout", "buyer", 1)));
        Then.Rejected(Codes.Invalid, "id", () => When(Given(), Cash("payment", "buyer", -1, id: null)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void A_cash_action_needs_an_id(string? id) => Then.Rejected(Codes.Invalid, "id", () => When(Given(), Cash("payment", "buyer", 1, id)));

    [Fact]
    public void A_cash_id_is_at_most_64_characters()
    {
        Assert.Single(When(Given(), Cash("payment", "buyer", 1, new string('c', 64))));
        Then.Rejected(Codes.Invalid, "id", () => When(Given(), Cash("payment", "buyer", 1, new string('c', 65))));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void An_amount_of_zero_or_less_is_invalid(long amount) =>
        Then.Rejected(Codes.Invalid, "amountFen", () => When(Given(), Cash("payment", "buyer", amount)));

    [Fact]
    public void An_amount_above_the_open_balance_is_over_balance_equal_is_accepted()
    {
        Assert.Single(When(Given(), Cash("payment", "buyer", 10_000)));
        var r = Then.Rejected(Codes.OverBalance, "amountFen", () => When(Given(), Cash("payment", "buyer", 10_001)));
        Assert.Contains("(10000 fen)", r.Reason);
        Assert.Single(When(Given(), Cash("payout", "prov", 7_000)));
        Then.Rejected(Codes.OverBalance, "amountFen", () => When(Given(), Cash("payout", "prov", 7_001)));
        Assert.Single(When(Given(), Cash("payout", "carr", 3_000)));
        Then.Rejected(Codes.OverBalance, "amountFen", () => When(Given(), Cash("payout", "carr", 3_001)));
        Assert.Single(When(Given(), Cash("reimburse", "iss", 4_000)));
        Then.Rejected(Codes.OverBalance, "amountFen", () => When(Given(), Cash("reimburse", "iss", 4_001)));
        Then.Rejected(Codes.OverBalance, "amountFen", () => When(Given(), Cash("payout", "both", 501, account: "provider")));
    }

    [Fact]
    public void A_buyer_in_credit_cannot_pay_and_the_reason_shows_nothing_open()
    {
        var book = new CashBook();
        var r = Then.Rejected(Codes.OverBalance, "amountFen", () => book.Decide(Cash("payment", "buyer", 1), Parties, _ => -300));
        Assert.Contains("(0 fen)", r.Reason);
        // A provider that owes the platform (a debit balance) is owed nothing.
        Then.Rejected(Codes.OverBalance, "amountFen", () => book.Decide(Cash("payout", "prov", 1), Parties, _ => 300));
    }

    [Fact]
    public void A_repeat_with_the_same_content_changes_nothing_other_content_is_id_reused()
    {
        var first = (TransactionPosted)When(Given(), Cash("payment", "buyer", 2_500))[0];
        var book = Given(first);

        Assert.Equal(first, book.Find("c1"));
        Assert.Null(book.Find("c2"));
        Assert.Empty(When(book, Cash("payment", "buyer", 2_500)));
        // The repeat is answered before the amount and balance checks: the balance may have changed since.
        Assert.Empty(book.Decide(Cash("payment", "buyer", 2_500), Parties, _ => 0));
        Then.Rejected(Codes.IdReused, "id", () => When(book, Cash("payment", "buyer", 2_501)));
        Then.Rejected(Codes.IdReused, "id", () => When(book, Cash("reimburse", "iss", 2_500)));
        Then.Rejected(Codes.IdReused, "id", () => When(book, Cash("payout", "prov", 2_500)));
        Then.Rejected(Codes.IdReused, "id", () => When(book, Cash("payment", "buyer", -2_500)));
    }

    [Fact]
    public void Ids_are_shared_by_every_kind_of_cash_action()
    {
        var payout = (TransactionPosted)When(Given(), Cash("payout", "prov", 100))[0];
        var book = Given(payout);

        Assert.Empty(When(book, Cash("payout", "prov", 100)));
        Then.Rejected(Codes.IdReused, "id", () => When(book, Cash("payment", "buyer", 100)));
        Assert.Equal("cash/x", CashBook.TxIdOf("x"));
    }

    // ---- market-rules §14, which the cash book does not implement yet (listed in the report to the lead) ----------------

    [Fact(Skip = "market-rules §14 (Refund): a `refund` cash action debits the buyer (or issuer) and credits cash:clearing up to what the platform owes it; CashBook answers `invalid` (type)")]
    public void A_refund_pays_back_what_the_platform_owes_the_buyer()
    {
        var tx = Assert.IsType<TransactionPosted>(Assert.Single(new CashBook().Decide(Cash("refund", "buyer", 300), Parties, _ => -300)));
        Assert.Equal([new Posting("buyer:buyer", 300), new Posting("cash:clearing", -300)], tx.Postings);
        Then.Rejected(Codes.OverBalance, "amountFen", () => new CashBook().Decide(Cash("refund", "buyer", 301), Parties, _ => -300));
    }

    [Fact(Skip = "market-rules §14 (Revenue-share payout): a `payout` with account `region` and a region id as party debits region:{id}, credit cash:clearing; CashBook answers `unknown-party`")]
    public void A_region_is_paid_out_its_revenue_share()
    {
        var tx = Assert.IsType<TransactionPosted>(Assert.Single(new CashBook().Decide(Cash("payout", "ningxia", 1_086, account: "region"), Parties, _ => -1_086)));
        Assert.Equal([new Posting("region:ningxia", 1_086), new Posting("cash:clearing", -1_086)], tx.Postings);
    }

    [Fact]
    public void Evolve_ignores_other_events() => Assert.Null(Given("not a transaction").Find("c1"));
}
