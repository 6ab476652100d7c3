using ComputeNet.Application;
using ComputeNet.Application.Audit;
using ComputeNet.Application.Audit.ExportCheckpoints;
using ComputeNet.Application.Audit.GetProof;
using ComputeNet.Application.Audit.ListCheckpoints;
using ComputeNet.Application.Audit.Verify;
using ComputeNet.Domain.Audit;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace ComputeNet.Cli;

/// <summary>
/// The demo's audit step, as a regulator would do it: the close's signed checkpoint, exported to a folder outside the
/// platform, stored history verified against it, and one transaction's inclusion proof saved and checked offline.
/// </summary>
internal static class DemoAudit
{
    public static async Task<bool> RunAsync(string schema, string folder, bool keyExisted, CancellationToken ct)
    {
        var connection = await Hosting.ConnectionStringAsync(ct);
        await using var services = ComputeNetServices.Compose(new ComputeNetSettings(connection, schema), null, Hosting.AddMediator);
        var sender = services.GetRequiredService<ISender>();
        var signer = services.GetRequiredService<ICheckpointSigner>();

        AnsiConsole.MarkupLine("\n[bold]Signed checkpoints[/] (market-rules §11): after each close the platform signs what it committed to, with ECDSA P-256.");
        AnsiConsole.MarkupLineInterpolated($"  signing key: [blue]{signer.Location}[/] ({(keyExisted ? "existing" : "generated on first use")}; kept outside the database; set ComputeNet__SigningKeyPath to move it)");
        AnsiConsole.MarkupLineInterpolated($"  key id (SHA-256 of the public key): {signer.KeyId}");
        foreach (var c in await sender.Send(new ListCheckpointsRequest(), ct))
        {
            AnsiConsole.MarkupLineInterpolated(
                $"  checkpoint #{c.Sequence} {c.Period}: Merkle root {c.MerkleRoot[..16]}… over {c.TreeSize} transactions, {c.Statements} statements in {c.ChainHeads.Count} chains, cash/reversal log {c.LedgerLogSize}, previous {c.PreviousHash[..8]}…, signature {c.Signature[..16]}…");
        }

        var keptFolder = Path.Combine(folder, "checkpoints");
        var export = await sender.Send(new ExportCheckpointsRequest(), ct);
        var files = await AuditFiles.WriteAsync(keptFolder, export, ct);
        AnsiConsole.MarkupLineInterpolated($"  exported {export.Checkpoints.Count} checkpoint(s), their leaf manifests and the public key to [blue]{keptFolder}[/] ({files.Count} files) — a regulator keeps these outside the platform");

        var kept = await AuditFiles.ReadAsync(keptFolder, null, ct);
        var report = await sender.Send(new VerifyAgainstCheckpointsRequest(kept), ct);
        AnsiConsole.MarkupLine("  verification of stored history against the exported checkpoints:");
        VerifyCommand.Print(report);

        var ok = report.Ok;
        var txId = export.Manifests.Where(m => m.Key != KeptCheckpoints.LedgerManifest).SelectMany(m => m.Value).FirstOrDefault()?.TxId;
        if (txId is not null)
        {
            var proofPath = Path.Combine(folder, "proof.json");
            var proof = await sender.Send(new GetProofRequest(txId), ct);
            await AuditFiles.WriteProofAsync(proofPath, proof, ct);
            var check = Proofs.Verify(await AuditFiles.ReadProofAsync(proofPath, ct), kept.PublicKeys);
            AnsiConsole.MarkupLineInterpolated($"  inclusion proof saved to [blue]{proofPath}[/], checked offline with the public key:");
            VerifyCommand.PrintProof(proof, check);
            ok &= check.Ok;
            var pem = Path.Combine(keptFolder, "public-keys", $"{signer.KeyId}.pem");
            AnsiConsole.MarkupLine(Markup.Escape($"  again by hand: computenet verify --schema {schema} --checkpoints {keptFolder}   and   computenet verify proof {proofPath} --public-key {pem}"));
        }
        return ok;
    }
}
