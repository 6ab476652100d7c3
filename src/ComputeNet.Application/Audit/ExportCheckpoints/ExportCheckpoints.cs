using System.Text.Json;
using ComputeNet.Domain.Audit;
using Marten;
using Mediator;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;

namespace ComputeNet.Application.Audit.ExportCheckpoints;

/// <summary>
/// Regulator: everything to keep outside the platform — every signed checkpoint, the public key(s), and per checkpoint a
/// leaf manifest (txId and leaf hash of every transaction it covers) that lets a later verification name the exact
/// transaction behind a changed root. A manifest is trusted only when its root equals the signed root.
/// </summary>
public sealed record ExportCheckpointsRequest : IQuery<CheckpointExport>;

public sealed record CheckpointExport(IReadOnlyList<CheckpointSigned> Checkpoints, IReadOnlyDictionary<string, IReadOnlyList<LeafEntry>> Manifests,
    IReadOnlyList<string> PublicKeyPems)
{
    public KeptCheckpoints Kept() => new(Checkpoints, Domain.Audit.Checkpoints.PublicKeys(PublicKeyPems), Manifests);
}

public sealed class ExportCheckpointsHandler(IDocumentStore store, ICheckpointSigner signer) : IQueryHandler<ExportCheckpointsRequest, CheckpointExport>
{
    public async ValueTask<CheckpointExport> Handle(ExportCheckpointsRequest q, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var checkpoints = await AuditReader.CheckpointsAsync(session, ct);
        var manifests = new Dictionary<string, IReadOnlyList<LeafEntry>>(StringComparer.Ordinal);
        foreach (var events in await AuditReader.PeriodsAsync(session, ct))
        {
            var period = ((Domain.Settlement.PeriodClosed)events[0]).Period;
            if (checkpoints.Any(c => c.Period == period))
            {
                manifests[period] = Manifest(events.OfType<Domain.Settlement.TransactionPosted>().ToList());
            }
        }
        if (checkpoints.Count > 0)
        {
            var ledger = await AuditReader.LedgerLogAsync(session, ct);
            manifests[KeptCheckpoints.LedgerManifest] = Manifest(ledger.Take(checkpoints[^1].LedgerLogSize).ToList());
        }
        return new CheckpointExport(checkpoints, manifests, signer.PublicKeyPems);
    }

    private static List<LeafEntry> Manifest(IReadOnlyList<Domain.Settlement.TransactionPosted> txs)
    {
        var hashes = Verifier.LeafHashes(txs);
        return txs.Select((t, i) => new LeafEntry(t.TxId, Convert.ToHexStringLower(hashes[i]))).ToList();
    }
}

/// <summary>
/// Checkpoints, manifests, public keys and proofs as files a regulator keeps: <c>checkpoint-000001-2026-12-01.json</c>,
/// <c>leaves-000001-2026-12-01.json</c>, <c>leaves-ledger.json</c>, <c>public-keys/{keyId}.pem</c>.
/// </summary>
public static class AuditFiles
{
    public static readonly JsonSerializerOptions Json = CreateJson();

    private static JsonSerializerOptions CreateJson()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true };
        o.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);
        return o;
    }

    private sealed record ManifestFile(string Log, IReadOnlyList<LeafEntry> Leaves);

    public static async Task<IReadOnlyList<string>> WriteAsync(string folder, CheckpointExport export, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        Directory.CreateDirectory(Path.Combine(folder, "public-keys"));
        var written = new List<string>();
        async Task Write(string name, object value)
        {
            var path = Path.Combine(folder, name);
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(value, Json) + "\n", ct);
            written.Add(path);
        }
        foreach (var c in export.Checkpoints)
        {
            await Write($"checkpoint-{c.Sequence:D6}-{c.Period}.json", c);
            if (export.Manifests.TryGetValue(c.Period, out var leaves))
            {
                await Write($"leaves-{c.Sequence:D6}-{c.Period}.json", new ManifestFile(c.Period, leaves));
            }
        }
        if (export.Manifests.TryGetValue(KeptCheckpoints.LedgerManifest, out var ledger))
        {
            await Write("leaves-ledger.json", new ManifestFile(KeptCheckpoints.LedgerManifest, ledger));
        }
        foreach (var pem in export.PublicKeyPems)
        {
            var path = Path.Combine(folder, "public-keys", $"{Domain.Audit.Checkpoints.PublicKeys([pem]).Keys.Single()}.pem");
            await File.WriteAllTextAsync(path, pem + "\n", ct);
            written.Add(path);
        }
        return written;
    }

    /// <summary>Reads a folder written by <see cref="WriteAsync"/>; <paramref name="publicKeyPems"/> replaces its public-keys folder when given.</summary>
    public static async Task<KeptCheckpoints> ReadAsync(string folder, IReadOnlyList<string>? publicKeyPems, CancellationToken ct)
    {
        var checkpoints = new List<CheckpointSigned>();
        foreach (var file in Directory.GetFiles(folder, "checkpoint-*.json").Order(StringComparer.Ordinal))
        {
            checkpoints.Add(JsonSerializer.Deserialize<CheckpointSigned>(await File.ReadAllTextAsync(file, ct), Json)
                ?? throw new InvalidDataException($"{file} is not a checkpoint"));
        }
        var manifests = new Dictionary<string, IReadOnlyList<LeafEntry>>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(folder, "leaves-*.json"))
        {
            var m = JsonSerializer.Deserialize<ManifestFile>(await File.ReadAllTextAsync(file, ct), Json) ?? throw new InvalidDataException($"{file} is not a leaf manifest");
            manifests[m.Log] = m.Leaves;
        }
        var keysFolder = Path.Combine(folder, "public-keys");
        var pems = publicKeyPems ?? (Directory.Exists(keysFolder)
            ? await Task.WhenAll(Directory.GetFiles(keysFolder, "*.pem").Select(f => File.ReadAllTextAsync(f, ct)))
            : []);
        return new KeptCheckpoints(checkpoints, Domain.Audit.Checkpoints.PublicKeys(pems), manifests);
    }

    public static Task WriteProofAsync(string path, InclusionProof proof, CancellationToken ct) =>
        File.WriteAllTextAsync(path, JsonSerializer.Serialize(proof, Json) + "\n", ct);

    public static async Task<InclusionProof> ReadProofAsync(string path, CancellationToken ct) =>
        JsonSerializer.Deserialize<InclusionProof>(await File.ReadAllTextAsync(path, ct), Json) ?? throw new InvalidDataException($"{path} is not a proof");
}
