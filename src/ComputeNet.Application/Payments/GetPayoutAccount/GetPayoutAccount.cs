using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Payments.SetPayoutAccount;
using ComputeNet.Domain.Payments;
using FluentValidation;
using Marten;
using Mediator;

namespace ComputeNet.Application.Payments.GetPayoutAccount;

/// <summary>
/// Operator: the Stripe connected account a provider or carrier — or, with <see cref="Region"/>, a region — is paid to, as
/// <see cref="SetPayoutAccountRequest"/> last set it; null when none is set. Read from the payee's stream, as a payout reads it.
/// </summary>
public sealed record GetPayoutAccountRequest(string Party, bool Region = false) : IQuery<PayoutAccountView?>;

public sealed class GetPayoutAccountValidator : AbstractValidator<GetPayoutAccountRequest>
{
    public GetPayoutAccountValidator() => RuleFor(x => x.Party).NotEmpty().MaximumLength(RequestLimits.MaxIdLength);
}

public sealed class GetPayoutAccountHandler(IDocumentStore store) : IQueryHandler<GetPayoutAccountRequest, PayoutAccountView?>
{
    public async ValueTask<PayoutAccountView?> Handle(GetPayoutAccountRequest q, CancellationToken ct)
    {
        var payee = q.Region ? PaymentsBook.RegionPayee(q.Party) : q.Party;
        var book = await PaymentProjections.ReadPayeeAsync(store, payee, ct);
        return book.PayoutAccountOf(payee) is { } account ? new PayoutAccountView(payee, account) : null;
    }
}
