using ComputeNet.Domain.Audit;
using ComputeNet.Domain.Disputes;
using ComputeNet.Domain.Parties;
using ComputeNet.Domain.Settlement;
using NodaTime;

namespace ComputeNet.Domain.Tests;

/// <summary>market-rules §14: disputes, their resolution and the credit note's split — given events, when a command, then events.</summary>
public class DisputeTests
{
    private static readonly Instant Closed = Sh.Dec(3, 1);
    private static readonly Party Buyer = new("sme-sh-1", 1, PartyRoles.Buyer, "shanghai", true, null);
    private static readonly Party OtherBuyer = new("sme-sh-2", 2, PartyRoles.Buyer, "shanghai", true, null);
    private static readonly Party Provider = new("prov-a", 3, PartyRoles.Provider, null, false, null);

    /// <summary>The worked example's line (§13): A 144,768, V 43,430, F 4,343 = P 2,171 + Rd 1,086 + Rs 1,086.</summary>
    private static readonly DisputedLine Worked = new("2026-12-02/lease-1/compute", "2026-12-02", "sme-sh-1", "lease-1", "b1", "o1", LineKinds.Compute, false,
        144_768, 43_430, "issuer:iss", "provider:prov-a", 140_425, 2_171, [new Posting("region:shanghai", 1_086), new Posting("region:ningxia", 1_086)], Closed);

    private static OpenDispute Open(string? id = "d1", string party = "sme-sh-1", long amount = 1_000, string? reason = "usage counted twice",
        Instant? at = null, string kind = LineKinds.Compute) =>
        new(id, party, "2026-12-02", "b1", "o1", kind, false, amount, reason, at ?? Sh.Dec(4, 9));

    private static DisputeLine Given(params object[] events)
    {
        var line = new DisputeLine();
        foreach (var e in events)
        {
            line.Evolve(e);
        }
        return line;
    }

    private static DisputeOpened Opened(string id = "d1", long claim = 1_000, string reason = "usage counted twice", DisputedLine? of = null) =>
        new(id, "sme-sh-1", claim, reason, of ?? Worked, Sh.Dec(4, 9));

    private static ResolveDispute Accept(long? x, string id = "d1") => new(id, Outcomes.Accept, x, Sh.Dec(5, 9));

    private static (DisputeAccepted Accepted, CreditNoteIssued Note, TransactionPosted Tx) Accepted(DisputeLine line, long x, string id = "d1",
        string? previous = null)
    {
        var events = line.Decide(Accept(x, id), previous ?? Statements.Genesis);
        Assert.Equal(3, events.Count);
        return ((DisputeAccepted)events[0], (CreditNoteIssued)events[1], (TransactionPosted)events[2]);
    }

    // ---- opening: every code, in §14's order ----

    [Fact]
    public void A_dispute_opens_on_the_buyers_line()
    {
        var opened = Assert.IsType<DisputeOpened>(Assert.Single(Given().Decide(Open(), Buyer, null, Worked)));
        Assert.Equal(Opened(), opened);
    }

    [Fact]
    public void An_unknown_party_comes_first() =>
        Then.Rejected(Codes.UnknownParty, "party", () => Given(Opened("d0")).Decide(Open(id: null, amount: 0), null, null, null));

    [Fact]
    public void Only_a_buyer_disputes() => Then.Rejected(Codes.WrongRole, "party", () => Given().Decide(Open(party: "prov-a", amount: 0), Provider, null, Worked));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void A_dispute_needs_an_id(string? id) => Then.Rejected(Codes.Invalid, "id", () => Given().Decide(Open(id: id), Buyer, null, Worked));

    [Fact]
    public void An_id_longer_than_64_is_invalid() => Then.Rejected(Codes.Invalid, "id", () => Given().Decide(Open(id: new string('d', 65)), Buyer, null, Worked));

    [Fact]
    public void The_same_content_again_is_a_no_op_even_when_the_line_is_now_disputed() =>
        Assert.Empty(Given(Opened()).Decide(Open(), Buyer, Opened(), Worked));

    [Fact]
    public void The_same_id_with_other_content_is_id_reused_before_any_field_check() =>
        Then.Rejected(Codes.IdReused, "id", () => Given().Decide(Open(amount: 0, reason: null), Buyer, Opened(), null));

