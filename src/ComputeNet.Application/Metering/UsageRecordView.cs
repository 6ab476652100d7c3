using ComputeNet.Domain.Metering;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;

namespace ComputeNet.Application.Metering;

/// <summary>
/// One accepted usage record, keyed by (provider, record id) — ids are unique per provider, and the
/// insert fails on a duplicate, so two racing records with one id cannot both land.
/// </summary>
public sealed class UsageRecordView
{
    public string Id { get; set; } = "";
    public string LeaseId { get; set; } = "";
    public string ReceivingPeriod { get; set; } = "";
    /// <summary>The period the record's interval starts in (reports count it there; rating may receive it later).</summary>
    public string OwnPeriod { get; set; } = "";
    public UsageRecorded Record { get; set; } = null!;

    public static string KeyOf(string provider, string recordId) => $"{provider}/{recordId}";
}

public sealed partial class UsageRecordProjection : EventProjection
{
    public UsageRecordProjection()
    {
        IncludeType<UsageRecorded>();
    }

    public override ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        if (e.Data is UsageRecorded r)
        {
            operations.Insert(new UsageRecordView
            {
                Id = UsageRecordView.KeyOf(r.Provider, r.RecordId),
                LeaseId = r.LeaseId,
                ReceivingPeriod = r.ReceivingPeriod,
                OwnPeriod = r.OwnPeriod,
                Record = r,
            });
        }
        return ValueTask.CompletedTask;
    }
}
