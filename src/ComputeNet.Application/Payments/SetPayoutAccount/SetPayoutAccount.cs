using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Parties;
using FluentValidation;
using Marten;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Payments.SetPayoutAccount;

/// <summary>
/// Operator: the Stripe connected account (acct_…) a provider or carrier is paid to — or, with <see cref="Region"/>, a region
/// (a pairing's demand region or supply hub) its revenue share is paid to; setting it again replaces it.
/// </summary>
public sealed record SetPayoutAccountRequest(string Party, string ConnectedAccountId, bool Region = false) : ICommand<PayoutAccountView>;

public sealed record PayoutAccountView(string Party, string ConnectedAccountId);

public sealed class SetPayoutAccountValidator : AbstractValidator<SetPayoutAccountRequest>
{
    public SetPayoutAccountValidator()
    {
        RuleFor(x => x.Party).NotEmpty().MaximumLength(RequestLimits.MaxIdLength);
        RuleFor(x => x.ConnectedAccountId).NotEmpty().MaximumLength(RequestLimits.MaxIdLength);
    }
}

public sealed class SetPayoutAccountHandler(IDocumentStore store, PartyDirectory parties, IClock clock) : ICommandHandler<SetPayoutAccountRequest, PayoutAccountView>
{
    public async ValueTask<PayoutAccountView> Handle(SetPayoutAccountRequest r, CancellationToken ct)
    {
        if (r.Region)
        {
            var known = await Ledger.RecordCash.RegionsAsync.IsRegionAsync(store, r.Party, ct);
            var payee = Domain.Payments.PaymentsBook.RegionPayee(r.Party);
            await Decider.DecideAsync<PayeeStream, bool>(store, PaymentProjections.PayeeStreamOf(payee), state =>
            {
                var set = state.Book.DecideSetRegionAccount(known, r.Party, r.ConnectedAccountId, clock.GetCurrentInstant());
                return state.Book.PayoutAccountOf(payee) == r.ConnectedAccountId ? [] : [set];
            }, (_, _) => true, ct);
            return new PayoutAccountView(payee, r.ConnectedAccountId);
        }
        var party = await parties.FindAsync(r.Party, ct);
        await Decider.DecideAsync<PayeeStream, bool>(store, PaymentProjections.PayeeStreamOf(r.Party), state =>
        {
            var set = state.Book.DecideSetAccount(party, r.Party, r.ConnectedAccountId, clock.GetCurrentInstant());
            return state.Book.PayoutAccountOf(r.Party) == r.ConnectedAccountId ? [] : [set];
        }, (_, _) => true, ct);
        return new PayoutAccountView(r.Party, r.ConnectedAccountId);
    }
}
