using System.Security.Cryptography;
using ComputeNet.Application.Audit;
using ComputeNet.Domain.Audit;

namespace ComputeNet.Application.Tests.UseCases;

/// <summary>The platform's signing key file: generated on first use, private to its owner, never overwritten.</summary>
public sealed class SigningKeyTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"computenet-key-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void A_missing_key_is_generated_private_and_an_existing_one_is_kept()
    {
        var path = Path.Combine(_folder, "keys", "platform-signing-key.pem");
        using var first = new FileSigningKey(path);
        var keyId = first.KeyId;
        Assert.True(first.Generated);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        }
        var bytes = File.ReadAllBytes(path);

        using var second = new FileSigningKey(path);
        Assert.Equal(keyId, second.KeyId);
        Assert.False(second.Generated);
        Assert.Equal(bytes, File.ReadAllBytes(path));

        // What it signs verifies with its published public key (IEEE P1363, 64 bytes), and the key id is SHA-256 of the SPKI.
        var data = "checkpoint body"u8.ToArray();
        var signature = second.Sign(data);
        Assert.Equal(64, signature.Length);
        using var pub = ECDsa.Create();
        pub.ImportFromPem(second.PublicKeyPem);
        Assert.True(pub.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        Assert.Equal(keyId, Checkpoints.KeyId(pub.ExportSubjectPublicKeyInfo()));
    }

    [Fact]
    public async Task Processes_starting_at_once_end_up_with_one_key()
    {
        var path = Path.Combine(_folder, "race", "platform-signing-key.pem");
        var keys = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            using var key = new FileSigningKey(path);
            return (key.KeyId, key.Generated);
        })));
        Assert.Single(keys.Select(k => k.KeyId).Distinct());
        Assert.Single(keys, k => k.Generated);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!), f => !f.EndsWith(".lock", StringComparison.Ordinal));
    }

    [Fact]
    public void Retired_public_keys_are_published_after_the_current_one()
    {
        var path = Path.Combine(_folder, "rotated", "platform-signing-key.pem");
        using var old = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Directory.CreateDirectory(Path.Combine(_folder, "rotated", "retired"));
        File.WriteAllText(Path.Combine(_folder, "rotated", "retired", "old.pem"), old.ExportSubjectPublicKeyInfoPem());
        using var key = new FileSigningKey(path);
        var published = Checkpoints.PublicKeys(key.PublicKeyPems);
        Assert.Equal(2, key.PublicKeyPems.Count);
        Assert.Equal(key.KeyId, Checkpoints.PublicKeys([key.PublicKeyPems[0]]).Keys.Single());
        Assert.Contains(Checkpoints.KeyId(old.ExportSubjectPublicKeyInfo()), published.Keys);
    }
}
