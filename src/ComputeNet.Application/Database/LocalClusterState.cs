using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;

namespace ComputeNet.Application.Database;

/// <summary>What a local cluster is made of, written to <c>cluster.json</c> in its folder so that <c>status</c>, <c>stop</c> and the
/// drill commands find its processes again.</summary>
/// <param name="Directory">The cluster's folder (state file, host logs, and the PostgreSQL data under <c>pg/</c>).</param>
/// <param name="Schema">The event-store schema every host serves.</param>
/// <param name="OperatorKey">The operator key every host accepts (a local cluster's own, random).</param>
/// <param name="Synchronous">The primary waits for the standby to flush each commit's WAL before it answers (synchronous_standby_names).</param>
public sealed record LocalClusterState(
    string Directory,
    string Schema,
    string OperatorKey,
    bool Synchronous,
    IReadOnlyList<PostgresNode> Postgres,
    IReadOnlyList<HostNode> Hosts,
    DateTimeOffset StartedAt)
{
    public const string FileName = "cluster.json";

    /// <summary>With <see cref="Synchronous"/>: only the money paths (transactions under the settlement lock) wait for the standby.</summary>
    public bool MoneyOnly { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>
    /// The hosts' connection string: every PostgreSQL node that is not lost, the primary first, and only a primary accepted
    /// (<c>Target Session Attributes=primary</c>), so after a promotion the same string reaches the new primary.
    /// <c>Host Recheck Seconds=1</c>: Npgsql remembers each server's role for this long; at its default (10 s) a promoted standby
    /// would be skipped as "standby" for up to 10 s after the promotion.
    /// </summary>
    public string ConnectionString => Connection(Npgsql.TargetSessionAttributes.Primary);

    /// <summary>A connection string for reads that tolerate replication lag: the standby if one answers, else the primary.</summary>
    public string ReadConnectionString => Connection(Npgsql.TargetSessionAttributes.PreferStandby);

    /// <remarks>One server left (no standby, or after a promotion): no target session attributes, which Npgsql refuses for one host.</remarks>
    private string Connection(TargetSessionAttributes target)
    {
        var servers = Postgres.Where(p => p.Role != PostgresRole.Lost).OrderBy(p => p.Role).Select(p => $"127.0.0.1:{p.Port}").ToList();
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = string.Join(',', servers),
            Username = "postgres",
            Database = LocalCluster.DatabaseName,
            Timeout = 5,
            CommandTimeout = 120,
            MaxPoolSize = 50,
        };
        if (servers.Count > 1)
        {
            builder.TargetSessionAttributes = target == Npgsql.TargetSessionAttributes.Primary ? "primary" : "prefer-standby";
            builder.HostRecheckSeconds = 1;
        }
        return builder.ConnectionString;
    }

    /// <summary>The node that takes writes, if any is left.</summary>
    public PostgresNode? Primary => Postgres.FirstOrDefault(p => p.Role == PostgresRole.Primary);

    /// <summary>The streaming standby, if there is one.</summary>
    public PostgresNode? Standby => Postgres.FirstOrDefault(p => p.Role == PostgresRole.Standby);

    public static string PathIn(string directory) => System.IO.Path.Combine(directory, FileName);

    /// <summary>Reads the state file of <paramref name="directory"/>, or null when there is none.</summary>
    public static LocalClusterState? Load(string directory)
    {
        var path = PathIn(directory);
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<LocalClusterState>(File.ReadAllText(path), Json)
                ?? throw new InvalidOperationException($"{path} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{path} is not a cluster state file ({e.Message}); remove the folder or give another --dir", e);
        }
    }

    /// <summary>Writes the state file atomically (a new file renamed over the old one).</summary>
    public void Save()
    {
        var path = PathIn(Directory);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        File.Move(temporary, path, overwrite: true);
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}

/// <summary>What a PostgreSQL node is now. <see cref="Lost"/>: a former primary after its standby was promoted; it must never be
/// started again as it is (it would be a second primary with a diverged history), only rebuilt from the new primary.</summary>
public enum PostgresRole
{
    Primary,
    Standby,
    Lost,
}

/// <summary>One PostgreSQL server of the cluster: its name (<c>pg1</c>, <c>pg2</c>; also its replication slot and its
/// <c>application_name</c> for synchronous replication), its loopback port and its data folder.</summary>
public sealed record PostgresNode(string Name, int Port, string DataDirectory, PostgresRole Role)
{
    public string LogPath => DataDirectory + ".log";
}

/// <summary>One <c>computenet serve</c> process of the cluster.</summary>
/// <param name="Name"><c>host1</c>, <c>host2</c>, …</param>
/// <param name="Url">Where it listens and what it advertises to the other hosts (http://127.0.0.1:port).</param>
/// <param name="Pid">Its process id while it runs (0 once stopped).</param>
/// <param name="LogPath">Its standard output and error.</param>
public sealed record HostNode(string Name, int Port, string Url, int Pid, string LogPath);
