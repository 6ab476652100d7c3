using System.Collections.Frozen;
using System.Security.Cryptography;

namespace ComputeNet.Portal;

/// <summary>
/// The portal's own stylesheet and script, embedded in this assembly and served at <c>/assets/{name}?v={hash}</c> by this
/// host (no CDN, no static-web-assets manifest: any host, any environment). The hash in the address changes with the
/// content, so browsers may keep a file for a year.
/// </summary>
public static class PortalAssets
{
    public sealed record Asset(string Name, string ContentType, byte[] Content, string Version);

    public static readonly FrozenDictionary<string, Asset> All = Load();

    public static string Url(string name) => $"/assets/{name}?v={All[name].Version}";

    /// <summary>The CJK web font's name and fixed version (portal.css names it as /assets/cjk.ttf?v=droid-sans-fallback).</summary>
    public const string CjkFont = "cjk.ttf";
    public const string CjkFontVersion = "droid-sans-fallback";

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(PortalAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("Assets.", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var name = resource["Assets.".Length..];
            var type = name.EndsWith(".css", StringComparison.Ordinal) ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
            assets[name] = new Asset(name, type, bytes, Convert.ToHexStringLower(SHA256.HashData(bytes))[..12]);
        }
        // The CJK font the PDFs ship (Droid Sans Fallback, Apache-2.0, embedded in ComputeNet.Documents), as a web font: a
        // browser fetches it only for Chinese text no font of the machine covers (portal.css lists it last, with its unicode-range).
        using (var font = typeof(Documents.Yuan).Assembly.GetManifestResourceStream("Fonts.DroidSansFallbackFull.ttf")
            ?? throw new InvalidOperationException("ComputeNet.Documents ships no Fonts.DroidSansFallbackFull.ttf"))
        using (var copy = new MemoryStream())
        {
            font.CopyTo(copy);
            assets[CjkFont] = new Asset(CjkFont, "font/ttf", copy.ToArray(), CjkFontVersion);
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
