using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using JasperFx.Events;
using Marten.Events.Aggregation;

namespace ComputeNet.Application.Metering;

/// <summary>
/// A lease with its recorded intervals: the state usage validation decides on, kept inline with every
/// append so it is never stale. Id is the lease's stream key; <see cref="LeaseId"/> is the lease id.
/// </summary>
public sealed class LeaseDocument
{
    public string Id { get; set; } = "";
    public string LeaseId { get; set; } = "";
    public LeaseTerms Terms { get; set; } = null!;
    public string Commitment { get; set; } = "";
    /// <summary>Window bounds as Unix seconds, for range queries without a NodaTime LINQ member source.</summary>
    public long FromUnixSeconds { get; set; }
    public long ToUnixSeconds { get; set; }
    public List<RecordedInterval> Records { get; set; } = [];
    public long DeviceSecondsDelivered { get; set; }

    public LeaseUsage ToUsage() => new() { Terms = Terms, Records = Records, DeviceSecondsDelivered = DeviceSecondsDelivered };
}

public sealed partial class LeaseProjection : SingleStreamProjection<LeaseDocument, string>
{
    public override LeaseDocument? Evolve(LeaseDocument? snapshot, string id, IEvent e)
    {
        switch (e.Data)
        {
            case LeaseOpened opened:
                return new LeaseDocument
                {
                    Id = id,
                    LeaseId = opened.Terms.LeaseId,
                    Terms = opened.Terms,
                    Commitment = opened.Terms.Commitment,
                    FromUnixSeconds = opened.Terms.From.ToUnixTimeSeconds(),
                    ToUnixSeconds = opened.Terms.To.ToUnixTimeSeconds(),
                };
            case UsageRecorded recorded when snapshot is not null:
                snapshot.Records.Add(new RecordedInterval(recorded.RecordId, recorded.From, recorded.To, recorded.Quantities));
                snapshot.DeviceSecondsDelivered += recorded.DeviceSeconds;
                return snapshot;
            default:
                return snapshot;
        }
    }
}
