using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using JasperFx.Events;
using Marten.Events.Aggregation;

namespace ComputeNet.Application.Metering;

/// <summary>
/// A lease's terms, kept inline with its opening so that closes, reports and usage validation find it by id or by
/// window. Id is the lease's stream key; <see cref="LeaseId"/> is the lease id. Usage lives in the providers' streams.
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
            default:
                return snapshot;
        }
    }
}
