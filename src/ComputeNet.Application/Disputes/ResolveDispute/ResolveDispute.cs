using ComputeNet.Domain.Disputes;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Disputes.ResolveDispute;

/// <summary>
/// Operator: accept a dispute with an amount (1 ≤ x ≤ the claim; issues the credit note and posts its transaction at
/// once) or reject it. Decided once: the same decision again changes nothing; another is refused <c>invalid</c>.
/// </summary>
public sealed record ResolveDisputeRequest(string Id, string Outcome, long? AmountFen) : ICommand<DisputeView>;

/// <summary>
/// An accepted dispute's credit note may start a refund through the payment provider (ADR 0032): its posting and outbox entry
/// committed with the note, then the provider calls are attempted here, as after the operator's <c>refund</c> cash action; an
/// acceptance repeated attempts what is still unanswered again, and the outbox does too.
/// </summary>
public sealed class ResolveDisputeHandler(DisputeService disputes, IClock clock, Payments.IPaymentGateway gateway,
    Payments.RefundThroughStripe.RefundAttempts refunds) : ICommandHandler<ResolveDisputeRequest, DisputeView>
{
    public async ValueTask<DisputeView> Handle(ResolveDisputeRequest r, CancellationToken ct)
    {
        var view = await disputes.ResolveAsync(new Domain.Disputes.ResolveDispute(r.Id ?? "", r.Outcome ?? "", r.AmountFen, clock.GetCurrentInstant()), ct);
        if (view.CreditNote is { } note && gateway.Configured)
        {
            await refunds.AttemptAsync(CreditNoteRefunds.CashIdOf(note));
        }
        return view;
    }
}
