using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Parties;
using FluentValidation;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Vouchers.GrantVoucher;

/// <summary>
/// Issuer: grant an SME a voucher of <c>FaceFen</c> from one of its programmes; the budget is committed at once.
/// Refused whole (never cut down) when above what is left of the cap or budget. <c>Issuer</c> null = the programme's own
/// (scenario files name only the programme).
/// </summary>
public sealed record GrantVoucherRequest(string? Issuer, string? Id, string Programme, string Buyer, long FaceFen) : ICommand<VoucherView>;

public sealed record VoucherView(string Id, string Programme, string Issuer, string Kind, string Buyer, long FaceFen, long BalanceFen, bool Lapsed,
    Instant GrantedAt, Instant ValidFrom, Instant ValidTo, int CoverageBp, bool Repeat = false);

public sealed class GrantVoucherValidator : AbstractValidator<GrantVoucherRequest>
{
    public GrantVoucherValidator()
    {
        RuleFor(x => x.Programme).NotEmpty().MaximumLength(RequestLimits.MaxIdLength);
        RuleFor(x => x.Buyer).NotEmpty().MaximumLength(RequestLimits.MaxIdLength);
    }
}

/// <remarks>
/// A grant decides on its programme's stream alone. Grant ids are unique across programmes: the grant takes a
/// transaction-level advisory lock on its id before it reads whether another programme used it (<see cref="VoucherDocument"/>),
/// so two grants of one new id to two programmes cannot both pass; grants of different ids never wait for each other.
/// </remarks>
public sealed class GrantVoucherHandler(VoucherService vouchers, PartyDirectory parties, IClock clock) : ICommandHandler<GrantVoucherRequest, VoucherView>
{
    public async ValueTask<VoucherView> Handle(GrantVoucherRequest r, CancellationToken ct)
    {
        var buyer = await parties.FindAsync(r.Buyer, ct);
        var cmd = new Domain.Vouchers.GrantVoucher(r.Issuer, r.Id, r.Programme, r.Buyer, r.FaceFen, clock.GetCurrentInstant());
        return await vouchers.DecideAsync(r.Programme, book => book.Decide(cmd, id => id == buyer?.Id ? buyer : null),
            (book, created) => ListVouchers.ListVouchersHandler.ViewOf(book, book.Voucher(r.Id!)!) with { Repeat = !created }, ct,
            async (session, token) =>
            {
                if (string.IsNullOrWhiteSpace(r.Id) || r.Id.Length > 64)
                {
                    return; // the decision rejects it
                }
                await Decider.LockAsync(session, "computenet-grant:" + r.Id, token);
                // Checked in the order of VoucherBook.Decide: a reused id is refused after the buyer checks, before the programme's.
                if (await session.LoadAsync<VoucherDocument>(r.Id, token) is { } used && used.ProgrammeId != r.Programme
                    && buyer is not null && buyer.Has(Domain.Parties.PartyRoles.Buyer))
                {
                    throw Domain.RejectedException.Of(Domain.Codes.IdReused, $"grant id '{r.Id}' was already used with other content", "id");
                }
            });
    }
}
