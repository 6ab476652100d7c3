using ComputeNet.Application.Infrastructure;
using ComputeNet.Domain.Disputes;
using FluentValidation;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Disputes.OpenDispute;

/// <summary>
/// Buyer: dispute one of its invoice lines (market-rules §14), named by period, bid, offer, kind and late flag, with an id,
/// the fen it claims and a reason (at most 500 characters). A repeat with the same content changes nothing.
/// </summary>
public sealed record OpenDisputeRequest(string Party, string? Id, string Period, string Bid, string Offer, string Kind, bool Late, long AmountFen,
    string? Reason) : ICommand<DisputeView>;

public sealed class OpenDisputeValidator : AbstractValidator<OpenDisputeRequest>
{
    public OpenDisputeValidator()
    {
        RuleFor(x => x.Party).NotEmpty().MaximumLength(RequestLimits.MaxIdLength);
        // Shapes only: which line is named, and whether it exists, is the domain's `invalid` after the party checks (§14).
        RuleFor(x => x.Period).MaximumLength(16);
        RuleFor(x => x.Bid).MaximumLength(RequestLimits.MaxIdLength);
        RuleFor(x => x.Offer).MaximumLength(RequestLimits.MaxIdLength);
        RuleFor(x => x.Kind).MaximumLength(32);
        RuleFor(x => x.Reason).MaximumLength(4 * Domain.Disputes.DisputeLine.MaxReason);
    }
}

public sealed class OpenDisputeHandler(DisputeService disputes, IClock clock) : ICommandHandler<OpenDisputeRequest, DisputeView>
{
    public async ValueTask<DisputeView> Handle(OpenDisputeRequest r, CancellationToken ct) =>
        await disputes.OpenAsync(new Domain.Disputes.OpenDispute(r.Id, r.Party, r.Period ?? "", r.Bid ?? "", r.Offer ?? "", r.Kind ?? "", r.Late,
            r.AmountFen, r.Reason, clock.GetCurrentInstant()), ct);
}
