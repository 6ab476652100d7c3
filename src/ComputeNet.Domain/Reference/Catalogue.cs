namespace ComputeNet.Domain.Reference;

public sealed record Hub(string Id, string Name, HubKind Kind);

/// <summary>A cluster inside a national hub. <see cref="GreenShare"/> is a fraction in [0, 1] (demo values).</summary>
public sealed record Cluster(string Id, string Name, string HubId, double Lat, double Lon, decimal GreenShare);

public sealed record City(string Id, string Name, double Lat, double Lon, CitySide Side);

/// <summary>A device model as declared by its maker: peak TFLOPS at its rated precision.</summary>
public sealed record ResourceClass(string Id, ComputeFamily Family, Precision Precision, decimal PeakTflops, int MemoryGb);

/// <summary>An operator's measured one-way latency for a city–cluster pair, replacing the estimate.</summary>
public sealed record LatencyOverride(string City, string Cluster, decimal Ms);

/// <summary>
/// Every piece of reference data the market rules need: hubs, clusters, cities, resource classes,
/// the metering standard, and latency overrides. Immutable; a change is a new catalogue.
/// </summary>
public sealed class Catalogue
{
    private readonly Dictionary<string, Hub> _hubs;
    private readonly Dictionary<string, Cluster> _clusters;
    private readonly Dictionary<string, City> _cities;
    private readonly Dictionary<string, ResourceClass> _classes;
    private readonly Dictionary<(string City, string Cluster), decimal> _latencyOverrides;

    public Catalogue(IEnumerable<Hub> hubs, IEnumerable<Cluster> clusters, IEnumerable<City> cities,
        IEnumerable<ResourceClass> classes, MeteringStandard standard, IEnumerable<LatencyOverride>? latencyOverrides = null)
    {
        _hubs = hubs.ToDictionary(h => h.Id, StringComparer.Ordinal);
        _clusters = clusters.ToDictionary(c => c.Id, StringComparer.Ordinal);
        _cities = cities.ToDictionary(c => c.Id, StringComparer.Ordinal);
        _classes = classes.ToDictionary(c => c.Id, StringComparer.Ordinal);
        _latencyOverrides = (latencyOverrides ?? []).ToDictionary(o => (o.City, o.Cluster), o => o.Ms);
        Standard = standard;
        foreach (var c in _clusters.Values)
        {
            if (!_hubs.ContainsKey(c.HubId))
            {
                throw new ArgumentException($"cluster {c.Id} names unknown hub {c.HubId}");
            }
        }
    }

    public MeteringStandard Standard { get; }
    public IReadOnlyCollection<Hub> Hubs => _hubs.Values;
    public IReadOnlyCollection<Cluster> Clusters => _clusters.Values;
    public IReadOnlyCollection<City> Cities => _cities.Values;
    public IReadOnlyCollection<ResourceClass> ResourceClasses => _classes.Values;
    public IReadOnlyDictionary<(string City, string Cluster), decimal> LatencyOverrides => _latencyOverrides;

    public Hub? Hub(string id) => _hubs.GetValueOrDefault(id);
    public Cluster? Cluster(string id) => _clusters.GetValueOrDefault(id);
    public City? City(string id) => _cities.GetValueOrDefault(id);
    public ResourceClass? ResourceClass(string id) => _classes.GetValueOrDefault(id);

    private Dictionary<ComputeFamily, decimal>? _largestScu;

    /// <summary>
    /// The largest SCU per device of any class of <paramref name="family"/> under this catalogue's standard (0 when it has
    /// none): what a bid's devices can be at most, for its full-window bound (ADR 0019). Computed once per catalogue.
    /// </summary>
    public decimal LargestScuPerDevice(ComputeFamily family)
    {
        var table = _largestScu ??= _classes.Values.GroupBy(c => c.Family).ToDictionary(g => g.Key, g => g.Max(Standard.ScuPerDevice));
        return table.GetValueOrDefault(family);
    }

    /// <summary>A new catalogue with resource classes merged by id and latency overrides added or replaced.</summary>
    public Catalogue With(IEnumerable<ResourceClass> classes, IEnumerable<LatencyOverride> overrides)
    {
        var mergedClasses = new Dictionary<string, ResourceClass>(_classes, StringComparer.Ordinal);
        foreach (var c in classes)
        {
            mergedClasses[c.Id] = c;
        }
        var mergedOverrides = new Dictionary<(string, string), decimal>(_latencyOverrides);
        foreach (var o in overrides)
        {
            mergedOverrides[(o.City, o.Cluster)] = o.Ms;
        }
        return new Catalogue(_hubs.Values, _clusters.Values, _cities.Values, mergedClasses.Values, Standard,
            mergedOverrides.Select(kv => new LatencyOverride(kv.Key.Item1, kv.Key.Item2, kv.Value)));
    }

    /// <summary>One-way latency in ms, rounded to 0.1 ms: the operator's measured value if any, else the estimate (market-rules §3).</summary>
    public decimal LatencyMs(City city, Cluster cluster) =>
        _latencyOverrides.TryGetValue((city.Id, cluster.Id), out var ms) ? ms : Latency.EstimateMs(city.Lat, city.Lon, cluster.Lat, cluster.Lon);
}
