using System.Text.Json.Serialization;
using ComputeNet.Domain.Market;
using NodaTime;

namespace ComputeNet.Domain.Metering;

/// <summary>
/// Metered delivery on a lease over <c>[From, To)</c>. Quantities as reported: device-seconds delivered,
/// energy and green energy in kWh, data transferred in GB (decimals, never double).
/// </summary>
public sealed record UsageQuantities(long DeviceSeconds, decimal EnergyKwh, decimal GreenKwh, decimal TransferGb);

public sealed record RecordUsage(string Party, string RecordId, string LeaseId, Instant From, Instant To, UsageQuantities Quantities, Instant At);

/// <summary>
/// Event: a usage record was accepted. Carries the metering standard version and SCU per device it is
/// rated with, and the period that receives it (its own period, or the first open one after it when its
/// own was already closed: then <see cref="Late"/>). <see cref="Carrier"/> is the carrier of the lease's
/// city–cluster route when data was transferred (it earns the transport line).
/// </summary>
public sealed record UsageRecorded(
    string RecordId,
    string LeaseId,
    string Provider,
    Instant From,
    Instant To,
    long DeviceSeconds,
    decimal EnergyKwh,
    decimal GreenKwh,
    decimal TransferGb,
    string MeteringStandard,
    decimal ScuPerDevice,
    string OwnPeriod,
    string ReceivingPeriod,
    Instant At,
    string? Carrier = null)
{
    [JsonIgnore]
    public bool Late => OwnPeriod != ReceivingPeriod;

    [JsonIgnore]
    public UsageQuantities Quantities => new(DeviceSeconds, EnergyKwh, GreenKwh, TransferGb);
}

/// <summary>Event: the first event of a lease's own stream, carrying its terms.</summary>
public sealed record LeaseOpened(LeaseTerms Terms, Instant At);

/// <summary>A recorded interval of a lease, enough to check overlap and repeats.</summary>
public sealed record RecordedInterval(string RecordId, Instant From, Instant To, UsageQuantities Quantities);

/// <summary>A lease as metering sees it: its terms and the intervals recorded so far.</summary>
public sealed class LeaseUsage
{
    public required LeaseTerms Terms { get; init; }
    public List<RecordedInterval> Records { get; init; } = [];
    public long DeviceSecondsDelivered { get; set; }

    public void Evolve(UsageRecorded e)
    {
        Records.Add(new RecordedInterval(e.RecordId, e.From, e.To, e.Quantities));
        DeviceSecondsDelivered += e.DeviceSeconds;
    }
}

/// <summary>
/// The checks of market-rules §6 in their order, after the caller has checked party, role and
/// well-formedness and resolved the lease. <paramref name="previousWithSameId"/> is the provider's earlier
/// record with this id, if any (ids are unique per provider, across leases).
/// </summary>
public static class UsageRules
{
    public static bool IsRepeat(RecordUsage cmd, UsageRecorded? previousWithSameId) =>
        previousWithSameId is not null && previousWithSameId.LeaseId == cmd.LeaseId && previousWithSameId.From == cmd.From
        && previousWithSameId.To == cmd.To && previousWithSameId.Quantities == cmd.Quantities;

    /// <summary>Returns null when the record is acceptable; throws the first failing check otherwise.</summary>
    public static void Check(RecordUsage cmd, LeaseUsage? lease, UsageRecorded? previousWithSameId, Func<string, string, string?> carrierFor)
    {
        if (lease is null)
        {
            throw RejectedException.Of(Codes.UnknownLease, $"no lease '{cmd.LeaseId}'", "lease");
        }
        var terms = lease.Terms;
        if (terms.Provider != cmd.Party)
        {
            throw RejectedException.Of(Codes.NotLeaseProvider, $"lease '{cmd.LeaseId}' is provided by another party", "lease");
        }
        if (previousWithSameId is not null)
        {
            throw RejectedException.Of(Codes.IdReused, $"record id '{cmd.RecordId}' was already used with other content", "id");
        }
        var q = cmd.Quantities;
        if (q.DeviceSeconds < 0 || q.EnergyKwh < 0 || q.GreenKwh < 0 || q.TransferGb < 0)
        {
            throw RejectedException.Of(Codes.NegativeValue, "quantities must not be negative", "quantities");
        }
        if (cmd.To <= cmd.From)
        {
            throw RejectedException.Of(Codes.EmptyInterval, "the interval must end after it starts", "to");
        }
        if (cmd.From < terms.From || cmd.To > terms.To)
        {
            throw RejectedException.Of(Codes.OutsideWindow, $"the interval is outside the lease window [{terms.From}, {terms.To})", "from");
        }
        if (cmd.At < cmd.To)
        {
            throw RejectedException.Of(Codes.ReportedEarly, "submitted before the interval ends", "to");
        }
        var capacity = (long)terms.Devices * (long)(cmd.To - cmd.From).TotalSeconds;
        if (q.DeviceSeconds > capacity)
        {
            throw RejectedException.Of(Codes.OverCapacity, $"{q.DeviceSeconds} device-seconds is above the lease's {capacity} for this interval", "deviceSeconds");
        }
        if (q.GreenKwh > q.EnergyKwh)
        {
            throw RejectedException.Of(Codes.GreenAboveEnergy, "green energy is above the energy used", "greenKwh");
        }
        foreach (var r in lease.Records)
        {
            if (r.From < cmd.To && cmd.From < r.To)
            {
                throw RejectedException.Of(Codes.Overlap, $"the interval overlaps record '{r.RecordId}' of the same lease", "from");
            }
        }
        if (q.TransferGb > 0 && carrierFor(terms.BuyerCity, terms.Cluster) is null)
        {
            throw RejectedException.Of(Codes.NoCarrier, $"no carrier serves the route {terms.BuyerCity}–{terms.Cluster}", "transferGb");
        }
    }
}
