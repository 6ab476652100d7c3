using ComputeNet.Application.Audit.Verify;
using ComputeNet.Application.Metering.RecordUsage;
using ComputeNet.Application.Settlement.ClosePeriod;
using Npgsql;
using static ComputeNet.Application.Tests.UseCases.Market;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>Stored history is edited directly in PostgreSQL; verification recomputes hashes and roots and names what was changed.</summary>
public sealed class TamperEvidenceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<TestPlatform> ClosedDayAsync()
    {
        var p = await TestPlatform.StartAsync(Nov30Morning);
        var lease = await TradedLeaseAsync(p, Ct);
        p.Clock.Set(At("2026-12-02T00:10:00+08:00"));
        await p.Sender.Send(new RecordUsageRequest("prov-nx", "u1", lease, Dec1, Dec2, 576_000, 1m, 1m, 0m), Ct);
        p.Clock.Set(At("2026-12-02T01:00:00+08:00"));
        await p.Sender.Send(new ClosePeriodRequest("2026-12-01"), Ct);
        return p;
    }

    [Fact]
    public async Task Untouched_history_verifies()
    {
        await using var p = await ClosedDayAsync();
        var report = await p.Sender.Send(new VerifyHistoryRequest(), Ct);
        Assert.True(report.Ok, string.Join("\n", report.Failures));
        Assert.Equal((1, 2, 1), (report.Periods, report.Statements, report.Transactions));
    }

    [Fact]
    public async Task An_invoice_amount_edited_in_the_database_is_named()
    {
        await using var p = await ClosedDayAsync();
        await p.TamperAsync("""
            update {schema}.mt_events set data = jsonb_set(data, '{amountFen}', '144000')
            where type = 'invoice_issued'
            """);
        var report = await p.Sender.Send(new VerifyHistoryRequest(), Ct);
        Assert.False(report.Ok);
        Assert.Contains(report.Failures, f => f.Contains("invoice of sme-sh-1") && f.Contains("differs from the recomputed"));
    }

    [Fact]
    public async Task A_ledger_posting_edited_or_a_transaction_deleted_breaks_the_merkle_root()
    {
        await using var p = await ClosedDayAsync();
        await p.TamperAsync("""
            update {schema}.mt_events set data = jsonb_set(data, '{postings,0,amountFen}', '1')
            where type = 'transaction_posted'
            """);
        var edited = await p.Sender.Send(new VerifyHistoryRequest(), Ct);
        Assert.Contains(edited.Failures, f => f.Contains("does not balance"));
        Assert.Contains(edited.Failures, f => f.Contains("Merkle root"));

        await p.TamperAsync("delete from {schema}.mt_events where type = 'transaction_posted'");
        var deleted = await p.Sender.Send(new VerifyHistoryRequest(), Ct);
        Assert.Contains(deleted.Failures, f => f.Contains("Merkle root of 0 transactions"));
    }
}
