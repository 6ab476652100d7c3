using ComputeNet.Domain.Disputes;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Disputes.ResolveDispute;

/// <summary>
/// Operator: accept a dispute with an amount (1 ≤ x ≤ the claim; issues the credit note and posts its transaction at
/// once) or reject it. Decided once: the same decision again changes nothing; another is refused <c>invalid</c>.
/// </summary>
public sealed record ResolveDisputeRequest(string Id, string Outcome, long? AmountFen) : ICommand<DisputeView>;

public sealed class ResolveDisputeHandler(DisputeService disputes, IClock clock) : ICommandHandler<ResolveDisputeRequest, DisputeView>
{
    public async ValueTask<DisputeView> Handle(ResolveDisputeRequest r, CancellationToken ct) =>
        await disputes.ResolveAsync(new Domain.Disputes.ResolveDispute(r.Id ?? "", r.Outcome ?? "", r.AmountFen, clock.GetCurrentInstant()), ct);
}
