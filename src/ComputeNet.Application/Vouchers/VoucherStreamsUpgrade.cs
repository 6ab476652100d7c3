using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Settlement;
using ComputeNet.Domain.Vouchers;
using Marten;

namespace ComputeNet.Application.Vouchers;

/// <summary>
/// A schema written with the single <c>vouchers</c> stream (ADR 0008) gets one stream per programme, once, at start
/// (<see cref="StreamSplit"/>). The copies' redemptions get their own settlement documents; those of the originals go. Each
/// grant is copied in a transaction of its own, so its voucher document draws its grant order in the original order.
/// </summary>
public static class VoucherStreamsUpgrade
{
    public const string OldStream = "vouchers";

    public static Task<bool> EnsureAsync(IDocumentStore store, Action<string>? log, CancellationToken ct) =>
        StreamSplit.EnsureAsync(store, OldStream, e => VoucherProjections.StreamOf(ProgrammeOf(e)),
            (session, e) =>
            {
                if (e.Data is VoucherRedeemed)
                {
                    session.Delete<RedemptionDocument>(e.Id.ToString());
                }
            }, log, ct, alone: e => e is VoucherGranted);

    private static string ProgrammeOf(object e) => e switch
    {
        ProgrammeCreated p => p.ProgrammeId,
        ProgrammeClosed c => c.ProgrammeId,
        VoucherGranted g => g.ProgrammeId,
        VoucherRedeemed r => r.ProgrammeId,
        VoucherLapsed l => l.ProgrammeId,
        _ => throw new InvalidOperationException($"unexpected {e.GetType().Name} in the vouchers stream"),
    };
}
