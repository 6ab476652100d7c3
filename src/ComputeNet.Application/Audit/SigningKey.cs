using System.Security.Cryptography;
using ComputeNet.Domain.Audit;

namespace ComputeNet.Application.Audit;

/// <summary>Signs checkpoints with the platform's ECDSA P-256 key. The key never enters the event store.</summary>
public interface ICheckpointSigner
{
    /// <summary>Where the key is kept (shown to operators; never the key itself).</summary>
    string Location { get; }

    /// <summary>SHA-256 (hex) of the public key's SubjectPublicKeyInfo.</summary>
    string KeyId { get; }

    /// <summary>The public key, PEM ("-----BEGIN PUBLIC KEY-----", SubjectPublicKeyInfo).</summary>
    string PublicKeyPem { get; }

    /// <summary>ECDSA P-256 over SHA-256 of <paramref name="data"/>, IEEE P1363 (r ‖ s, 64 bytes).</summary>
    byte[] Sign(byte[] data);

    /// <summary>The current public key first, then retired ones (after a rotation), PEM: what checkpoints are checked with.</summary>
    IReadOnlyList<string> PublicKeyPems { get; }
}

/// <summary>
/// The signing key in a PEM file (PKCS#8 "PRIVATE KEY"), outside the database. A missing file is generated on first use
/// (folder 0700, file 0600) and an existing one is never overwritten: creators queue on a lock file beside it, look
/// again, then write the new file aside and move it into place without replacing, so two processes starting at once end
/// up with the same key.
/// </summary>
public sealed class FileSigningKey : ICheckpointSigner, IDisposable
{
    public const string ConfigurationKey = "ComputeNet:SigningKeyPath";
    public const string EnvironmentVariable = "ComputeNet__SigningKeyPath";
    private readonly Lazy<ECDsa> _key;

    public FileSigningKey(string path)
    {
        Location = path;
        _key = new Lazy<ECDsa>(Load);
    }

    /// <summary>The configured path, else env ComputeNet__SigningKeyPath, else ~/.computenet/keys/platform-signing-key.pem.</summary>
    public static string ResolvePath(string? configured)
    {
        var path = configured ?? Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(path))
        {
            return Path.GetFullPath(path);
        }
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(string.IsNullOrEmpty(home) ? Path.GetTempPath() : home, ".computenet", "keys", "platform-signing-key.pem");
    }

    public string Location { get; }

    /// <summary>True when this process generated the key file (it did not exist before).</summary>
    public bool Generated { get; private set; }

    public string KeyId => Checkpoints.KeyId(_key.Value.ExportSubjectPublicKeyInfo());

    public string PublicKeyPem => _key.Value.ExportSubjectPublicKeyInfoPem();

    /// <summary>The current key, then every retired public key kept in <c>retired/*.pem</c> beside the key file.</summary>
    public IReadOnlyList<string> PublicKeyPems
    {
        get
        {
            var retired = Path.Combine(Path.GetDirectoryName(Location)!, "retired");
            return [PublicKeyPem, .. Directory.Exists(retired) ? Directory.GetFiles(retired, "*.pem").Order(StringComparer.Ordinal).Select(File.ReadAllText) : []];
        }
    }

    public byte[] Sign(byte[] data) => _key.Value.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    private ECDsa Load()
    {
        if (!File.Exists(Location))
        {
            Create();
        }
        var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(Location));
        if (key.KeySize != 256)
        {
            throw new InvalidOperationException($"the signing key at {Location} is not an ECDSA P-256 key");
        }
        return key;
    }

    private void Create()
    {
        var folder = Path.GetDirectoryName(Location)!;
        if (!Directory.Exists(folder))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else
            {
                Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        // Creators queue on an exclusive lock file (flock under FileShare.None), then look again: File.Move without
        // overwrite is a check-then-rename on file systems without hard links, so two creators could both "win".
        using var guard = LockCreation(Location + ".lock");
        if (File.Exists(Location))
        {
            return;
        }
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var temp = Path.Combine(folder, $".{Path.GetFileName(Location)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var writer = new StreamWriter(temp, System.Text.Encoding.ASCII, options))
        {
            writer.Write(key.ExportPkcs8PrivateKeyPem());
            writer.Write('\n');
        }
        try
        {
            File.Move(temp, Location, overwrite: false);
            Generated = true;
        }
        catch (IOException) when (File.Exists(Location))
        {
            // Another process created it first: keep theirs.
            File.Delete(temp);
        }
    }

    private static FileStream LockCreation(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, options);
            }
            catch (IOException) when (attempt < 1_000)
            {
                Thread.Sleep(10);
            }
        }
    }

    public void Dispose()
    {
        if (_key.IsValueCreated)
        {
            _key.Value.Dispose();
        }
    }
}
