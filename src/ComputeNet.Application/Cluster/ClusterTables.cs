using Marten;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace ComputeNet.Application.Cluster;

/// <summary>
/// The tables of market ownership (ADR 0030), one set per schema, created by Marten's schema management with the others
/// (<see cref="Infrastructure.MartenSetup"/>) and, for a store not initialised with them, on first use:
/// <list type="bullet">
/// <item><c>cn_market_owners</c>: one row per market — the owner host, its advertised address, the lease's epoch (bumped at
/// every takeover), when the lease expires and when it was taken (PostgreSQL's clock, never a host's).</item>
/// <item><c>cn_cluster_hosts</c>: every host seen — its id, address, start and last heartbeat.</item>
/// <item><c>cn_market_takeovers</c>: the history of takeovers — market, epoch, owner, address, the journal version of the
/// empty block that fenced the former owner, and when.</item>
/// <item><c>cn_cluster_secret</c>: the shared secret hosts forward commands with (random, made on first use).</item>
/// </list>
/// </summary>
public static class ClusterTables
{
    public const string Owners = "cn_market_owners";
    public const string Hosts = "cn_cluster_hosts";
    public const string Takeovers = "cn_market_takeovers";
    public const string Secret = "cn_cluster_secret";

    public static IEnumerable<Table> Definitions(string schema)
    {
        var owners = New(schema, Owners);
        owners.AddColumn("market", "text").NotNull().AsPrimaryKey();
        owners.AddColumn("owner", "text").NotNull();
        owners.AddColumn("address", "text").NotNull();
        owners.AddColumn("epoch", "bigint").NotNull();
        owners.AddColumn("expires_at", "timestamptz").NotNull();
        owners.AddColumn("taken_at", "timestamptz").NotNull();
        yield return owners;

        var hosts = New(schema, Hosts);
        hosts.AddColumn("host", "text").NotNull().AsPrimaryKey();
        hosts.AddColumn("address", "text").NotNull();
        hosts.AddColumn("started_at", "timestamptz").NotNull();
        hosts.AddColumn("seen_at", "timestamptz").NotNull();
        yield return hosts;

        var takeovers = New(schema, Takeovers);
        takeovers.AddColumn("market", "text").NotNull().AsPrimaryKey();
        takeovers.AddColumn("epoch", "bigint").NotNull().AsPrimaryKey();
        takeovers.AddColumn("owner", "text").NotNull();
        takeovers.AddColumn("address", "text").NotNull();
        takeovers.AddColumn("journal_version", "bigint").NotNull();
        takeovers.AddColumn("at", "timestamptz").NotNull();
        yield return takeovers;

        var secret = New(schema, Secret);
        secret.AddColumn("id", "integer").NotNull().AsPrimaryKey();
        secret.AddColumn("secret", "text").NotNull();
        yield return secret;
    }

    private static Table New(string schema, string name) =>
        new(new PostgresqlObjectName(schema, name, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));

    /// <summary>Creates the tables that do not exist yet, with the DDL Marten's schema management would write (idempotent).</summary>
    public static async Task EnsureAsync(IDocumentStore store, CancellationToken ct)
    {
        var migrator = new PostgresqlMigrator { TableCreation = Weasel.Core.CreationStyle.CreateIfNotExists };
        var sql = new StringWriter();
        foreach (var table in Definitions(store.Options.DatabaseSchemaName))
        {
            table.WriteCreateStatement(migrator, sql);
        }
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"create schema if not exists \"{store.Options.DatabaseSchemaName}\";\n{sql}";
        await command.ExecuteNonQueryAsync(ct);
    }
}
