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

public sealed class GrantVoucherHandler(VoucherService vouchers, PartyDirectory parties, IClock clock) : ICommandHandler<GrantVoucherRequest, VoucherView>
{
    public async ValueTask<VoucherView> Handle(GrantVoucherRequest r, CancellationToken ct)
    {
        var buyer = await parties.FindAsync(r.Buyer, ct);
        var cmd = new Domain.Vouchers.GrantVoucher(r.Issuer, r.Id, r.Programme, r.Buyer, r.FaceFen, clock.GetCurrentInstant());
        return await vouchers.DecideAsync(book => book.Decide(cmd, id => id == buyer?.Id ? buyer : null),
            (book, created) => ListVouchers.ListVouchersHandler.ViewOf(book, book.Voucher(r.Id!)!) with { Repeat = !created }, ct);
    }
}
