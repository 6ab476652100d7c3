using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Settlement;
using ComputeNet.Domain.Audit;
using ComputeNet.Domain.Settlement;
using Marten;

namespace ComputeNet.Application.Audit;

/// <summary>Reads what the audit works on: closed periods in close order, the cash and reversal log in commit order, the checkpoints.</summary>
internal static class AuditReader
{
    /// <summary>
    /// Closed periods' events, in close order. A stream whose <c>PeriodClosed</c> was deleted is left out, so verification
    /// against checkpoints names that period as missing instead of failing on it.
    /// </summary>
    public static async Task<IReadOnlyList<IReadOnlyList<object>>> PeriodsAsync(IQuerySession session, CancellationToken ct) =>
        (await SettlementReader.ClosedPeriodsAsync(session, null, ct)).Where(p => p[0].Data is PeriodClosed)
            .Select(p => (IReadOnlyList<object>)p.Select(e => e.Data).ToList()).ToList();

    /// <summary>
    /// Every transaction of the <c>cash</c> and <c>corrections</c> streams in commit order (global event sequence). Writers
    /// of both hold the settlement lock shared and checkpoints are written under it exclusively, so no transaction can
    /// later appear before one a checkpoint already covers.
    /// </summary>
    public static async Task<IReadOnlyList<TransactionPosted>> LedgerLogAsync(IQuerySession session, CancellationToken ct)
    {
        var cash = await session.Events.FetchStreamAsync(MartenSetup.Streams.Cash, token: ct);
        var corrections = await session.Events.FetchStreamAsync(MartenSetup.Streams.Corrections, token: ct);
        // Credit notes' transactions join the log (market-rules §14), written under the same two locks.
        var credits = await session.Events.FetchStreamAsync(Disputes.DisputeProjections.CreditNotesStream, token: ct);
        return cash.Concat(corrections).Concat(credits).OrderBy(e => e.Sequence).Select(e => e.Data).OfType<TransactionPosted>().ToList();
    }

    /// <summary>Every credit note, in issue order (market-rules §14): verification recomputes their hashes and chains.</summary>
    public static async Task<IReadOnlyList<Domain.Disputes.CreditNoteIssued>> CreditNotesAsync(IQuerySession session, CancellationToken ct) =>
        (await session.Events.FetchStreamAsync(Disputes.DisputeProjections.CreditNotesStream, token: ct)).OrderBy(e => e.Sequence).Select(e => e.Data)
            .OfType<Domain.Disputes.CreditNoteIssued>().ToList();

    public static async Task<IReadOnlyList<CheckpointSigned>> CheckpointsAsync(IQuerySession session, CancellationToken ct) =>
        (await session.Events.FetchStreamAsync(MartenSetup.Streams.Checkpoints, token: ct)).Select(e => e.Data).OfType<CheckpointSigned>()
            .OrderBy(c => c.Sequence).ToList();
}