    [Fact]
    public void A_line_the_buyer_does_not_have_is_invalid()
    {
        Then.Rejected(Codes.Invalid, "period", () => Given().Decide(Open(), Buyer, null, null));
        Then.Rejected(Codes.Invalid, "period", () => Given().Decide(Open(party: "sme-sh-2"), OtherBuyer, null, Worked));
    }

    [Fact]
    public void An_sla_credit_line_is_not_disputed() =>
        Then.Rejected(Codes.Invalid, "kind", () => Given().Decide(Open(kind: LineKinds.SlaCredit),
            Buyer, null, Worked with { Kind = LineKinds.SlaCredit, AmountFen = -100, VoucherFen = 0, Issuer = null }));

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(144_769)]
    public void A_claim_is_1_to_the_line_amount(long amount) =>
        Then.Rejected(Codes.Invalid, "amountFen", () => Given().Decide(Open(amount: amount), Buyer, null, Worked));

    [Fact]
    public void A_claim_of_the_whole_line_and_of_1_fen_are_accepted()
    {
        Assert.Single(Given().Decide(Open(amount: 144_768), Buyer, null, Worked));
        Assert.Single(Given().Decide(Open(amount: 1), Buyer, null, Worked));
    }

    [Fact]
    public void A_claim_is_at_most_what_earlier_credit_notes_left()
    {
        var line = Given(Opened(claim: 100_000));
        var (accepted, _, _) = Accepted(line, 100_000);
        line.Evolve(accepted);
        Then.Rejected(Codes.Invalid, "amountFen", () => line.Decide(Open(id: "d2", amount: 44_769), Buyer, null, Worked));
        Assert.Equal(44_768, Assert.IsType<DisputeOpened>(Assert.Single(line.Decide(Open(id: "d2", amount: 44_768), Buyer, null, Worked))).ClaimFen);
    }

    [Fact]
    public void Nothing_left_means_no_claim_is_valid()
    {
        var line = Given(Opened(claim: 144_768));
        line.Evolve(Accepted(line, 144_768).Accepted);
        Then.Rejected(Codes.Invalid, "amountFen", () => line.Decide(Open(id: "d2", amount: 1), Buyer, null, Worked));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    public void A_dispute_states_its_reason(string? reason) => Then.Rejected(Codes.Invalid, "reason", () => Given().Decide(Open(reason: reason), Buyer, null, Worked));

    [Fact]
    public void A_reason_is_at_most_500_characters()
    {
        Then.Rejected(Codes.Invalid, "reason", () => Given().Decide(Open(reason: new string('x', 501)), Buyer, null, Worked));
        Assert.Single(Given().Decide(Open(reason: new string('x', 500)), Buyer, null, Worked));
    }

    [Fact]
    public void An_undecided_dispute_blocks_another_on_the_line() =>
        Then.Rejected(Codes.DisputeOpen, "id", () => Given(Opened()).Decide(Open(id: "d2"), Buyer, null, Worked));

    [Fact]
    public void Invalid_comes_before_dispute_open_and_dispute_open_before_the_window()
    {
        Then.Rejected(Codes.Invalid, "amountFen", () => Given(Opened()).Decide(Open(id: "d2", amount: 0, at: Closed + Duration.FromDays(40)), Buyer, null, Worked));
        Then.Rejected(Codes.DisputeOpen, "id", () => Given(Opened()).Decide(Open(id: "d2", at: Closed + Duration.FromDays(40)), Buyer, null, Worked));
    }

    [Fact]
    public void A_decided_dispute_no_longer_blocks_the_line()
    {
        var line = Given(Opened(), new DisputeRejected("d1", Sh.Dec(5)));
        Assert.Single(line.Decide(Open(id: "d2"), Buyer, null, Worked));
    }

    [Fact]
    public void The_window_ends_exactly_30_times_24_hours_after_the_close()
    {
        Assert.Single(Given().Decide(Open(at: Closed + Duration.FromHours(720) - Duration.Epsilon), Buyer, null, Worked));
        Then.Rejected(Codes.DisputeWindowEnded, "at", () => Given().Decide(Open(at: Closed + Duration.FromHours(720)), Buyer, null, Worked));
    }

    // ---- resolution ----

    [Fact]
    public void An_unknown_dispute_is_invalid() => Then.Rejected(Codes.Invalid, "dispute", () => Given(Opened()).Decide(Accept(1, "nope"), Statements.Genesis));

    [Fact]
    public void An_outcome_is_accept_or_reject() =>
        Then.Rejected(Codes.Invalid, "outcome", () => Given(Opened()).Decide(new ResolveDispute("d1", "maybe", 1, Sh.Dec(5)), Statements.Genesis));

    [Theory]
    [InlineData(null)]
    [InlineData(0L)]
    [InlineData(1_001L)]
    public void An_accepted_amount_is_1_to_the_claim(long? x) =>
        Then.Rejected(Codes.Invalid, "amountFen", () => Given(Opened()).Decide(Accept(x), Statements.Genesis));

    [Fact]
    public void A_rejection_carries_no_amount_and_issues_nothing()
    {
        Then.Rejected(Codes.Invalid, "amountFen", () => Given(Opened()).Decide(new ResolveDispute("d1", Outcomes.Reject, 5, Sh.Dec(5)), Statements.Genesis));
        Assert.IsType<DisputeRejected>(Assert.Single(Given(Opened()).Decide(new ResolveDispute("d1", Outcomes.Reject, null, Sh.Dec(5)), Statements.Genesis)));
    }

    [Fact]
    public void A_dispute_is_decided_once()
    {
        var line = Given(Opened());
        line.Evolve(Accepted(line, 600).Accepted);
        Assert.Empty(line.Decide(Accept(600), Statements.Genesis));
        Then.Rejected(Codes.Invalid, "outcome", () => line.Decide(Accept(601), Statements.Genesis));
        Then.Rejected(Codes.Invalid, "outcome", () => line.Decide(new ResolveDispute("d1", Outcomes.Reject, null, Sh.Dec(6)), Statements.Genesis));

        var rejected = Given(Opened(), new DisputeRejected("d1", Sh.Dec(5)));
        Assert.Empty(rejected.Decide(new ResolveDispute("d1", Outcomes.Reject, null, Sh.Dec(6)), Statements.Genesis));
        Then.Rejected(Codes.Invalid, "outcome", () => rejected.Decide(Accept(1), Statements.Genesis));
    }

    // ---- the credit note ----

    [Fact]
    public void Accepting_the_whole_worked_line_returns_every_part_exactly()
    {
        var (accepted, note, tx) = Accepted(Given(Opened(claim: 144_768)), 144_768);
        Assert.Equal(144_768, accepted.AmountFen);
        Assert.Equal(("cn-d1", -144_768L, -8_194L, -43_430L, -101_338L), (note.Id, note.AmountFen, note.TaxFen, note.VoucherFen, note.DueFen));
        Assert.Equal([new Posting("provider:prov-a", 140_425), new Posting("platform:fees", 2_171), new Posting("region:shanghai", 1_086),
            new Posting("region:ningxia", 1_086), new Posting("buyer:sme-sh-1", -101_338), new Posting("issuer:iss", -43_430)], tx.Postings);
        Assert.Equal(("credit-note/d1", "2026-12-02", "credit-note"), (tx.TxId, tx.Period, tx.Kind));
        Assert.Equal(note.Postings, tx.Postings);
        Assert.Equal(0, tx.Sum);
    }

    [Fact]
    public void A_one_fen_credit_goes_to_the_buyer_and_the_earner()
    {
        var (_, note, tx) = Accepted(Given(Opened()), 1);
        Assert.Equal((-1L, 0L, 0L, -1L), (note.AmountFen, note.TaxFen, note.VoucherFen, note.DueFen));
        Assert.Equal([new Posting("provider:prov-a", 1), new Posting("buyer:sme-sh-1", -1)], tx.Postings);
    }

    [Fact]
    public void The_credit_note_is_chained_per_buyer_with_its_hash_in_the_transaction()
    {
        var (_, first, tx) = Accepted(Given(Opened()), 1_000);
        Assert.Equal(Statements.Genesis, first.PreviousHash);
        Assert.Equal(Canonical.Sha256(Statements.Body(first, Statements.Genesis)), first.Hash);
        Assert.EndsWith(": " + first.Hash, tx.Memo);
        var (_, second, _) = Accepted(Given(Opened("d9")), 1_000, "d9", previous: first.Hash);
        Assert.Equal(first.Hash, second.PreviousHash);
        Assert.Equal("credit-note/sme-sh-1", Statements.KeyOf(second));
    }

    [Fact]
    public void The_voucher_split_ties_go_to_the_buyer()
    {
        // A 4, V 2: x 1 → (0.5, 0.5): the buyer; x 3 → (1.5, 1.5): floors 1 + 1, the leftover fen to the buyer.
        var line = Worked with { AmountFen = 4, VoucherFen = 2, EarnerFen = 4, PlatformFen = 0, Regions = [] };
        Assert.Equal(0, Given(Opened(claim: 4)).Split(line, 1).VoucherFen);
        Assert.Equal(1, Given(Opened(claim: 4)).Split(line, 3).VoucherFen);
        Assert.Equal(2, Given(Opened(claim: 4)).Split(line, 4).VoucherFen);
    }

    [Fact]
    public void The_earner_side_ties_go_in_the_order_earner_platform_demand_supply()
    {
        var line = Worked with { AmountFen = 4, VoucherFen = 0, Issuer = null, EarnerFen = 1, PlatformFen = 1,
            Regions = [new Posting("region:d", 1), new Posting("region:s", 1)] };
        Assert.Equal([new Posting("provider:prov-a", 1), new Posting("buyer:sme-sh-1", -1)], Given().Split(line, 1).Postings);
        Assert.Equal([new Posting("provider:prov-a", 1), new Posting("platform:fees", 1), new Posting("buyer:sme-sh-1", -2)], Given().Split(line, 2).Postings);
        Assert.Equal([new Posting("provider:prov-a", 1), new Posting("platform:fees", 1), new Posting("region:d", 1), new Posting("buyer:sme-sh-1", -3)],
            Given().Split(line, 3).Postings);
    }

    [Fact]
    public void The_largest_remainder_wins_over_the_order()
    {
        // Weights (6, 1, 3) of A 10, x 7: 4.2, 0.7, 2.1 → floors 4, 0, 2; the one fen left goes to the largest remainder, P.
        var bigger = Worked with { AmountFen = 10, VoucherFen = 0, Issuer = null, EarnerFen = 6, PlatformFen = 1, Regions = [new Posting("region:s", 3)] };
        Assert.Equal([new Posting("provider:prov-a", 4), new Posting("platform:fees", 1), new Posting("region:s", 2), new Posting("buyer:sme-sh-1", -7)],
            Given().Split(bigger, 7).Postings);
        // Weights (A − F 6, P 1, Rd 0, Rs 3) of A 10, x 5: 3, 0.5, 0, 1.5 → floors 3, 0, 0, 1; one fen left, remainders tie
        // at 0.5 between P and Rs: P (listed first).
        var line = Worked with { AmountFen = 10, VoucherFen = 0, Issuer = null, EarnerFen = 6, PlatformFen = 1, Regions = [new Posting("region:s", 3)] };
        Assert.Equal([new Posting("provider:prov-a", 3), new Posting("platform:fees", 1), new Posting("region:s", 1), new Posting("buyer:sme-sh-1", -5)],
            Given().Split(line, 5).Postings);
    }

    [Fact]
    public void Repeated_credit_notes_never_return_a_part_twice_and_add_up_to_the_line()
    {
        var line = new DisputeLine();
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        long left = Worked.AmountFen;
        var n = 0;
        foreach (var x in new long[] { 1, 1, 3, 7, 999, 50_000, 1 })
        {
            ApplyNote(x);
        }
        ApplyNote(left);
        Assert.Equal(0, left);
        Assert.Equal(new Dictionary<string, long>
        {
            ["provider:prov-a"] = 140_425, ["platform:fees"] = 2_171, ["region:shanghai"] = 1_086, ["region:ningxia"] = 1_086,
            ["buyer:sme-sh-1"] = -101_338, ["issuer:iss"] = -43_430,
        }, totals);

        void ApplyNote(long x)
        {
            var id = $"d{++n}";
            line.Evolve(Opened(id, claim: x));
            var (accepted, note, tx) = Accepted(line, x, id);
            line.Evolve(accepted);
            left -= x;
            foreach (var p in tx.Postings)
            {
                totals[p.Account] = totals.GetValueOrDefault(p.Account) + p.AmountFen;
            }
            // At every step no part has been given back beyond what the line moved.
            Assert.True(totals.GetValueOrDefault("provider:prov-a") <= 140_425 && totals.GetValueOrDefault("platform:fees") <= 2_171
                && totals.GetValueOrDefault("region:shanghai") <= 1_086 && totals.GetValueOrDefault("region:ningxia") <= 1_086
                && totals.GetValueOrDefault("buyer:sme-sh-1") >= -101_338 && totals.GetValueOrDefault("issuer:iss") >= -43_430);
            Assert.Equal(-x, note.AmountFen);
        }
    }

    [Fact]
    public void A_line_without_voucher_or_pairing_credits_the_buyer_whole_and_debits_the_platform_alone()
    {
        var plain = Worked with { VoucherFen = 0, Issuer = null, EarnerFen = 140_425, PlatformFen = 4_343, Regions = [] };
        var (_, note, tx) = Accepted(Given(Opened(claim: 144_768, of: plain)), 144_768);
        Assert.Equal((0L, -144_768L), (note.VoucherFen, note.DueFen));
        Assert.Equal([new Posting("provider:prov-a", 140_425), new Posting("platform:fees", 4_343), new Posting("buyer:sme-sh-1", -144_768)], tx.Postings);
    }

    [Fact]
    public void A_transport_line_debits_the_carrier_and_the_platform()
    {
        // 1,000 fen transport line, fee 100 bp = 10 to the platform, a transport voucher of 300.
        var transport = Worked with { Key = "2026-12-02/lease-1/transport", Kind = LineKinds.Transport, AmountFen = 1_000, VoucherFen = 300,
            Earner = "carrier:car-1", EarnerFen = 990, PlatformFen = 10, Regions = [] };
        var (_, note, tx) = Accepted(Given(Opened(claim: 1_000, of: transport)), 500);
        Assert.Equal(LineKinds.Transport, note.Kind);
        Assert.Equal([new Posting("carrier:car-1", 495), new Posting("platform:fees", 5), new Posting("buyer:sme-sh-1", -350), new Posting("issuer:iss", -150)],
            tx.Postings);
    }

    [Fact]
    public void The_line_facts_come_from_the_charge_transaction()
    {
        var line = new InvoiceLine(1, "lease-1", "b1", "o1", LineKinds.Compute, false, 144_768, 8_194, 43_430, "v1", 101_338, "prov-a", "provider", 4_343,
            24.96m, "SCU-h", 58m);
        var invoice = new InvoiceIssued("2026-12-02", "sme-sh-1", [line], 144_768, 43_430, 101_338, Closed);
        var charge = new TransactionPosted("2026-12-02/lease-1/compute", "2026-12-02", "charge", "compute line",
            [new Posting("buyer:sme-sh-1", 101_338), new Posting("issuer:iss", 43_430), new Posting("provider:prov-a", -140_425),
                new Posting("platform:fees", -2_171), new Posting("region:shanghai", -1_086), new Posting("region:ningxia", -1_086)], Closed);
        Assert.Equal(Worked, DisputedLine.From(invoice, line, charge) with { Regions = Worked.Regions });
        Assert.Equal(Worked.Regions, DisputedLine.From(invoice, line, charge).Regions);
        Assert.Equal(Worked.Key, DisputedLine.KeyOf("2026-12-02", "lease-1", LineKinds.Compute, false));
    }

    // ---- verification ----

    [Fact]
    public void Verification_recomputes_the_chain_and_finds_a_rewritten_note()
    {
        var (_, first, tx1) = Accepted(Given(Opened()), 1_000);
        var (_, second, tx2) = Accepted(Given(Opened("d2", claim: 2_000)), 2_000, "d2", previous: first.Hash);
        Assert.Empty(Verifier.CreditNoteFailures([first, second], [tx1, tx2]));

        var tampered = first with { AmountFen = -900 };
        Assert.Contains(Verifier.CreditNoteFailures([tampered, second], [tx1, tx2]), f => f.Contains("stored hash"));
        // Rewritten with a fresh hash: the chain link and the signed transaction's memo no longer match.
        var rehashed = DisputeLine.Chain(tampered, Statements.Genesis);
        var failures = Verifier.CreditNoteFailures([rehashed, second], [tx1, tx2]).ToList();
        Assert.Contains(failures, f => f.Contains("differs from its transaction"));
        Assert.Contains(failures, f => f.Contains("does not link"));
        Assert.Contains(Verifier.CreditNoteFailures([first, second], [tx2]), f => f.Contains("missing from the ledger log"));
    }
}
