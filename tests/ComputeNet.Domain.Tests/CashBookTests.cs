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

    // ---- market-rules §14: refunds and revenue-share payouts -------------------------------------------------------------

    private static readonly Party BuyerIssuer = new("bi", 7, PartyRoles.Buyer | PartyRoles.Issuer, "shanghai", true, null);

    private static Party? PartiesWithBoth(string id) => id == BuyerIssuer.Id ? BuyerIssuer : Known.GetValueOrDefault(id);

    private static bool Regions(string id) => id is "east-sh" or "ningxia";

    /// <summary>Credit balances the platform owes: a buyer's and an issuer's overpayment, the regions' revenue shares.</summary>
    private static long Owed(string account) => account switch
    {
        "buyer:buyer" => -300, "issuer:iss" => -200, "buyer:bi" => -50, "issuer:bi" => -70,
        "region:ningxia" => -1_086, "region:east-sh" => -1_086, "provider:prov" => -7_000,
        _ => 0,
    };

    private static IReadOnlyList<object> WhenOwed(CashBook book, RecordCash cmd) => book.Decide(cmd, PartiesWithBoth, Owed, Regions);

    [Fact]
    public void A_refund_debits_the_buyer_and_credits_clearing()
    {
        var tx = Assert.IsType<TransactionPosted>(Assert.Single(WhenOwed(Given(), Cash("refund", "buyer", 120))));

        Assert.Equal(new TransactionPosted("cash/c1", "", "refund", "refund c1 by buyer", tx.Postings, At), tx);
        Assert.Equal([new Posting("buyer:buyer", 120), new Posting("cash:clearing", -120)], tx.Postings);
    }

    [Fact]
    public void A_refund_to_an_issuer_debits_the_issuer()
    {
        var tx = Assert.IsType<TransactionPosted>(Assert.Single(WhenOwed(Given(), Cash("refund", "iss", 200))));
        Assert.Equal([new Posting("issuer:iss", 200), new Posting("cash:clearing", -200)], tx.Postings);
        var named = Assert.IsType<TransactionPosted>(Assert.Single(WhenOwed(Given(), Cash("refund", "iss", 1, account: "issuer"))));
        Assert.Equal("issuer:iss", named.Postings[0].Account);
    }

    [Fact]
    public void A_refund_is_up_to_the_credit_balance_exactly_the_balance_is_accepted_one_fen_above_is_over_balance()
    {
        Assert.Single(WhenOwed(Given(), Cash("refund", "buyer", 300)));
        var r = Then.Rejected(Codes.OverBalance, "amountFen", () => WhenOwed(Given(), Cash("refund", "buyer", 301)));
        Assert.Equal("301 fen is above the open balance of buyer:buyer (300 fen)", r.Reason);
        Assert.Single(WhenOwed(Given(), Cash("refund", "iss", 200)));
        Then.Rejected(Codes.OverBalance, "amountFen", () => WhenOwed(Given(), Cash("refund", "iss", 201)));
    }

    [Fact]
    public void A_buyer_who_owes_money_or_is_square_cannot_be_refunded()
    {
        // A debit balance (the buyer owes the platform) leaves nothing to refund; the reason shows 0 open.
        var owes = Then.Rejected(Codes.OverBalance, "amountFen", () => new CashBook().Decide(Cash("refund", "buyer", 1), Parties, Balance, Regions));
        Assert.Contains("(0 fen)", owes.Reason);
        Then.Rejected(Codes.OverBalance, "amountFen", () => new CashBook().Decide(Cash("refund", "buyer", 1), Parties, _ => 0, Regions));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_refund_or_region_payout_of_zero_or_less_is_invalid(long amount)
    {
        Then.Rejected(Codes.Invalid, "amountFen", () => WhenOwed(Given(), Cash("refund", "buyer", amount)));
        Then.Rejected(Codes.Invalid, "amountFen", () => WhenOwed(Given(), Cash("payout", "ningxia", amount, account: "region")));
    }

    [Fact]
    public void A_refund_to_a_party_both_buyer_and_issuer_names_the_account()
    {
        Assert.Equal([new Posting("buyer:bi", 50), new Posting("cash:clearing", -50)],
            ((TransactionPosted)WhenOwed(Given(), Cash("refund", "bi", 50, account: "buyer"))[0]).Postings);
        Assert.Equal([new Posting("issuer:bi", 70), new Posting("cash:clearing", -70)],
            ((TransactionPosted)WhenOwed(Given(), Cash("refund", "bi", 70, account: "issuer"))[0]).Postings);
        // Each account is refunded up to its own credit balance, not the sum of both.
        Then.Rejected(Codes.OverBalance, "amountFen", () => WhenOwed(Given(), Cash("refund", "bi", 51, account: "buyer")));
        Then.Rejected(Codes.OverBalance, "amountFen", () => WhenOwed(Given(), Cash("refund", "bi", 71, account: "issuer")));
        Assert.Equal("'bi' is both buyer and voucher issuer: name the account",
            Then.Rejected(Codes.Invalid, "account", () => WhenOwed(Given(), Cash("refund", "bi", 10))).Reason);
        Then.Rejected(Codes.Invalid, "account", () => WhenOwed(Given(), Cash("refund", "bi", 10, account: "provider")));
    }

    [Fact]
    public void The_refund_account_is_one_of_the_partys_roles()
    {
        Assert.Equal("buyer:buyer", CashBook.RefundAccount(Known["buyer"], null));
        Assert.Equal("buyer:buyer", CashBook.RefundAccount(Known["buyer"], "buyer"));
        Assert.Equal("issuer:iss", CashBook.RefundAccount(Known["iss"], null));
        Then.Rejected(Codes.Invalid, "account", () => CashBook.RefundAccount(Known["buyer"], "issuer"));
        Then.Rejected(Codes.Invalid, "account", () => CashBook.RefundAccount(Known["iss"], "buyer"));
        Then.Rejected(Codes.WrongRole, "party", () => CashBook.RefundAccount(Known["prov"], null));
    }

    [Fact]
    public void A_refunds_checks_run_in_order_party_role_id_amount_balance()
    {
        Then.Rejected(Codes.UnknownParty, "party", () => WhenOwed(Given(), Cash("refund", "nobody", -1, id: null)));
        Assert.Equal("'prov' is neither a buyer nor a voucher issuer",
            Then.Rejected(Codes.WrongRole, "party", () => WhenOwed(Given(), Cash("refund", "prov", -1, id: null))).Reason);
        Then.Rejected(Codes.WrongRole, "party", () => WhenOwed(Given(), Cash("refund", "reg", -1, id: null)));
        Then.Rejected(Codes.Invalid, "id", () => WhenOwed(Given(), Cash("refund", "buyer", -1, id: null)));
        Then.Rejected(Codes.Invalid, "id", () => WhenOwed(Given(), Cash("refund", "buyer", 1, id: new string('r', 65))));
        Then.Rejected(Codes.Invalid, "amountFen", () => WhenOwed(Given(), Cash("refund", "buyer", -1)));
        Then.Rejected(Codes.Invalid, "amountFen", () => WhenOwed(Given(), Cash("refund", "buyer", long.MaxValue)));
        Then.Rejected(Codes.OverBalance, "amountFen", () => WhenOwed(Given(), Cash("refund", "buyer", 1_000)));
    }

    [Fact]
    public void A_region_is_paid_out_its_revenue_share()
    {
        var tx = Assert.IsType<TransactionPosted>(Assert.Single(WhenOwed(Given(), Cash("payout", "ningxia", 1_086, account: "region"))));
        Assert.Equal([new Posting("region:ningxia", 1_086), new Posting("cash:clearing", -1_086)], tx.Postings);
        Assert.Equal(("cash/c1", "payout", "payout c1 by ningxia"), (tx.TxId, tx.Kind, tx.Memo));
        var demand = Assert.IsType<TransactionPosted>(Assert.Single(WhenOwed(Given(), Cash("payout", "east-sh", 1, account: "region"))));
        Assert.Equal("region:east-sh", demand.Postings[0].Account);
    }

    [Fact]
    public void A_region_payout_is_up_to_what_the_region_is_owed()
    {
        Assert.Single(WhenOwed(Given(), Cash("payout", "ningxia", 1_086, account: "region")));
        var r = Then.Rejected(Codes.OverBalance, "amountFen", () => WhenOwed(Given(), Cash("payout", "ningxia", 1_087, account: "region")));
        Assert.Equal("1087 fen is above the open balance of region:ningxia (1086 fen)", r.Reason);
        // A region owed nothing (never credited) is paid nothing.
        Then.Rejected(Codes.OverBalance, "amountFen", () => new CashBook().Decide(Cash("payout", "ningxia", 1, account: "region"), Parties, _ => 0, Regions));
    }

    [Fact]
    public void An_unknown_region_is_invalid_and_checked_before_the_id()
    {
        Assert.Contains("'nowhere'", Then.Rejected(Codes.Invalid, "party",
            () => WhenOwed(Given(), Cash("payout", "nowhere", -1, id: null, account: "region"))).Reason);
        // A registered party is not a region; without a region lookup no region is known.
        Then.Rejected(Codes.Invalid, "party", () => WhenOwed(Given(), Cash("payout", "prov", 1, account: "region")));
        Then.Rejected(Codes.Invalid, "party", () => new CashBook().Decide(Cash("payout", "ningxia", 1, account: "region"), Parties, Owed));
        Then.Rejected(Codes.Invalid, "id", () => WhenOwed(Given(), Cash("payout", "ningxia", -1, id: null, account: "region")));
        // `region` names the account of a payout only: a refund or payment to a region is not a thing.
        Then.Rejected(Codes.UnknownParty, "party", () => WhenOwed(Given(), Cash("refund", "ningxia", 1, account: "region")));
    }

    [Fact]
    public void Refunds_and_region_payouts_share_the_cash_id_space_and_repeat_rules()
    {
        var refund = (TransactionPosted)WhenOwed(Given(), Cash("refund", "buyer", 300))[0];
        var book = Given(refund);
        // An exact repeat changes nothing, even after the balance that allowed it is gone.
        Assert.Empty(book.Decide(Cash("refund", "buyer", 300), Parties, _ => 0, Regions));
        Then.Rejected(Codes.IdReused, "id", () => WhenOwed(book, Cash("refund", "buyer", 299)));
        Then.Rejected(Codes.IdReused, "id", () => WhenOwed(book, Cash("payout", "ningxia", 300, account: "region")));
        Then.Rejected(Codes.IdReused, "id", () => WhenOwed(book, Cash("payment", "buyer", 300)));

        var regionPayout = (TransactionPosted)WhenOwed(Given(), Cash("payout", "ningxia", 1_000, account: "region"))[0];
        var regions = Given(regionPayout);
        Assert.Empty(regions.Decide(Cash("payout", "ningxia", 1_000, account: "region"), Parties, _ => 0, Regions));
        Then.Rejected(Codes.IdReused, "id", () => WhenOwed(regions, Cash("payout", "east-sh", 1_000, account: "region")));
        Then.Rejected(Codes.IdReused, "id", () => WhenOwed(regions, Cash("refund", "buyer", 300)));
    }

    [Fact]
    public void Evolve_ignores_other_events() => Assert.Null(Given("not a transaction").Find("c1"));
}
