using System.CommandLine;
using System.Text.Json;
using ComputeNet.Application.Audit.ExportCheckpoints;
using ComputeNet.Application.Audit.GetProof;
using ComputeNet.Application.Audit.ListCheckpoints;
using Spectre.Console;

namespace ComputeNet.Cli;

/// <summary>The regulator's checkpoint commands: list, export to a folder kept outside the platform, the public key, inclusion proofs.</summary>
internal static class CheckpointsCommand
{
    public static Command Create()
    {
        var root = new Command("checkpoints", "signed checkpoints (one per closed period): list, export, public key, inclusion proofs");

        var schema = VerifyCommand.SchemaOption();
        var list = new Command("list", "every signed checkpoint, in close order") { schema };
        list.SetAction(async (parse, ct) => await VerifyCommand.WithServicesAsync(parse.GetValue(schema)!, async sender =>
        {
            var table = new Table().AddColumns("#", "period", "closed at", "tree size", "Merkle root", "statements", "ledger log", "key", "hash");
            foreach (var c in await sender.Send(new ListCheckpointsRequest(), ct))
            {
                table.AddRow(c.Sequence.ToString(), c.Period, c.ClosedAt.ToString(), c.TreeSize.ToString(), c.MerkleRoot[..16] + "…", c.Statements.ToString(),
                    $"{c.LedgerLogSize} / {c.LedgerLogRoot[..8]}…", c.KeyId[..16] + "…", c.Hash[..16] + "…");
            }
            AnsiConsole.Write(table);
            return 0;
        }, ct));
        root.Subcommands.Add(list);

        var exportSchema = VerifyCommand.SchemaOption();
        var outDir = new Option<DirectoryInfo>("--out") { Description = "folder to keep them in (outside the platform)", Required = true };
        var export = new Command("export", "write every checkpoint, its leaf manifest and the public key(s) to a folder, for 'verify --checkpoints'") { outDir, exportSchema };
        export.SetAction(async (parse, ct) => await VerifyCommand.WithServicesAsync(parse.GetValue(exportSchema)!, async sender =>
        {
            var folder = parse.GetValue(outDir)!.FullName;
            var export = await sender.Send(new ExportCheckpointsRequest(), ct);
            var files = await AuditFiles.WriteAsync(folder, export, ct);
            AnsiConsole.MarkupLineInterpolated($"Exported {export.Checkpoints.Count} checkpoints, {export.Manifests.Count} leaf manifests and {export.PublicKeyPems.Count} public key(s) to {folder} ({files.Count} files)");
            return 0;
        }, ct));
        root.Subcommands.Add(export);

        var keySchema = VerifyCommand.SchemaOption();
        var keyOut = new Option<FileInfo?>("--out") { Description = "also write the PEM to this file" };
        var key = new Command("public-key", "the platform's checkpoint-signing public key (PEM), its key id and where the private key is kept") { keyOut, keySchema };
        key.SetAction(async (parse, ct) => await VerifyCommand.WithServicesAsync(parse.GetValue(keySchema)!, async sender =>
        {
            var view = await sender.Send(new GetPublicKeyRequest(), ct);
            Console.WriteLine($"key id {view.KeyId} ({view.Algorithm})");
            Console.Write(view.PublicKeyPem);
            Console.WriteLine();
            if (parse.GetValue(keyOut) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, view.PublicKeyPem + "\n", ct);
                Console.WriteLine($"written to {file.FullName}");
            }
            return 0;
        }, ct));
        root.Subcommands.Add(key);

        var proofSchema = VerifyCommand.SchemaOption();
        var txId = new Argument<string>("txId") { Description = "a ledger transaction id, e.g. 2026-12-01/lease-000001/compute or cash/pay-1" };
        var proofOut = new Option<FileInfo?>("--out") { Description = "save the proof (JSON) for 'verify proof FILE --public-key PEM'" };
        var proof = new Command("proof", "the RFC 6962 inclusion proof of a ledger transaction, with its signed checkpoint") { txId, proofOut, proofSchema };
        proof.SetAction(async (parse, ct) => await VerifyCommand.WithServicesAsync(parse.GetValue(proofSchema)!, async sender =>
        {
            var p = await sender.Send(new GetProofRequest(parse.GetValue(txId)!), ct);
            if (parse.GetValue(proofOut) is { } file)
            {
                await AuditFiles.WriteProofAsync(file.FullName, p, ct);
                Console.WriteLine($"proof of {p.TxId}: leaf {p.LeafIndex} of {p.TreeSize}, {p.ProofBytes} bytes of audit path, written to {file.FullName}");
            }
            else
            {
                Console.WriteLine(JsonSerializer.Serialize(p, AuditFiles.Json));
            }
            return 0;
        }, ct));
        root.Subcommands.Add(proof);
        return root;
    }
}
