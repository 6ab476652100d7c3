using ComputeNet.Application.Audit;
using ComputeNet.Application.Audit.ExportCheckpoints;
using ComputeNet.Application.Audit.GetProof;
using ComputeNet.Application.Audit.ListCheckpoints;
using ComputeNet.Application.Audit.Verify;
using ComputeNet.Application.Ledger.RecordCash;
using ComputeNet.Application.Metering.RecordUsage;
using ComputeNet.Application.Settlement.ClosePeriod;
using ComputeNet.Domain.Audit;
using ComputeNet.Domain.Settlement;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static ComputeNet.Application.Tests.UseCases.Market;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>
/// Signed checkpoints kept outside the platform: stored history is edited directly in PostgreSQL (mt_events), and
/// verification against the kept checkpoints fails and names the statement or transaction.
/// </summary>
public sealed class CheckpointTamperTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Two closed days: 12-01 with the §13 line (one invoice, one provider statement, one transaction), then a payment of
    /// 50,000 fen (ledger log), then 12-02 (empty) whose checkpoint covers the payment.
    /// </summary>
    private static async Task<TestPlatform> TwoClosedDaysAsync(Action<IServiceCollection>? configure = null)
    {
        var p = await TestPlatform.StartAsync(Nov30Morning, configure: configure);
        var lease = await TradedLeaseAsync(p, Ct);
        p.Clock.Set(At("2026-12-02T00:10:00+08:00"));
        await p.Sender.Send(new RecordUsageRequest("prov-nx", "u1", lease, Dec1, Dec2, 576_000, 1m, 1m, 0m), Ct);
        p.Clock.Set(At("2026-12-02T01:00:00+08:00"));
        await p.Sender.Send(new ClosePeriodRequest("2026-12-01"), Ct);
        await p.Sender.Send(new RecordCashRequest("payment", "pay-1", "sme-sh-1", 50_000), Ct);
        p.Clock.Set(At("2026-12-03T01:00:00+08:00"));
        await p.Sender.Send(new ClosePeriodRequest("2026-12-02"), Ct);
        return p;
    }

    /// <summary>Exports the checkpoints to a folder and reads them back, as a regulator keeps them.</summary>
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

    private static Task<VerificationReport> VerifyAsync(TestPlatform p, KeptCheckpoints kept) =>
        p.Sender.Send(new VerifyAgainstCheckpointsRequest(kept), Ct).AsTask();

    [Fact]
    public async Task Valid_history_verifies_against_the_kept_checkpoints()
    {
        await using var p = await TwoClosedDaysAsync();
        var kept = await KeepAsync(p);
        var report = await VerifyAsync(p, kept);

        Assert.True(report.Ok, string.Join("\n", report.Failures));
        var c = report.Checkpoints!;
        Assert.Equal((2, 2, "2026-12-02", 1, 0), (c.Checkpoints, c.LatestSequence, c.LatestPeriod, c.LedgerTransactionsCovered, c.LedgerTransactionsNotYetCovered));
        Assert.Empty(c.PeriodsNotYetCovered);

        var checkpoints = kept.Checkpoints.OrderBy(x => x.Sequence).ToList();
        Assert.Equal(Statements.Genesis, checkpoints[0].PreviousHash);
        Assert.Equal(checkpoints[0].Hash, checkpoints[1].PreviousHash);
        Assert.Equal((0, 1), (checkpoints[0].LedgerLogSize, checkpoints[1].LedgerLogSize));
        Assert.Equal(["invoice/sme-sh-1", "provider/prov-nx"], checkpoints[1].ChainHeads.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Checkpoints.KeyId(Checkpoints.PublicKeys([p.Services.GetRequiredService<ICheckpointSigner>().PublicKeyPem]).Values.Single()),
            checkpoints[0].KeyId);

        // The platform's own view (stored checkpoints, its public key) agrees.
        Assert.True((await p.Sender.Send(new VerifyHistoryRequest(), Ct)).Ok);
    }

    [Fact]
    public async Task A_transaction_amount_edited_in_mt_events_is_named_even_when_it_still_balances()
    {
        await using var p = await TwoClosedDaysAsync();
        var kept = await KeepAsync(p);
        var txId = (await p.Sender.Send(new ExportCheckpointsRequest(), Ct)).Manifests["2026-12-01"].Single().TxId;

        // Move 100 fen from the provider's credit to the platform's fee: both postings edited, the transaction still balances.
        await p.TamperAsync("""
            update {schema}.mt_events
            set data = jsonb_set(jsonb_set(data, '{postings,1,amountFen}', to_jsonb((data->'postings'->1->>'amountFen')::bigint + 100)),
                                 '{postings,2,amountFen}', to_jsonb((data->'postings'->2->>'amountFen')::bigint - 100))
            where type = 'transaction_posted' and stream_id = 'period:2026-12-01'
            """);
        var report = await VerifyAsync(p, kept);

        Assert.False(report.Ok);
        Assert.DoesNotContain(report.Failures, f => f.Contains("does not balance"));
        Assert.Contains(report.Failures, f => f.Contains($"transaction {txId} (leaf 0) was changed"));
        Assert.Contains(report.Failures, f => f.StartsWith("2026-12-01: stored transactions give Merkle root"));
    }

    [Fact]
    public async Task A_cash_amount_edited_in_mt_events_is_named()
    {
        await using var p = await TwoClosedDaysAsync();
        var kept = await KeepAsync(p);
        await p.TamperAsync("""
            update {schema}.mt_events
            set data = jsonb_set(jsonb_set(data, '{postings,0,amountFen}', '5000'), '{postings,1,amountFen}', '-5000')
            where type = 'transaction_posted' and stream_id = 'cash'
            """);
        var report = await VerifyAsync(p, kept);

        Assert.False(report.Ok);
        Assert.Contains(report.Failures, f => f.Contains("ledger log: transaction cash/pay-1 (leaf 0) was changed"));
        Assert.Contains(report.Failures, f => f.StartsWith("ledger log: the first 1 cash and reversal transactions give root"));
    }

    [Fact]
    public async Task A_statement_rewritten_together_with_its_stored_hash_is_named()
    {
        await using var p = await TwoClosedDaysAsync();
        var kept = await KeepAsync(p);

        // The invoice is the head of its chain: rewriting it with a matching hash passes every check of stored history alone.
        InvoiceIssued invoice;
        await using (var session = p.Store.QuerySession())
        {
            invoice = (await session.Events.FetchStreamAsync("period:2026-12-01", token: Ct)).Select(e => e.Data).OfType<InvoiceIssued>().Single();
        }
        var forged = invoice with { AmountFen = 144_000 };
        var forgedHash = Canonical.Sha256(Statements.Body(forged, forged.PreviousHash!));
        await p.TamperAsync($$"""
            update {schema}.mt_events set data = jsonb_set(jsonb_set(data, '{amountFen}', '144000'), '{hash}', '"{{forgedHash}}"')
            where type = 'invoice_issued'
            """);

        await using (var session = p.Store.QuerySession())
        {
            var periods = new List<IReadOnlyList<object>>();
            foreach (var day in new[] { "2026-12-01", "2026-12-02" })
            {
                periods.Add((await session.Events.FetchStreamAsync($"period:{day}", token: Ct)).Select(e => e.Data).ToList());
            }
            Assert.True(Verifier.Verify(periods).Ok, "stored history alone cannot see this edit");
        }
        var report = await VerifyAsync(p, kept);
        Assert.False(report.Ok);
        Assert.Contains(report.Failures, f => f.StartsWith($"2026-12-01 invoice of sme-sh-1: recomputed hash {forgedHash} differs from the head {invoice.Hash}"));
        Assert.Contains(report.Failures, f => f.StartsWith("2026-12-01: the 2 stored statements hash to"));
        Assert.False((await p.Sender.Send(new VerifyHistoryRequest(), Ct)).Ok, "the platform's stored checkpoints see it too");

        // The regulator's one-statement and one-chain checks name it as well; the provider's chain is untouched.
        var statement = await p.Sender.Send(new Audit.VerifyItem.VerifyStatementRequest("2026-12-01", "invoice", "sme-sh-1"), Ct);
        Assert.False(statement.Ok);
        Assert.Equal((forgedHash, invoice.Hash), (statement.Statement.RecomputedHash, statement.CheckpointHead));
        Assert.False((await p.Sender.Send(new Audit.VerifyItem.VerifyChainRequest("invoice", "sme-sh-1"), Ct)).Ok);
        Assert.True((await p.Sender.Send(new Audit.VerifyItem.VerifyChainRequest("provider", "prov-nx"), Ct)).Ok);
        Assert.True((await p.Sender.Send(new Audit.VerifyItem.VerifyPeriodRequest("2026-12-01"), Ct)).Ok, "the period's transactions are untouched");
    }

    [Fact]
    public async Task Deleted_events_are_named()
    {
        await using var p = await TwoClosedDaysAsync();
        var kept = await KeepAsync(p);
        var txId = kept.Manifests!["2026-12-01"].Single().TxId;

        await p.TamperAsync("delete from {schema}.mt_events where type = 'transaction_posted' and stream_id = 'cash'");
        await p.TamperAsync("delete from {schema}.mt_events where type = 'transaction_posted' and stream_id = 'period:2026-12-01'");
        var report = await VerifyAsync(p, kept);

        Assert.False(report.Ok);
        Assert.Contains(report.Failures, f => f == $"2026-12-01: transaction {txId} (leaf 0) is missing from stored history");
        Assert.Contains(report.Failures, f => f == "ledger log: transaction cash/pay-1 (leaf 0) is missing from stored history");
        Assert.Contains(report.Failures, f => f.StartsWith("ledger log: 0 cash and reversal transactions are stored, checkpoint #2 (2026-12-02) covers 1"));

        // Deleting a whole closed period is named too.
        await p.TamperAsync("delete from {schema}.mt_events where stream_id = 'period:2026-12-02'");
        await p.TamperAsync("delete from {schema}.mt_doc_closedperiodview where id = '2026-12-02'");
        Assert.Contains((await VerifyAsync(p, kept)).Failures, f => f == "checkpoint #2 (2026-12-02): period 2026-12-02 is missing from stored history");

        // So is a period whose PeriodClosed event alone was deleted.
        await p.TamperAsync("delete from {schema}.mt_events where type = 'period_closed' and stream_id = 'period:2026-12-01'");
        Assert.Contains((await VerifyAsync(p, kept)).Failures, f => f == "checkpoint #1 (2026-12-01): period 2026-12-01 is missing from stored history");
    }

    [Fact]
    public async Task A_forged_or_unknown_key_checkpoint_fails()
    {
        await using var p = await TwoClosedDaysAsync();
        var kept = await KeepAsync(p);
        var first = kept.Checkpoints.Single(c => c.Sequence == 1);
        var edited = kept with { Checkpoints = kept.Checkpoints.Select(c => c.Sequence == 1 ? c with { MerkleRoot = new string('a', 64) } : c).ToList() };
        Assert.Contains((await VerifyAsync(p, edited)).Failures, f => f.StartsWith("checkpoint #1 (2026-12-01): its body hashes to"));

        using var other = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var otherKeys = Checkpoints.PublicKeys([other.ExportSubjectPublicKeyInfoPem()]);
        Assert.Contains((await VerifyAsync(p, kept with { PublicKeys = otherKeys })).Failures,
            f => f.StartsWith($"checkpoint #1 (2026-12-01): it is signed by key {first.KeyId}, which is not among the public keys given"));
    }

    /// <summary>Fails the first signature it is asked for: the close commits, then "crashes" before its checkpoint is written.</summary>
    private sealed class CrashingSigner(ICheckpointSigner inner) : ICheckpointSigner
    {
        public bool Crashed { get; private set; }
        public string Location => inner.Location;
        public string KeyId => inner.KeyId;
        public string PublicKeyPem => inner.PublicKeyPem;
        public IReadOnlyList<string> PublicKeyPems => inner.PublicKeyPems;

        public byte[] Sign(byte[] data)
        {
            if (!Crashed)
            {
                Crashed = true;
                throw new IOException("simulated crash after the close committed, before its checkpoint was written");
            }
            return inner.Sign(data);
        }
    }

    [Fact]
    public async Task A_close_that_crashed_before_its_checkpoint_writes_it_when_run_again()
    {
        var signer = new CrashingSigner(new FileSigningKey(TestDatabase.SigningKeyPath));
        await using var p = await TestPlatform.StartAsync(Nov30Morning, configure: s => s.AddSingleton<ICheckpointSigner>(signer));
        var lease = await TradedLeaseAsync(p, Ct);
        p.Clock.Set(At("2026-12-02T00:10:00+08:00"));
        await p.Sender.Send(new RecordUsageRequest("prov-nx", "u1", lease, Dec1, Dec2, 576_000, 1m, 1m, 0m), Ct);
        p.Clock.Set(At("2026-12-02T01:00:00+08:00"));

        await Assert.ThrowsAsync<IOException>(() => p.Sender.Send(new ClosePeriodRequest("2026-12-01"), Ct).AsTask());
        Assert.True(signer.Crashed);
        Assert.Empty(await p.Sender.Send(new ListCheckpointsRequest(), Ct));
        var unsigned = await p.Sender.Send(new VerifyHistoryRequest(), Ct);
        Assert.Contains(unsigned.Checkpoints!.PeriodsNotYetCovered, x => x == "2026-12-01");

        var again = await p.Sender.Send(new ClosePeriodRequest("2026-12-01"), Ct);
        Assert.True(again.AlreadyClosed);
        var checkpoint = Assert.Single(await p.Sender.Send(new ListCheckpointsRequest(), Ct));
        Assert.Equal(checkpoint.Hash, again.Checkpoint);
        Assert.Equal(("2026-12-01", 1, 1, Statements.Genesis), (checkpoint.Period, checkpoint.Sequence, checkpoint.TreeSize, checkpoint.PreviousHash));

        var third = await p.Sender.Send(new ClosePeriodRequest("2026-12-01"), Ct);
        Assert.Equal(checkpoint.Hash, third.Checkpoint);
        Assert.Single(await p.Sender.Send(new ListCheckpointsRequest(), Ct));
        Assert.True((await VerifyAsync(p, await KeepAsync(p))).Ok);
    }

    [Fact]
    public async Task An_inclusion_proof_verifies_offline_and_a_tampered_one_fails()
    {
        await using var p = await TwoClosedDaysAsync();
        var keys = Checkpoints.PublicKeys([(await p.Sender.Send(new GetPublicKeyRequest(), Ct)).PublicKeyPem]);
        var txId = (await p.Sender.Send(new ExportCheckpointsRequest(), Ct)).Manifests["2026-12-01"].Single().TxId;

        var file = Path.Combine(Path.GetTempPath(), $"computenet-proof-{Guid.NewGuid():N}.json");
        try
        {
            await AuditFiles.WriteProofAsync(file, await p.Sender.Send(new GetProofRequest(txId), Ct), Ct);
            await p.DisposeAsync(); // offline: no platform, no database
            var proof = await AuditFiles.ReadProofAsync(file, Ct);
            var check = Proofs.Verify(proof, keys);
            Assert.True(check.Ok, string.Join("\n", check.Failures));
            Assert.Equal((Proofs.PeriodLog, 0L, 1L, 0), (proof.Log, proof.LeafIndex, proof.TreeSize, proof.ProofBytes));

            var tampered = proof with { Leaf = proof.Leaf.Replace("\"kind\":\"", "\"kind\":\"x") };
            Assert.NotEqual(proof.Leaf, tampered.Leaf);
            Assert.Contains(Proofs.Verify(tampered, keys).Failures, f => f.StartsWith("the leaf hashes to"));
            var resigned = proof with { Checkpoint = proof.Checkpoint with { MerkleRoot = new string('0', 64) } };
            Assert.False(Proofs.Verify(resigned, keys).Ok);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_cash_transaction_is_proved_in_the_ledger_log()
    {
        await using var p = await TwoClosedDaysAsync();
        var keys = Checkpoints.PublicKeys((await p.Sender.Send(new GetPublicKeyRequest(), Ct)) is var k ? [k.PublicKeyPem] : []);
        var proof = await p.Sender.Send(new GetProofRequest("cash/pay-1"), Ct);
        Assert.Equal((Proofs.LedgerLog, 2, 1), (proof.Log, proof.Checkpoint.Sequence, (int)proof.TreeSize));
        Assert.True(Proofs.Verify(proof, keys).Ok);

        // A payment after the last close is not covered yet, an unknown id is not found.
        await p.Sender.Send(new RecordCashRequest("payment", "pay-2", "sme-sh-1", 1_000), Ct);
        var late = await Assert.ThrowsAsync<Domain.RejectedException>(() => p.Sender.Send(new GetProofRequest("cash/pay-2"), Ct).AsTask());
        Assert.Equal("not-checkpointed", late.Rejection.Code);
        var unknown = await Assert.ThrowsAsync<Domain.RejectedException>(() => p.Sender.Send(new GetProofRequest("cash/none"), Ct).AsTask());
        Assert.Equal("not-found", unknown.Rejection.Code);
        Assert.Equal(1, (await p.Sender.Send(new VerifyHistoryRequest(), Ct)).Checkpoints!.LedgerTransactionsNotYetCovered);
    }
}
