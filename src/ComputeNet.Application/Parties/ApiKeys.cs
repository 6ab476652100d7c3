using System.Security.Cryptography;
using System.Text;

namespace ComputeNet.Application.Parties;

/// <summary>A freshly generated API key: the key itself is shown once to its holder; only the hash is stored.</summary>
public sealed record NewApiKey(string Key, string KeyId, string KeyHash);

/// <summary>
/// API keys: 32 random bytes, base64url, prefixed "cnk_" so a leaked key is recognisable. Stored only as the
/// SHA-256 of the key (a high-entropy secret needs no slow hash). The key id is the first 12 characters.
/// </summary>
public static class ApiKeys
{
    public const string Prefix = "cnk_";

    /// <summary>A key's id is its first characters (prefix included): public, and enough to tell keys apart in logs and limits.</summary>
    public const int KeyIdLength = 12;

    public static NewApiKey New()
    {
        var key = Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return new NewApiKey(key, key[..KeyIdLength], Hash(key));
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Compares two secrets in constant time (for the operator key from configuration).</summary>
    public static bool SameSecret(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));
}
