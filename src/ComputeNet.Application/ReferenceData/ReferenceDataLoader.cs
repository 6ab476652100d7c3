using System.Globalization;
using System.Text.Json;
using ComputeNet.Domain.Reference;

namespace ComputeNet.Application.ReferenceData;

/// <summary>
/// Loads the built-in reference data (hubs, clusters, cities, resource classes of metering standard v1)
/// from the JSON data files shipped inside this assembly. An operator may point
/// <c>COMPUTENET_REFERENCE_DATA</c> at a folder holding files of the same names to replace any of them.
/// </summary>
public static class ReferenceDataLoader
{
    public const string OverrideFolderVariable = "COMPUTENET_REFERENCE_DATA";

    private static readonly Lazy<Catalogue> BuiltIn = new(() => Load(Environment.GetEnvironmentVariable(OverrideFolderVariable)));

    public static Catalogue Default => BuiltIn.Value;

    public static Catalogue Load(string? overrideFolder)
    {
        using var hubs = Open("hubs.json", overrideFolder);
        using var clusters = Open("clusters.json", overrideFolder);
        using var cities = Open("cities.json", overrideFolder);
        using var classes = Open("resource-classes.json", overrideFolder);

        var hubList = hubs.RootElement.GetProperty("hubs").EnumerateArray().Select(h => new Hub(
            h.GetProperty("id").GetString()!, h.GetProperty("name").GetString()!,
            h.GetProperty("kind").GetString() == "resource" ? HubKind.Resource : HubKind.Demand)).ToList();
        var clusterList = clusters.RootElement.GetProperty("clusters").EnumerateArray().Select(c => new Domain.Reference.Cluster(
            c.GetProperty("id").GetString()!, c.GetProperty("name").GetString()!, c.GetProperty("hub").GetString()!,
            c.GetProperty("lat").GetDouble(), c.GetProperty("lon").GetDouble(), Dec(c.GetProperty("greenShare")))).ToList();
        var cityList = cities.RootElement.GetProperty("cities").EnumerateArray().Select(c => new City(
            c.GetProperty("id").GetString()!, c.GetProperty("name").GetString()!, c.GetProperty("lat").GetDouble(),
            c.GetProperty("lon").GetDouble(), c.GetProperty("side").GetString() == "west" ? CitySide.West : CitySide.East)).ToList();

        var root = classes.RootElement;
        var factors = root.GetProperty("precisionFactors").EnumerateObject()
            .ToDictionary(p => Enum.Parse<Precision>(p.Name), p => Dec(p.Value));
        var standard = new MeteringStandard(root.GetProperty("meteringStandard").GetString()!, factors);
        var classList = root.GetProperty("resourceClasses").EnumerateArray().Select(ParseResourceClass).ToList();
        return new Catalogue(hubList, clusterList, cityList, classList, standard);
    }

    private static readonly Lazy<EnglishNames> BuiltInEnglish = new(() => LoadEnglishNames(Environment.GetEnvironmentVariable(OverrideFolderVariable)));

    /// <summary>English names of hubs, clusters and cities (their <c>nameEn</c>), for documents that show both languages.</summary>
    public static EnglishNames English => BuiltInEnglish.Value;

    public static EnglishNames LoadEnglishNames(string? overrideFolder)
    {
        static IReadOnlyDictionary<string, string> Of(JsonDocument doc, string list) => doc.RootElement.GetProperty(list).EnumerateArray()
            .Where(e => e.TryGetProperty("nameEn", out var n) && n.ValueKind == JsonValueKind.String)
            .ToDictionary(e => e.GetProperty("id").GetString()!, e => e.GetProperty("nameEn").GetString()!, StringComparer.Ordinal);
        using var hubs = Open("hubs.json", overrideFolder);
        using var clusters = Open("clusters.json", overrideFolder);
        using var cities = Open("cities.json", overrideFolder);
        return new EnglishNames(Of(hubs, "hubs"), Of(clusters, "clusters"), Of(cities, "cities"));
    }

    public static ResourceClass ParseResourceClass(JsonElement c)
    {
        if (!Slugs.TryParseFamily(c.GetProperty("family").GetString(), out var family))
        {
            throw new FormatException($"resource class {c.GetProperty("id")}: unknown family");
        }
        if (!Slugs.TryParsePrecision(c.GetProperty("precision").GetString(), out var precision))
        {
            throw new FormatException($"resource class {c.GetProperty("id")}: unknown precision");
        }
        return new ResourceClass(c.GetProperty("id").GetString()!, family, precision, Dec(c.GetProperty("peakTflops")),
            c.GetProperty("memoryGb").GetInt32());
    }

    private static decimal Dec(JsonElement e) =>
        e.ValueKind == JsonValueKind.String ? decimal.Parse(e.GetString()!, NumberStyles.Number, CultureInfo.InvariantCulture) : e.GetDecimal();

    private static JsonDocument Open(string name, string? overrideFolder)
    {
        if (overrideFolder is not null && File.Exists(Path.Combine(overrideFolder, name)))
        {
            return JsonDocument.Parse(File.ReadAllText(Path.Combine(overrideFolder, name)));
        }
        using var stream = typeof(ReferenceDataLoader).Assembly.GetManifestResourceStream($"ReferenceData.{name}")
            ?? throw new InvalidOperationException($"built-in reference data file {name} is missing from the assembly");
        return JsonDocument.Parse(stream);
    }
}

/// <summary>English names by id; an id without one is simply absent (documents then show the Chinese name alone).</summary>
public sealed record EnglishNames(
    IReadOnlyDictionary<string, string> Hubs,
    IReadOnlyDictionary<string, string> Clusters,
    IReadOnlyDictionary<string, string> Cities);
