using System.CommandLine;
using ComputeNet.Application;
using ComputeNet.Application.Audit.ExportCheckpoints;
using ComputeNet.Application.Audit.Verify;
using ComputeNet.Application.Audit.VerifyItem;
using ComputeNet.Domain;
using ComputeNet.Domain.Audit;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace ComputeNet.Cli;

internal static class VerifyCommand
{
    public static Option<string> SchemaOption() =>
        new("--schema") { Description = "event-store schema (default computenet; the demo writes 'demo')", DefaultValueFactory = _ => ComputeNetSettings.DefaultSchema };

    private static Option<string[]> PublicKeyOption() =>
        new("--public-key") { Description = "public key PEM file(s) to check checkpoint signatures with (repeatable); default: the folder's public-keys/*.pem", AllowMultipleArgumentsPerToken = true };

    public static Command Create()
    {
        var schema = SchemaOption();
        var checkpoints = new Option<DirectoryInfo?>("--checkpoints") { Description = "a folder of checkpoints kept outside the platform (written by 'checkpoints export'): verify stored history against them" };
        var keys = PublicKeyOption();
        var verify = new Command("verify", "recompute every statement hash, chain link, period Merkle root and the cash/reversal log from stored history, against signed checkpoints; exit 1 and name what fails")
            { schema, checkpoints, keys };
        verify.SetAction(async (parse, ct) => await WithServicesAsync(parse.GetValue(schema)!, async sender =>
        {
            VerificationReport report;
            if (parse.GetValue(checkpoints) is { } dir)
            {
                if (!dir.Exists)
                {
                    return Exit.UsageError($"no folder {dir.FullName}");
                }
                var kept = await AuditFiles.ReadAsync(dir.FullName, await ReadKeysAsync(parse.GetValue(keys), ct), ct);
                AnsiConsole.MarkupLineInterpolated($"Kept checkpoints: {kept.Checkpoints.Count} from {dir.FullName}, public keys {string.Join(", ", kept.PublicKeys.Keys.Select(k => k[..16] + "…"))}");
                report = await sender.Send(new VerifyAgainstCheckpointsRequest(kept), ct);
            }
            else
            {
                report = await sender.Send(new VerifyHistoryRequest(), ct);
            }
            Print(report);
            return report.Ok ? 0 : 1;
        }, ct));

        verify.Subcommands.Add(ProofCommand());
        verify.Subcommands.Add(StatementCommand());
        verify.Subcommands.Add(ChainCommand());
        verify.Subcommands.Add(PeriodCommand());
        return verify;
    }

