using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Metering.RecordUsage;
using ComputeNet.Application.Parties;
using ComputeNet.Domain;
using ComputeNet.Domain.Metering;
using FluentValidation;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Metering.RecordUsageBatch;

/// <summary>One record of a batch as submitted.</summary>
/// <summary>One record of a batch as submitted; a missing interval bound or device-seconds makes the record `invalid`.</summary>
/// <paramref name="Malformed"/>: why the submitted form (e.g. a CloudEvent envelope) could not be read as a record, if it could not.
public sealed record UsageLine(string? Id, string? Lease, Instant? From, Instant? To, long? DeviceSeconds, decimal EnergyKwh, decimal GreenKwh, decimal TransferGb,
    string? Malformed = null);

/// <summary>
/// Provider: report up to 10,000 usage records at once. Each record is checked on its own (market-rules §6, in
/// order); the valid ones are stored together, each refused one is reported with its index and reason, and nothing
/// is half-stored. Exact repeats of stored records change nothing.
/// </summary>
public sealed record RecordUsageBatchRequest(string Party, IReadOnlyList<UsageLine> Records) : ICommand<UsageBatchResult>;

public sealed record UsageLineResult(int Index, string? Id, string Status, string? Code, string? Field, string? Reason, UsageResult? Usage);

public sealed record UsageBatchResult(int Stored, int Repeats, int Rejected, IReadOnlyList<UsageLineResult> Records);

public sealed class RecordUsageBatchValidator : AbstractValidator<RecordUsageBatchRequest>
{
    public RecordUsageBatchValidator()
    {
        RuleFor(x => x.Party).NotEmpty().MaximumLength(RequestLimits.MaxIdLength);
        RuleFor(x => x.Records).NotNull().Must(r => r.Count is > 0 and <= ProviderUsage.MaxBatch)
            .WithMessage($"a batch holds between 1 and {ProviderUsage.MaxBatch} records");
    }
}

public sealed class RecordUsageBatchHandler(MeteringService metering, PartyDirectory parties, IClock clock)
    : ICommandHandler<RecordUsageBatchRequest, UsageBatchResult>
{
    public async ValueTask<UsageBatchResult> Handle(RecordUsageBatchRequest r, CancellationToken ct)
    {
        await UsageIntake.RequireProviderAsync(parties, r.Party, ct);
        var now = clock.GetCurrentInstant();
        var results = new UsageLineResult?[r.Records.Count];
        var wellFormed = new List<(int Index, Domain.Metering.RecordUsage Command)>(r.Records.Count);
        for (var i = 0; i < r.Records.Count; i++)
        {
            var line = r.Records[i];
            var cmd = UsageIntake.Command(r.Party, line.Id, line.Lease, line.From ?? default, line.To ?? default, line.DeviceSeconds ?? 0,
                line.EnergyKwh, line.GreenKwh, line.TransferGb, now);
            var missing = line.From is null ? "from" : line.To is null ? "to" : line.DeviceSeconds is null ? "deviceSeconds" : null;
            if (line.Malformed is { } why)
            {
                results[i] = Refused(i, line.Id, new Rejection(Codes.Invalid, why, "record"));
            }
            else if (missing is not null && UsageIntake.Malformed(cmd) is null)
            {
                results[i] = Refused(i, line.Id, new Rejection(Codes.Invalid, $"'{missing}' is required", missing));
            }
            else if (UsageIntake.Malformed(cmd) is { } malformed)
            {
                results[i] = Refused(i, line.Id, malformed);
            }
            else
            {
                wellFormed.Add((i, cmd));
            }
        }
        if (wellFormed.Count > 0)
        {
            var outcomes = await metering.RecordAsync(r.Party, wellFormed.Select(w => w.Command).ToList(), ct);
            foreach (var o in outcomes)
            {
                var index = wellFormed[o.Index].Index;
                results[index] = o.Rejection is { } rejection
                    ? Refused(index, o.RecordId, rejection)
                    : new UsageLineResult(index, o.RecordId, o.Repeat ? "repeat" : "stored", null, null, null, UsageResult.Of(o.Record!, o.Repeat));
            }
        }
        var all = results.Select(x => x!).ToList();
        return new UsageBatchResult(all.Count(x => x.Status == "stored"), all.Count(x => x.Status == "repeat"), all.Count(x => x.Status == "rejected"), all);
    }

    private static UsageLineResult Refused(int index, string? id, Rejection rejection) =>
        new(index, id, "rejected", rejection.Code, rejection.Field, rejection.Reason, null);
}
