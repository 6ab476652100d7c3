using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Parties;
using ComputeNet.Application.Platform;
using ComputeNet.Application.Settlement;
using ComputeNet.Domain;
using ComputeNet.Domain.Metering;
using ComputeNet.Domain.Parties;
using FluentValidation;
using Marten;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Metering.RecordUsage;

/// <summary>
/// Provider: report metered delivery on one of its leases over <c>[From, To)</c>. Record ids are unique per
/// provider; an exact repeat changes nothing and answers with the first result.
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

public sealed record UsageResult(string RecordId, string LeaseId, string Period, string ReceivingPeriod, bool Late, decimal ScuHours, bool Repeat);

public sealed class RecordUsageValidator : AbstractValidator<RecordUsageRequest>
{
    public RecordUsageValidator()
    {
        RuleFor(x => x.Party).NotEmpty().MaximumLength(RequestLimits.MaxIdLength);
        RuleFor(x => x.RecordId).MaximumLength(RequestLimits.MaxIdLength);
        RuleFor(x => x.LeaseId).MaximumLength(RequestLimits.MaxIdLength * 2);
    }
}

public sealed class RecordUsageHandler(IDocumentStore store, PartyDirectory parties, PlatformService platform, IClock clock)
    : ICommandHandler<RecordUsageRequest, UsageResult>
{
    private const int MaxAttempts = 5;

    public async ValueTask<UsageResult> Handle(RecordUsageRequest r, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var party = await parties.FindAsync(r.Party, ct) ?? throw RejectedException.Of(Codes.UnknownParty, $"no party '{r.Party}' is registered", "party");
        if (!party.Has(PartyRoles.Provider))
        {
            throw RejectedException.Of(Codes.WrongRole, $"'{r.Party}' is not a provider", "party");
        }
        if (string.IsNullOrWhiteSpace(r.RecordId))
        {
            throw RejectedException.Of(Codes.Invalid, "a usage record needs an id chosen by its provider", "recordId");
        }
        if (string.IsNullOrWhiteSpace(r.LeaseId))
        {
            throw RejectedException.Of(Codes.Invalid, "a usage record names its lease", "leaseId");
        }
        var calendar = (await platform.CurrentAsync(ct)).Calendar;
        var cmd = new Domain.Metering.RecordUsage(r.Party, r.RecordId, r.LeaseId, r.From, r.To,
            new UsageQuantities(r.DeviceSeconds, r.EnergyKwh, r.GreenKwh, r.TransferGb), now);

        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            await SettlementLock.ShareAsync(session, ct);
            var stream = await session.Events.FetchForExclusiveWriting<LeaseDocument>(MartenSetup.Streams.Lease(r.LeaseId), ct);
            var previous = await session.LoadAsync<UsageRecordView>(UsageRecordView.KeyOf(r.Party, r.RecordId), ct);
            var lease = stream.Aggregate;
            if (lease is not null && lease.Terms.Provider == r.Party && UsageRules.IsRepeat(cmd, previous?.Record))
            {
                return ResultOf(previous!.Record, calendar, repeat: true);
            }
            var routeCarrier = lease is null ? null : await parties.CarrierForAsync(lease.Terms.BuyerCity, lease.Terms.Cluster, ct);
            UsageRules.Check(cmd, lease?.ToUsage(), previous?.Record, (_, _) => routeCarrier);

            var own = calendar.PeriodOf(r.From);
            var closed = (await session.Query<ClosedPeriodView>().Select(p => p.Id).ToListAsync(ct)).ToHashSet();
            var receiving = own;
            while (closed.Contains(receiving.Key))
            {
                receiving = calendar.Next(receiving);
            }
            var recorded = new UsageRecorded(r.RecordId, r.LeaseId, r.Party, r.From, r.To, r.DeviceSeconds, r.EnergyKwh, r.GreenKwh,
                r.TransferGb, lease!.Terms.MeteringStandard, lease.Terms.ScuPerDevice, own.Key, receiving.Key, now,
                r.TransferGb > 0 ? routeCarrier : null);
            stream.AppendOne(recorded);
            try
            {
                await session.SaveChangesAsync(ct);
            }
            catch (Exception e) when (attempt < MaxAttempts && (StreamCache<object>.IsConcurrencyConflict(e) || IsDuplicateKey(e)))
            {
                continue;
            }
            return ResultOf(recorded, calendar, repeat: false);
        }
    }

    private static bool IsDuplicateKey(Exception e) =>
        e is JasperFx.DocumentAlreadyExistsException or Npgsql.PostgresException { SqlState: "23505" } || (e.InnerException is { } inner && IsDuplicateKey(inner));

    private static UsageResult ResultOf(UsageRecorded u, Domain.Settlement.PeriodCalendar calendar, bool repeat) =>
        new(u.RecordId, u.LeaseId, u.OwnPeriod, u.ReceivingPeriod, u.Late, Domain.Settlement.Rating.ScuHours(u.DeviceSeconds, u.ScuPerDevice), repeat);
}
