using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Platform;
using ComputeNet.Domain.Parties;
using FluentValidation;
using Mediator;
using NodaTime;
using DomainRegister = ComputeNet.Domain.Parties.RegisterParty;

namespace ComputeNet.Application.Parties.RegisterParty;

/// <summary>
/// Operator: register a party with one or more roles. A buyer has a city and an SME flag (the operator vouches
/// for SME status, since it unlocks subsidies); a carrier its routes. With <see cref="IssueApiKey"/>, the party's
/// first API key is generated and returned in this answer only.
/// </summary>
public sealed record RegisterPartyRequest(
    string PartyId,
    IReadOnlyList<string> Roles,
    string? City = null,
    bool Sme = false,
    IReadOnlyList<RouteSet>? Routes = null,
    string? DisplayName = null,
    bool IssueApiKey = false,
    string? DisplayNameEn = null) : ICommand<RegisteredParty>;

public sealed record PartyView(string Id, long Ordinal, IReadOnlyList<string> Roles, string? City, bool Sme, string? DisplayName, string? DisplayNameEn = null)
{
    public static PartyView Of(Party p) => new(p.Id, p.Ordinal, RoleSlugs.ToSlugs(p.Roles), p.City, p.Sme, p.DisplayName, p.DisplayNameEn);
}

/// <summary>The registered party; <see cref="ApiKey"/> is set only when this request created it with a key.</summary>
public sealed record RegisteredParty(PartyView Party, bool Created, string? ApiKey, string? ApiKeyId);

public sealed class RegisterPartyValidator : AbstractValidator<RegisterPartyRequest>
{
    public RegisterPartyValidator()
    {
        RuleFor(x => x.PartyId).NotEmpty().MaximumLength(RequestLimits.MaxIdLength)
            .Matches("^[a-z0-9][a-z0-9._-]*$").WithMessage("party ids are lower-case slugs (a-z, 0-9, '.', '_', '-')")
            .NotEqual("operator").WithMessage("'operator' is reserved for the holder of the platform's operator key");
        RuleFor(x => x.Roles).NotEmpty().Must(r => r.Count <= 6).WithMessage("a party has between 1 and 6 roles");
        RuleFor(x => x.Routes).Must(r => r is null || r.Count <= RequestLimits.MaxListItems).WithMessage("too many routes");
        RuleFor(x => x.DisplayName).MaximumLength(200);
        RuleFor(x => x.DisplayNameEn).MaximumLength(200);
    }
}

public sealed class RegisterPartyHandler(PartyDirectory parties, PlatformService platform, IClock clock)
    : ICommandHandler<RegisterPartyRequest, RegisteredParty>
{
    public async ValueTask<RegisteredParty> Handle(RegisterPartyRequest r, CancellationToken ct)
    {
        var view = await platform.CurrentAsync(ct);
        var key = r.IssueApiKey ? ApiKeys.New() : null;
        var (party, created) = await parties.RegisterAsync(
            new DomainRegister(r.PartyId, r.Roles, r.City, r.Sme, r.Routes ?? [], r.DisplayName, clock.GetCurrentInstant(), r.DisplayNameEn),
            view.Catalogue, key, ct);
        return created && key is not null
            ? new RegisteredParty(PartyView.Of(party), true, key.Key, key.KeyId)
            : new RegisteredParty(PartyView.Of(party), created, null, await parties.CurrentKeyIdAsync(party.Id, ct));
    }
}
