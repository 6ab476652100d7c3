using System.Globalization;
using System.Text.Json;
using ComputeNet.Domain.Reference;

namespace ComputeNet.Domain.Tests;

/// <summary>The hand-copied <see cref="TestCatalogue"/> still says what the shipped reference data files say.</summary>
public class TestCatalogueTests
{
    private static JsonElement Data(string file)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ComputeNet.sln")))
        {
            dir = dir.Parent;
        }
        Assert.NotNull(dir);
        var path = Path.Combine(dir.FullName, "src", "ComputeNet.Application", "ReferenceData", file);
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone();
    }

    private static decimal Dec(JsonElement e) =>
        e.ValueKind == JsonValueKind.String ? decimal.Parse(e.GetString()!, CultureInfo.InvariantCulture) : e.GetDecimal();

    [Fact]
    public void Hubs_and_clusters_match_the_data_files()
    {
        var hubs = Data("hubs.json").GetProperty("hubs").EnumerateArray()
            .Select(h => new Hub(h.GetProperty("id").GetString()!, h.GetProperty("name").GetString()!,
                h.GetProperty("kind").GetString() == "resource" ? HubKind.Resource : HubKind.Demand));
        Assert.Equal(hubs, TestCatalogue.Hubs);

        var clusters = Data("clusters.json").GetProperty("clusters").EnumerateArray()
            .Select(c => new Cluster(c.GetProperty("id").GetString()!, c.GetProperty("name").GetString()!, c.GetProperty("hub").GetString()!,
                c.GetProperty("lat").GetDouble(), c.GetProperty("lon").GetDouble(), Dec(c.GetProperty("greenShare"))));
        Assert.Equal(clusters, TestCatalogue.Clusters);
    }

    [Fact]
    public void Cities_are_a_subset_of_the_data_file()
    {
        var cities = Data("cities.json").GetProperty("cities").EnumerateArray()
            .Select(c => new City(c.GetProperty("id").GetString()!, c.GetProperty("name").GetString()!, c.GetProperty("lat").GetDouble(),
                c.GetProperty("lon").GetDouble(), c.GetProperty("side").GetString() == "west" ? CitySide.West : CitySide.East))
            .ToDictionary(c => c.Id);
        Assert.All(TestCatalogue.Cities, c => Assert.Equal(cities[c.Id], c));
    }

    [Fact]
    public void Resource_classes_and_factors_match_the_data_file()
    {
        var root = Data("resource-classes.json");
        Assert.Equal(MeteringStandard.V1.Version, root.GetProperty("meteringStandard").GetString());
        foreach (var f in root.GetProperty("precisionFactors").EnumerateObject())
        {
            Assert.Equal(Dec(f.Value), MeteringStandard.V1.FactorToFp32[Enum.Parse<Precision>(f.Name)]);
        }
        var classes = root.GetProperty("resourceClasses").EnumerateArray()
            .Select(c => (c.GetProperty("id").GetString(), c.GetProperty("family").GetString(), c.GetProperty("precision").GetString(),
                Dec(c.GetProperty("peakTflops")), c.GetProperty("memoryGb").GetInt32()));
        Assert.Equal(classes, TestCatalogue.Classes.Select(c => ((string?)c.Id, (string?)Slugs.Of(c.Family), (string?)c.Precision.ToString(), c.PeakTflops, c.MemoryGb)));
    }
}
