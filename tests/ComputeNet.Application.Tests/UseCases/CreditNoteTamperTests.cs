using ComputeNet.Application.Audit;
using ComputeNet.Application.Audit.ExportCheckpoints;
using ComputeNet.Application.Audit.Verify;
using ComputeNet.Application.Disputes;
using ComputeNet.Application.Disputes.ListCreditNotes;
using ComputeNet.Application.Disputes.OpenDispute;
using ComputeNet.Application.Disputes.ResolveDispute;
using ComputeNet.Application.Metering.RecordUsage;
using ComputeNet.Application.Settlement.ClosePeriod;
using ComputeNet.Domain.Audit;
using ComputeNet.Domain.Disputes;
using static ComputeNet.Application.Tests.UseCases.Market;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>
/// Credit notes are tamper-evident (market-rules §14): verification recomputes their hashes and chains, and their
/// transactions join the ledger log that the next checkpoint signs. Stored notes are edited directly in PostgreSQL.
/// </summary>
public sealed class CreditNoteTamperTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>12-01 closed with the §13 line (no voucher, no pairing), two credit notes on it, then 12-02 closed: its checkpoint signs them.</summary>
    private static async Task<TestPlatform> CreditedAsync()
    {
        var p = await TestPlatform.StartAsync(Nov30Morning);
        var lease = await TradedLeaseAsync(p, Ct);
        p.Clock.Set(At("2026-12-02T00:10:00+08:00"));
        await p.Sender.Send(new RecordUsageRequest("prov-nx", "u1", lease, Dec1, Dec2, 576_000, 1m, 1m, 0m), Ct);
        p.Clock.Set(At("2026-12-02T01:00:00+08:00"));
        await p.Sender.Send(new ClosePeriodRequest("2026-12-01"), Ct);
        foreach (var (id, x) in new[] { ("d1", 1_000L), ("d2", 2_000L) })
        {
            await p.Sender.Send(new OpenDisputeRequest("sme-sh-1", id, "2026-12-01", "b1", "of1", "compute", false, x, "double-counted hour"), Ct);
            var accepted = await p.Sender.Send(new ResolveDisputeRequest(id, Outcomes.Accept, x), Ct);
            Assert.Equal(DisputeStates.Accepted, accepted.State);
        }
        p.Clock.Set(At("2026-12-03T01:00:00+08:00"));
        await p.Sender.Send(new ClosePeriodRequest("2026-12-02"), Ct);
        return p;
    }

    private static async Task<KeptCheckpoints> KeepAsync(TestPlatform p)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"computenet-kept-{Guid.NewGuid():N}");
        try
        {
            await AuditFiles.WriteAsync(folder, await p.Sender.Send(new ExportCheckpointsRequest(), Ct), Ct);
            return await AuditFiles.ReadAsync(folder, null, Ct);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Credit_notes_verify_and_the_next_checkpoint_signs_their_transactions()
    {
        await using var p = await CreditedAsync();
        var report = await p.Sender.Send(new VerifyAgainstCheckpointsRequest(await KeepAsync(p)), Ct);
        Assert.True(report.Ok, string.Join("\n", report.Failures));
        Assert.Equal(2, report.CreditNotes);
        Assert.Equal((2, 0), (report.Checkpoints!.LedgerTransactionsCovered, report.Checkpoints.LedgerTransactionsNotYetCovered));
        var notes = await p.Sender.Send(new ListCreditNotesRequest(CreditNoteScope.All), Ct);
        Assert.Equal([Statements.Genesis, notes[0].Hash], notes.Select(n => n.PreviousHash));
    }

    [Fact]
    public async Task A_credit_note_edited_in_the_database_is_named()
    {
        await using var p = await CreditedAsync();
        await p.TamperAsync("""
            update {schema}.mt_events set data = jsonb_set(data, '{amountFen}', '-900')
            where type = 'credit_note_issued' and data->>'id' = 'cn-d1'
            """);
        var report = await p.Sender.Send(new VerifyHistoryRequest(), Ct);
        Assert.False(report.Ok);
        Assert.Contains(report.Failures, f => f.Contains("credit note cn-d1") && f.Contains("differs from the recomputed"));
    }

    [Fact]
    public async Task A_credit_note_rewritten_with_a_fresh_hash_still_fails_against_its_signed_transaction()
    {
        await using var p = await CreditedAsync();
        var kept = await KeepAsync(p);
        var stored = (await p.Sender.Send(new ListCreditNotesRequest(CreditNoteScope.All), Ct))[0];
        var forged = DisputeLine.Chain(new CreditNoteIssued(stored.Id, stored.Dispute, stored.Period, stored.Buyer, stored.Bid, stored.Offer, stored.Kind,
            stored.Late, "", -900, stored.TaxFen, stored.VoucherFen, -900, stored.Reason, stored.Earner, stored.Issuer, stored.Postings, stored.At), Statements.Genesis);
        await p.TamperAsync($$"""
            update {schema}.mt_events set data = jsonb_set(jsonb_set(jsonb_set(data, '{amountFen}', '-900'), '{dueFen}', '-900'), '{hash}', '"{{forged.Hash}}"')
            where type = 'credit_note_issued' and data->>'id' = 'cn-d1'
            """);
        var report = await p.Sender.Send(new VerifyAgainstCheckpointsRequest(kept), Ct);
        Assert.False(report.Ok);
        Assert.Contains(report.Failures, f => f.Contains("credit note cn-d1"));
    }
}
