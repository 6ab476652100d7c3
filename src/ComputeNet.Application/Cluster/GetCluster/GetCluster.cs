using Marten;
using Mediator;
using NodaTime;

namespace ComputeNet.Application.Cluster.GetCluster;

/// <summary>The cluster as the database records it (ADR 0030): hosts seen, each market's owner, recent takeovers.</summary>
public sealed record GetClusterRequest(int Takeovers = GetClusterRequest.DefaultTakeovers) : IQuery<ClusterView>
{
    public const int DefaultTakeovers = 20;
}

/// <summary>A host seen: its id, advertised address, when it started and when it last sent a heartbeat (PostgreSQL's clock).</summary>
public sealed record ClusterHostView(string Host, string Address, Instant StartedAt, Instant SeenAt);

/// <summary>A market's lease: owner host and address, epoch, since when it owns it, when the lease expires, and whether it is live now.</summary>
public sealed record MarketOwnerView(string Market, string Owner, string Address, long Epoch, Instant Since, Instant ExpiresAt, bool Live);

/// <summary>A takeover: the market, the new epoch, the host that took it, and the journal version of its fencing block.</summary>
public sealed record TakeoverView(string Market, long Epoch, string Owner, string Address, long JournalVersion, Instant At);

/// <param name="AnsweredBy">The host that answered (its id in <paramref name="Hosts"/>); null when this host takes no part in a cluster.</param>
/// <param name="Now">PostgreSQL's time when read: compare <c>SeenAt</c> and <c>ExpiresAt</c> with it, not with a client's clock.</param>
public sealed record ClusterView(string? AnsweredBy, Instant Now, IReadOnlyList<ClusterHostView> Hosts, IReadOnlyList<MarketOwnerView> Markets,
    IReadOnlyList<TakeoverView> Takeovers);

public sealed class GetClusterHandler(IDocumentStore store, IMarketOwnership ownership) : IQueryHandler<GetClusterRequest, ClusterView>
{
    public async ValueTask<ClusterView> Handle(GetClusterRequest r, CancellationToken ct)
    {
        await ClusterTables.EnsureAsync(store, ct);
        var schema = $"\"{store.Options.DatabaseSchemaName}\"";
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            select now();
            select host, address, started_at, seen_at from {schema}.{ClusterTables.Hosts} order by seen_at desc, host limit 1000;
            select market, owner, address, epoch, taken_at, expires_at, expires_at > now() from {schema}.{ClusterTables.Owners} order by market;
            select market, epoch, owner, address, journal_version, at from {schema}.{ClusterTables.Takeovers} order by at desc, epoch desc limit {Math.Clamp(r.Takeovers, 0, 1000)};
            """;
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var now = At(reader, 0);
        await reader.NextResultAsync(ct);
        var hosts = new List<ClusterHostView>();
        while (await reader.ReadAsync(ct))
        {
            hosts.Add(new ClusterHostView(reader.GetString(0), reader.GetString(1), At(reader, 2), At(reader, 3)));
        }
        await reader.NextResultAsync(ct);
        var markets = new List<MarketOwnerView>();
        while (await reader.ReadAsync(ct))
        {
            markets.Add(new MarketOwnerView(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3),
                At(reader, 4), At(reader, 5), reader.GetBoolean(6)));
        }
        await reader.NextResultAsync(ct);
        var takeovers = new List<TakeoverView>();
        while (await reader.ReadAsync(ct))
        {
            takeovers.Add(new TakeoverView(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4),
                At(reader, 5)));
        }
        return new ClusterView((ownership as MarketLease)?.HostId, now, hosts, markets, takeovers);
    }

    private static Instant At(System.Data.Common.DbDataReader reader, int column) =>
        Instant.FromDateTimeUtc(DateTime.SpecifyKind(reader.GetFieldValue<DateTime>(column), DateTimeKind.Utc));
}
