using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Parties;
using ComputeNet.Domain;
using ComputeNet.Domain.Metering;
using ComputeNet.Domain.Parties;
using FluentValidation;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Metering.RecordUsage;

/// <summary>
/// Provider: report metered delivery on one of its leases over <c>[From, To)</c>. Record ids are unique per
/// provider; an exact repeat changes nothing and answers with the first result. (A batch of one.)
/// </summary>
public sealed record RecordUsageRequest(
    string Party,
    string RecordId,
    string LeaseId,
    Instant From,
    Instant To,
    long DeviceSeconds,
    decimal EnergyKwh,
    decimal GreenKwh,
    decimal TransferGb) : ICommand<UsageResult>;

public sealed record UsageResult(string RecordId, string LeaseId, string Period, string ReceivingPeriod, bool Late, decimal ScuHours, bool Repeat)
{
    public static UsageResult Of(UsageRecorded u, bool repeat) =>
        new(u.RecordId, u.LeaseId, u.OwnPeriod, u.ReceivingPeriod, u.Late, Domain.Settlement.Rating.ScuHours(u.DeviceSeconds, u.ScuPerDevice), repeat);
}

public sealed class RecordUsageValidator : AbstractValidator<RecordUsageRequest>
{
    public RecordUsageValidator()
    {
        RuleFor(x => x.Party).NotEmpty().MaximumLength(RequestLimits.MaxIdLength);
        RuleFor(x => x.RecordId).MaximumLength(RequestLimits.MaxIdLength);
        RuleFor(x => x.LeaseId).MaximumLength(RequestLimits.MaxIdLength * 2);
    }
}

public sealed class RecordUsageHandler(MeteringService metering, PartyDirectory parties, IClock clock)
    : ICommandHandler<RecordUsageRequest, UsageResult>
{
    public async ValueTask<UsageResult> Handle(RecordUsageRequest r, CancellationToken ct)
    {
        await UsageIntake.RequireProviderAsync(parties, r.Party, ct);
        var cmd = UsageIntake.Command(r.Party, r.RecordId, r.LeaseId, r.From, r.To, r.DeviceSeconds, r.EnergyKwh, r.GreenKwh, r.TransferGb,
            clock.GetCurrentInstant());
        if (UsageIntake.Malformed(cmd) is { } malformed)
        {
            throw new RejectedException(malformed);
        }
        var outcome = (await metering.RecordAsync(r.Party, [cmd], ct))[0];
        return outcome.Rejection is { } rejection ? throw new RejectedException(rejection) : UsageResult.Of(outcome.Record!, outcome.Repeat);
    }
}

/// <summary>The checks that come before the §6 list: party, role, and the fields a record cannot do without.</summary>
public static class UsageIntake
{
    public static async Task RequireProviderAsync(PartyDirectory parties, string partyId, CancellationToken ct)
    {
        var party = await parties.FindAsync(partyId, ct) ?? throw RejectedException.Of(Codes.UnknownParty, $"no party '{partyId}' is registered", "party");
        if (!party.Has(PartyRoles.Provider))
        {
            throw RejectedException.Of(Codes.WrongRole, $"'{partyId}' is not a provider", "party");
        }
    }

    public static Domain.Metering.RecordUsage Command(string party, string? recordId, string? leaseId, Instant from, Instant to, long deviceSeconds,
        decimal energyKwh, decimal greenKwh, decimal transferGb, Instant at) =>
        new(party, recordId ?? "", leaseId ?? "", from, to, new UsageQuantities(deviceSeconds, energyKwh, greenKwh, transferGb), at);

    public static Rejection? Malformed(Domain.Metering.RecordUsage cmd) =>
        string.IsNullOrWhiteSpace(cmd.RecordId) ? new Rejection(Codes.Invalid, "a usage record needs an id chosen by its provider", "recordId")
        : cmd.RecordId.Length > RequestLimits.MaxIdLength ? new Rejection(Codes.Invalid, $"record ids are at most {RequestLimits.MaxIdLength} characters", "recordId")
        : string.IsNullOrWhiteSpace(cmd.LeaseId) ? new Rejection(Codes.Invalid, "a usage record names its lease", "leaseId")
        : UsageRules.Malformed(cmd.Quantities);
}
