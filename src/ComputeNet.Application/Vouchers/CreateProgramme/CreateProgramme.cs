using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Parties;
using ComputeNet.Application.Platform;
using ComputeNet.Domain.Vouchers;
using FluentValidation;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Vouchers.CreateProgramme;

/// <summary>
/// Issuer: open a voucher programme — kind compute (算力券) or transport (运力券), coverage in bp, cap per enterprise and
/// budget in fen, validity [from, to), and optional eligibility by buyer city, lease family and supply hub. A repeat
/// with the same terms changes nothing.
/// </summary>
public sealed record CreateProgrammeRequest(string Issuer, string? Id, string Kind, int CoverageBp, long CapFen, long BudgetFen, Instant ValidFrom,
    Instant ValidTo, IReadOnlyList<string>? BuyerCities = null, IReadOnlyList<string>? Families = null, IReadOnlyList<string>? SupplyHubs = null)
    : ICommand<ProgrammeView>;

/// <summary>Issuer: close a programme early; no new grants, vouchers already granted stay valid.</summary>
public sealed record CloseProgrammeRequest(string Issuer, string ProgrammeId) : ICommand<ProgrammeView>;

public sealed record ProgrammeView(string Id, string Issuer, string Kind, int CoverageBp, long CapFen, long BudgetFen, Instant ValidFrom, Instant ValidTo,
    IReadOnlyList<string>? BuyerCities, IReadOnlyList<string>? Families, IReadOnlyList<string>? SupplyHubs, bool ClosedEarly,
    long GrantedFen, long RedeemedFen, long LapsedFen, long RemainingBudgetFen, int Enterprises, int Vouchers, bool Repeat = false)
{
    public static ProgrammeView Of(Programme p, VoucherBook book) => new(p.Terms.ProgrammeId, p.Terms.Issuer, p.Terms.Kind, p.Terms.CoverageBp,
        p.Terms.CapFen, p.Terms.BudgetFen, p.Terms.ValidFrom, p.Terms.ValidTo, p.Terms.BuyerCities, p.Terms.Families, p.Terms.SupplyHubs, p.ClosedEarly,
        p.GrantedPerBuyer.Values.Sum(), p.RedeemedFen, p.LapsedFen, p.RemainingBudgetFen, p.GrantedPerBuyer.Count,
        book.Vouchers.Count(v => v.Grant.ProgrammeId == p.Terms.ProgrammeId));

    public static ProgrammeView Of(ProgrammeDocument d) => new(d.ProgrammeId, d.Issuer, d.Terms.Kind, d.Terms.CoverageBp, d.Terms.CapFen,
        d.Terms.BudgetFen, d.Terms.ValidFrom, d.Terms.ValidTo, d.Terms.BuyerCities, d.Terms.Families, d.Terms.SupplyHubs, d.ClosedEarly, d.GrantedFen,
        d.RedeemedFen, d.LapsedFen, d.RemainingBudgetFen, d.GrantedPerBuyer.Count, d.Vouchers);
}

public sealed class CreateProgrammeValidator : AbstractValidator<CreateProgrammeRequest>
{
    public CreateProgrammeValidator()
    {
        RuleFor(x => x.Issuer).NotEmpty().MaximumLength(RequestLimits.MaxIdLength);
        RuleFor(x => x.BuyerCities).Must(l => l is null || l.Count <= 100).WithMessage("at most 100 cities");
        RuleFor(x => x.SupplyHubs).Must(l => l is null || l.Count <= 20).WithMessage("at most 20 hubs");
    }
}

public sealed class CreateProgrammeHandler(VoucherService vouchers, PartyDirectory parties, PlatformService platform, IClock clock) :
    ICommandHandler<CreateProgrammeRequest, ProgrammeView>,
    ICommandHandler<CloseProgrammeRequest, ProgrammeView>
{
    public async ValueTask<ProgrammeView> Handle(CreateProgrammeRequest r, CancellationToken ct)
    {
        var view = await platform.CurrentAsync(ct);
        var issuer = await parties.FindAsync(r.Issuer, ct);
        var cmd = new Domain.Vouchers.CreateProgramme(r.Issuer, r.Id, r.Kind, r.CoverageBp, r.CapFen, r.BudgetFen, r.ValidFrom, r.ValidTo,
            r.BuyerCities, r.Families, r.SupplyHubs, clock.GetCurrentInstant());
        return await vouchers.DecideAsync(r.Id, book => book.Decide(cmd, id => id == issuer?.Id ? issuer : null, view.Catalogue, view.Calendar),
            (book, created) => ProgrammeView.Of(book.Programme(r.Id!)!, book) with { Repeat = !created }, ct);
    }

    public async ValueTask<ProgrammeView> Handle(CloseProgrammeRequest r, CancellationToken ct) =>
        await vouchers.DecideAsync(r.ProgrammeId, book => book.Decide(new ProgrammeClosed(r.ProgrammeId, clock.GetCurrentInstant()), r.Issuer),
            (book, _) => ProgrammeView.Of(book.Programme(r.ProgrammeId)!, book), ct);
}
