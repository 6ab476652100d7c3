namespace ComputeNet.Application.Cluster;

/// <summary>
/// Configuration <c>ComputeNet:Cluster:…</c> (ADR 0030): several hosts on one database, one owner per market. <c>serve</c>
/// runs with it on; the CLI's demo, scenario runner and benchmarks never read it (there the process is always the owner).
/// </summary>
public sealed record ClusterSettings
{
    public const string Section = "ComputeNet:Cluster";

    /// <summary>Take part in market ownership (a lease in PostgreSQL); false: this host is always the owner (one host per database only).</summary>
    public bool Enabled { get; init; } = true;
    /// <summary>
    /// The address other hosts forward market commands to (e.g. <c>http://10.0.0.5:5080</c>); default: the address Kestrel
    /// bound first (so port 0 works in tests). A wildcard (<c>0.0.0.0</c>, <c>+</c>, <c>*</c>, <c>[::]</c>) is no address:
    /// in Production <c>serve</c> refuses to start without one.
    /// </summary>
    public string? AdvertiseUrl { get; init; }
    /// <summary>The owner renews its lease this often.</summary>
    public int HeartbeatMs { get; init; } = 1_000;
    /// <summary>How long a lease lasts after its last renewal (PostgreSQL's clock): a dead owner's market is free after at most this.</summary>
    public int LeaseMs { get; init; } = 3_000;
    /// <summary>A host that owns nothing tries to take a lapsed lease this often.</summary>
    public int TakeoverPollMs { get; init; } = 500;

    /// <summary>
    /// The owner stops writing this long before its lease could have lapsed by its own monotonic clock (a sixth of the
    /// lease, at least 100 ms): clock rates and the renewal's round trip differ a little between hosts.
    /// </summary>
    public TimeSpan SafetyMargin => TimeSpan.FromMilliseconds(Math.Max(100, LeaseMs / 6));

    /// <summary>The settings' problems (empty when usable): the lease must outlast several heartbeats.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (HeartbeatMs < 50 || TakeoverPollMs < 50)
        {
            problems.Add($"{Section}:HeartbeatMs and TakeoverPollMs must be at least 50 ms");
        }
        if (LeaseMs < 2 * HeartbeatMs || LeaseMs < 300)
        {
            problems.Add($"{Section}:LeaseMs ({LeaseMs}) must be at least twice HeartbeatMs ({HeartbeatMs}) and at least 300 ms");
        }
        if (AdvertiseUrl is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || IsWildcard(uri.Host)))
        {
            problems.Add($"{Section}:AdvertiseUrl '{url}' must be an http(s) address other hosts can reach (not a wildcard such as 0.0.0.0)");
        }
        return problems;
    }

    /// <summary>A listening host name that is no address to reach (Kestrel's "any address" forms).</summary>
    public static bool IsWildcard(string host) => host is "0.0.0.0" or "+" or "*" or "[::]" or "::" or "";
}
