using ComputeNet.Domain.Payments;
using NodaTime;

namespace ComputeNet.Domain.Tests;

/// <summary>Refunds through the provider (ADR 0027): the split over intents, the fold, and reconciliation both ways.</summary>
public class RefundsTests
{
    private static readonly Instant T = Instant.FromUtc(2026, 12, 2, 0, 0);

    [Fact]
    public void A_refund_is_split_newest_intent_first_never_above_what_each_can_give_back_and_the_rest_is_a_bank_transfer()
    {
        RefundableIntent[] intents = [new("pi_old", 1, 500), new("pi_new", 3, 300), new("pi_mid", 2, 0)];
        var r = Refunds.Decide("rf-1", "alice", 1_000, intents, T)!;
        Assert.Equal([new RefundPart(1, "pi_new", 300, "computenet-refund-rf-1-1"), new RefundPart(2, "pi_old", 500, "computenet-refund-rf-1-2")], r.Parts);
        Assert.Equal((1_000L, 200L), (r.AmountFen, r.BankFen));

        var small = Refunds.Decide("rf-2", "alice", 250, intents, T)!;
        Assert.Equal([new RefundPart(1, "pi_new", 250, "computenet-refund-rf-2-1")], small.Parts);
        Assert.Equal(0, small.BankFen);
        // Nothing refundable through the provider: a bank refund, as before.
        Assert.Null(Refunds.Decide("rf-3", "alice", 100, [new("pi_x", 1, 0)], T));
        Assert.Null(Refunds.Decide("rf-4", "alice", 100, [], T));
    }

    [Fact]
    public void A_refund_is_requested_until_every_part_is_answered_and_a_failed_part_holds_nothing()
    {
        var requested = Refunds.Decide("rf-1", "alice", 800, [new("pi_a", 1, 500), new("pi_b", 2, 300)], T)!;
        var s = Refunds.Evolve(null, requested)!;
        Assert.Equal("requested", s.Status);
        s = Refunds.Evolve(s, new RefundPartCreated("rf-1", 1, "re_1", "pending", T))!;
        Assert.Equal("requested", s.Status);
        s = Refunds.Evolve(s, new RefundPartCreated("rf-1", 2, "re_2", "succeeded", T))!;
        Assert.Equal(("pending", "pending", "succeeded"), (s.Status, s.Parts[0].Status, s.Parts[1].Status));
        s = Refunds.Evolve(s, new RefundPartSucceeded("rf-1", 1, "re_1", "evt_1", T))!;
        Assert.Equal("refunded", s.Status);
        Assert.Equal([("pi_b", 300L), ("pi_a", 500L)], Refunds.Held(s).ToList());
        var failed = Refunds.Evolve(s, new RefundPartFailed("rf-1", 2, "re_2", "expired_or_canceled_card", "failed", Refunds.ReversalId("rf-1", 2), T))!;
        Assert.Equal(("failed", "failed"), (failed.Status, failed.Parts[1].Status));
        Assert.Equal([("pi_b", 300L)], Refunds.Held(failed).ToList());
    }

    [Fact]
    public void Reconciliation_lists_refunds_and_their_differences_both_ways()
    {
        var requested = Refunds.Decide("rf-1", "alice", 800, [new("pi_a", 1, 500), new("pi_b", 2, 300)], T)!;
        var s = Refunds.Evolve(null, requested)!;
        s = Refunds.Evolve(s, new RefundPartCreated("rf-1", 1, "re_1", "pending", T))!;
        s = Refunds.Evolve(s, new RefundPartCreated("rf-1", 2, "re_2", "pending", T))!;
        var report = Reconciliation.Compare([], [], [], new PaymentsBook(),
            [new ProviderRefund("re_1", "pi_b", 299, "succeeded", "rf-1", 1), new ProviderRefund("re_dash", "pi_a", 50, "succeeded", null, null)], [s]);
        Assert.Equal(["amount-mismatch re_1", "refund-missing-at-provider rf-1#2", "refund-without-record re_dash"],
            report.Differences.Select(d => $"{d.Kind} {d.Subject}").Order().ToList());
        Assert.Equal(2, report.Refunds!.Count);
        Assert.Equal((2, 349L, 800L), (report.Totals.ProviderRefunds, report.Totals.ProviderRefundsFen, report.Totals.LedgerProviderRefundsFen));

        var failedThere = Reconciliation.Compare([], [], [], new PaymentsBook(),
            [new ProviderRefund("re_1", "pi_b", 300, "failed", "rf-1", 1), new ProviderRefund("re_2", "pi_a", 500, "pending", "rf-1", 2)], [s]);
        Assert.Equal(["refund-failed-not-reversed re_1"], failedThere.Differences.Select(d => $"{d.Kind} {d.Subject}").ToList());
        // Without refunds compared, the report is as before.
        Assert.Null(Reconciliation.Compare([], [], [], new PaymentsBook()).Refunds);
    }
}