    public static void Print(VerificationReport report)
    {
        foreach (var p in report.PeriodResults)
        {
            AnsiConsole.MarkupLine((p.Ok ? "[green]ok[/]   " : "[red]FAIL[/] ") + Markup.Escape($"{p.Period}: {p.Statements} statements, {p.Transactions} transactions, Merkle root {p.MerkleRoot}"));
        }
        if (report.Checkpoints is { } c)
        {
            AnsiConsole.MarkupLine((c.Ok ? "[green]ok[/]   " : "[red]FAIL[/] ") + Markup.Escape(
                $"checkpoints: {c.Checkpoints} signed (latest #{c.LatestSequence} {c.LatestPeriod}, key {string.Join(", ", c.KeyIds.Select(k => k[..16] + "…"))}); "
                + $"cash/reversal log: {c.LedgerTransactionsCovered} covered, {c.LedgerTransactionsNotYetCovered} after the latest checkpoint"
                + (c.PeriodsNotYetCovered.Count > 0 ? $"; periods not yet checkpointed: {string.Join(", ", c.PeriodsNotYetCovered)}" : "")));
        }
        foreach (var f in report.Failures)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{f}[/]");
        }
        AnsiConsole.MarkupLine((report.Ok ? "[green]verified[/]" : "[red]verification failed[/]")
            + Markup.Escape($": {report.Periods} periods, {report.Statements} statements, {report.Transactions} period transactions, {report.LedgerTransactions} cash/reversal transactions, {report.CreditNotes} credit notes"));
    }

    private static Command ProofCommand()
    {
        var file = new Argument<FileInfo>("file") { Description = "a proof saved by 'checkpoints proof' or GET /v1/proofs" };
        var keys = PublicKeyOption();
        keys.Required = true;
        var proof = new Command("proof", "check a saved inclusion proof offline (no database): leaf, RFC 6962 audit path, root, checkpoint signature") { file, keys };
        proof.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                return Exit.UsageError($"no file {path.FullName}");
            }
            try
            {
                var p = await AuditFiles.ReadProofAsync(path.FullName, ct);
                var check = Proofs.Verify(p, Checkpoints.PublicKeys(await ReadKeysAsync(parse.GetValue(keys), ct) ?? []));
                PrintProof(p, check);
                return check.Ok ? 0 : 1;
            }
            catch (Exception e) when (IsUnreadable(e))
            {
                return Exit.UsageError($"{e.Message}");
            }
        });
        return proof;
    }

    public static void PrintProof(InclusionProof p, ProofCheck check)
    {
        AnsiConsole.MarkupLine((check.Ok ? "[green]proof verified[/]" : "[red]proof FAILED[/]") + Markup.Escape(
            $": {p.TxId} is leaf {p.LeafIndex} of {p.TreeSize} in the {(p.Log == Proofs.PeriodLog ? $"tree of period {p.Period}" : "cash/reversal log")}; "
            + $"audit path {p.AuditPath.Count} hashes = {p.ProofBytes} bytes; root {p.Root[..16]}… signed by checkpoint #{p.Checkpoint.Sequence} ({p.Checkpoint.Period}), key {p.Checkpoint.KeyId[..16]}…"));
        foreach (var f in check.Failures)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{f}[/]");
        }
    }

    private static Command StatementCommand()
    {
        var schema = SchemaOption();
        var period = new Argument<string>("period");
        var kind = new Argument<string>("kind") { Description = "invoice, provider, carrier, issuer or region" };
        var party = new Argument<string>("party");
        var cmd = new Command("statement", "verify one statement: hash, chain link, and the head its signed checkpoint holds") { period, kind, party, schema };
        cmd.SetAction(async (parse, ct) => await WithServicesAsync(parse.GetValue(schema)!, async sender =>
        {
            var r = await sender.Send(new VerifyStatementRequest(parse.GetValue(period)!, parse.GetValue(kind)!, parse.GetValue(party)!), ct);
            AnsiConsole.MarkupLine((r.Ok ? "[green]ok[/] " : "[red]FAIL[/] ") + Markup.Escape($"{r.Statement.Period} {r.Statement.Statement}: hash {r.Statement.RecomputedHash}, checkpoint #{r.Checkpoint} head {r.CheckpointHead}"));
            r.Failures.ToList().ForEach(f => AnsiConsole.MarkupLineInterpolated($"[red]{f}[/]"));
            return r.Ok ? 0 : 1;
        }, ct));
        return cmd;
    }

    private static Command ChainCommand()
    {
        var schema = SchemaOption();
        var kind = new Argument<string>("kind") { Description = "invoice, provider, carrier, issuer or region" };
        var party = new Argument<string>("party");
        var cmd = new Command("chain", "verify one party's statement chain of one kind against the signed checkpoints") { kind, party, schema };
        cmd.SetAction(async (parse, ct) => await WithServicesAsync(parse.GetValue(schema)!, async sender =>
        {
            var r = await sender.Send(new VerifyChainRequest(parse.GetValue(kind)!, parse.GetValue(party)!), ct);
            foreach (var s in r.Statements)
            {
                AnsiConsole.MarkupLine((s.Ok ? "[green]ok[/]   " : "[red]FAIL[/] ") + Markup.Escape($"{s.Period} {s.Statement}: {s.RecomputedHash} ← {s.PreviousHash}"));
            }
            r.Failures.ToList().ForEach(f => AnsiConsole.MarkupLineInterpolated($"[red]{f}[/]"));
            AnsiConsole.MarkupLine((r.Ok ? "[green]chain verified[/]" : "[red]chain failed[/]") + Markup.Escape($": {r.Chain}, {r.Statements.Count} statements"));
            return r.Ok ? 0 : 1;
        }, ct));
        return cmd;
    }

    private static Command PeriodCommand()
    {
        var schema = SchemaOption();
        var period = new Argument<string>("period");
        var cmd = new Command("period", "verify one period's Merkle root against its close and its signed checkpoint") { period, schema };
        cmd.SetAction(async (parse, ct) => await WithServicesAsync(parse.GetValue(schema)!, async sender =>
        {
            var r = await sender.Send(new VerifyPeriodRequest(parse.GetValue(period)!), ct);
            AnsiConsole.MarkupLine((r.Ok ? "[green]ok[/] " : "[red]FAIL[/] ") + Markup.Escape($"{r.Period}: {r.Transactions} transactions, root {r.RecomputedRoot}, checkpoint #{r.Checkpoint} root {r.CheckpointRoot}"));
            r.Failures.ToList().ForEach(f => AnsiConsole.MarkupLineInterpolated($"[red]{f}[/]"));
            return r.Ok ? 0 : 1;
        }, ct));
        return cmd;
    }

    public static async Task<IReadOnlyList<string>?> ReadKeysAsync(string[]? files, CancellationToken ct)
    {
        if (files is null || files.Length == 0)
        {
            return null;
        }
        var pems = new List<string>();
        foreach (var f in files)
        {
            pems.Add(await File.ReadAllTextAsync(f, ct));
        }
        return pems;
    }

    /// <summary>Composes the platform on an existing schema and runs <paramref name="action"/>; a rejection prints its code and exits 2.</summary>
    public static async Task<int> WithServicesAsync(string schema, Func<ISender, Task<int>> action, CancellationToken ct)
    {
        var connection = await Hosting.ConnectionStringAsync(ct);
        if (!await ComputeNetServices.SchemaExistsAsync(connection, schema, ct))
        {
            return Exit.UsageError($"no schema '{schema}' in this database (the demo writes 'demo')");
        }
        await using var services = ComputeNetServices.Compose(new ComputeNetSettings(connection, schema), null, Hosting.AddMediator);
        await services.InitialiseComputeNetAsync(ct);
        try
        {
            return await action(services.GetRequiredService<ISender>());
        }
        catch (RejectedException e)
        {
            return Exit.RefusedBy(e);
        }
        catch (Exception e) when (IsUnreadable(e))
        {
            return Exit.UsageError($"{e.Message}");
        }
    }

    /// <summary>A kept file or key that cannot be read or parsed: exit 2 with the reason, not a stack trace.</summary>
    public static bool IsUnreadable(Exception e) =>
        e is System.Text.Json.JsonException or InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException
            or System.Security.Cryptography.CryptographicException;
}
