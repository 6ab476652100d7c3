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
    /// <summary>Energy kWh, green kWh and transferred GB above this in one record are `invalid`: no device or link delivers it (market-rules §6).</summary>
    public const decimal MaxQuantity = 1_000_000_000m;

    /// <summary>
    /// The quantity bounds of market-rules §6, part of the `invalid` (malformed) check that comes before every other §6
    /// code: energy, green energy and transferred GB above <see cref="MaxQuantity"/>.
    /// </summary>
    public static Rejection? Malformed(UsageQuantities q) =>
        q.EnergyKwh > MaxQuantity ? TooLarge("energyKwh", "kWh of energy")
        : q.GreenKwh > MaxQuantity ? TooLarge("greenKwh", "kWh of green energy")
        : q.TransferGb > MaxQuantity ? TooLarge("transferGb", "GB transferred")
        : null;

    private static Rejection TooLarge(string field, string what) =>
        new(Codes.Invalid, $"a usage record holds at most {MaxQuantity:#,0} {what}", field);

    /// <summary>
    /// The record's rated amounts — compute at the lease's price, transport at the route's tariff — must stay within
    /// ±(2^53 − 1) fen (market-rules §6). Checked as soon as the lease is known; device-seconds beyond the lease's capacity
    /// are `over-capacity` unless their amount is beyond even that bound.
    /// </summary>
    public static Rejection? AmountOutOfRange(RecordUsage cmd, LeaseTerms terms)
    {
        var q = cmd.Quantities;
        if (q.DeviceSeconds > 0 && !Money.Fen.IsSafe(Settlement.Rating.ExactComputeAmount(q.DeviceSeconds, terms.ScuPerDevice, terms.Price)))
        {
            return new Rejection(Codes.Invalid, $"{q.DeviceSeconds} device-seconds at the lease's price come to more than {Money.Fen.MaxSafe} fen", "deviceSeconds");
        }
        var tariff = Settlement.Rating.TransportTariff(terms.LatencyMs);
        if (q.TransferGb > 0 && !Money.Fen.IsSafe((Money.Exact.Ratio.Of(q.TransferGb) * Money.Exact.Ratio.Of(tariff) * 100).Round()))
        {
            return new Rejection(Codes.Invalid, $"{q.TransferGb} GB at the route's tariff come to more than {Money.Fen.MaxSafe} fen", "transferGb");
        }
        return null;
    }

    public static bool IsRepeat(RecordUsage cmd, UsageRecorded? previousWithSameId) =>
        previousWithSameId is not null && previousWithSameId.LeaseId == cmd.LeaseId && previousWithSameId.From == cmd.From
        && previousWithSameId.To == cmd.To && previousWithSameId.Quantities == cmd.Quantities;

    /// <summary>Throws the first failing check of market-rules §6 as a <see cref="RejectedException"/>.</summary>
    public static void Check(RecordUsage cmd, LeaseUsage? lease, UsageRecorded? previousWithSameId, Func<string, string, string?> carrierFor)
    {
        var rejection = Validate(cmd, lease?.Terms, previousWithSameId, (from, to) =>
            lease?.Records.FirstOrDefault(r => r.From < to && from < r.To)?.RecordId, carrierFor);
        if (rejection is not null)
        {
            throw new RejectedException(rejection);
        }
    }

    /// <summary>
    /// The first failing check of market-rules §6, in its order, or null when the record is acceptable. The caller
    /// has checked party, role and well-formedness. <paramref name="overlapping"/> names a recorded interval of the
    /// same lease that overlaps <c>[from, to)</c>, if any. Returns data rather than throwing, so that a batch of
    /// thousands of records is validated without an exception per rejected record.
    /// </summary>
    public static Rejection? Validate(RecordUsage cmd, LeaseTerms? terms, UsageRecorded? previousWithSameId,
        Func<Instant, Instant, string?> overlapping, Func<string, string, string?> carrierFor)
    {
        if (terms is null)
        {
            return new Rejection(Codes.UnknownLease, $"no lease '{cmd.LeaseId}'", "lease");
        }
        if (terms.Provider != cmd.Party)
        {
            return new Rejection(Codes.NotLeaseProvider, $"lease '{cmd.LeaseId}' is provided by another party", "lease");
        }
        if (AmountOutOfRange(cmd, terms) is { } outOfRange)
        {
            return outOfRange;
        }
        if (previousWithSameId is not null)
        {
            return new Rejection(Codes.IdReused, $"record id '{cmd.RecordId}' was already used with other content", "id");
        }
        var q = cmd.Quantities;
        if (q.DeviceSeconds < 0 || q.EnergyKwh < 0 || q.GreenKwh < 0 || q.TransferGb < 0)
        {
            return new Rejection(Codes.NegativeValue, "quantities must not be negative", "quantities");
        }
        if (cmd.To <= cmd.From)
        {
            return new Rejection(Codes.EmptyInterval, "the interval must end after it starts", "to");
        }
        if (cmd.From < terms.From || cmd.To > terms.To)
        {
            return new Rejection(Codes.OutsideWindow, $"the interval is outside the lease window [{terms.From}, {terms.To})", "from");
        }
        if (cmd.At < cmd.To)
        {
            return new Rejection(Codes.ReportedEarly, "submitted before the interval ends", "to");
        }
        var capacity = (long)terms.Devices * (long)(cmd.To - cmd.From).TotalSeconds;
        if (q.DeviceSeconds > capacity)
        {
            return new Rejection(Codes.OverCapacity, $"{q.DeviceSeconds} device-seconds is above the lease's {capacity} for this interval", "deviceSeconds");
        }
        if (q.GreenKwh > q.EnergyKwh)
        {
            return new Rejection(Codes.GreenAboveEnergy, "green energy is above the energy used", "greenKwh");
        }
        if (overlapping(cmd.From, cmd.To) is { } other)
        {
            return new Rejection(Codes.Overlap, $"the interval overlaps record '{other}' of the same lease", "from");
        }
        if (q.TransferGb > 0 && carrierFor(terms.BuyerCity, terms.Cluster) is null)
        {
            return new Rejection(Codes.NoCarrier, $"no carrier serves the route {terms.BuyerCity}–{terms.Cluster}", "transferGb");
        }
        return null;
    }
}
