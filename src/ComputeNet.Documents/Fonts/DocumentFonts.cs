using System.Reflection;
using PdfSharp.Fonts;

namespace ComputeNet.Documents.Fonts;

/// <summary>
/// Serves the fonts shipped inside this assembly to PDFsharp, so documents render the same on a machine with no fonts
/// installed. Two families: <see cref="Latin"/> (Liberation Sans, regular and bold) and <see cref="Cjk"/> (Droid Sans
/// Fallback, which has no Latin letters and no bold face: bold is simulated). Text is split into runs per font by
/// <see cref="Runs"/>. PDFsharp embeds only the glyphs a document uses (a subset), so a PDF stays small although the CJK
/// font file is 4 MB.
/// </summary>
public sealed class DocumentFonts : IFontResolver
{
    public const string Latin = "ComputeNet Latin";
    public const string Cjk = "ComputeNet CJK";

    private const string LatinRegular = "LiberationSans-Regular";
    private const string LatinBold = "LiberationSans-Bold";
    private const string CjkRegular = "DroidSansFallbackFull";

    private static readonly DocumentFonts Instance = new();
    private static readonly object Gate = new();
    private readonly Dictionary<string, byte[]> _faces = new(StringComparer.Ordinal);

    private DocumentFonts()
    {
    }

    /// <summary>
    /// Installs the resolver once per process. PDFsharp allows setting it only before the first font is used, or again
    /// with the same instance; another resolver already installed by the host is an error worth seeing at once.
    /// </summary>
    public static void EnsureInstalled()
    {
        lock (Gate)
        {
            if (ReferenceEquals(GlobalFontSettings.FontResolver, Instance))
            {
                return;
            }
            if (GlobalFontSettings.FontResolver is { } other)
            {
                throw new InvalidOperationException($"another PDFsharp font resolver ({other.GetType().Name}) is installed; documents need {nameof(DocumentFonts)}");
            }
            GlobalFontSettings.FontResolver = Instance;
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) => familyName switch
    {
        Latin => new FontResolverInfo(bold ? LatinBold : LatinRegular, false, italic),
        Cjk => new FontResolverInfo(CjkRegular, bold, italic),
        _ => null,
    };

    public byte[]? GetFont(string faceName)
    {
        lock (_faces)
        {
            if (!_faces.TryGetValue(faceName, out var bytes))
            {
                using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Fonts.{faceName}.ttf")
                    ?? throw new InvalidOperationException($"font {faceName}.ttf is missing from the {nameof(ComputeNet.Documents)} assembly");
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                _faces[faceName] = bytes = copy.ToArray();
            }
            return bytes;
        }
    }
}
