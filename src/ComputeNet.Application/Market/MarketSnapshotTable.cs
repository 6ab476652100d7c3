using ComputeNet.Domain.Market;
using Marten;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace ComputeNet.Application.Market;

/// <summary>
/// The live orders of the latest market snapshot: one row per chunk of <see cref="MarketService.SnapshotChunkOrders"/>
/// orders, each the chunk's compact bytes (<see cref="SnapshotCodec"/>: the resting state of each live order, not JSON).
/// The head (<see cref="MarketSnapshot"/>) says which version and how many chunks. Written off the writer's path in one
/// transaction with the head; read whole at a start or after a failed append. Stored uncompressed (the bytes are dense
/// already, and PostgreSQL's pglz would cost more than it saves).
/// </summary>
public static class MarketSnapshotTable
{
    public const string Name = "cn_market_snapshot_chunks";

    /// <summary>The table, created and kept by Marten's schema management with everything else.</summary>
    public static Table Definition(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Name, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        table.AddColumn<long>("version").NotNull().AsPrimaryKey();
        table.AddColumn<int>("idx").NotNull().AsPrimaryKey();
        table.AddColumn<int>("orders").NotNull();
        table.AddColumn("data", "bytea").NotNull();
        return table;
    }

    private static string Qualified(IQuerySession session) => $"\"{session.DocumentStore.Options.DatabaseSchemaName}\".{Name}";

    /// <summary>Creates the table when a store was not initialised with it (idempotent), and keeps its bytes uncompressed.</summary>
    public static async Task EnsureAsync(IQuerySession session, CancellationToken ct)
    {
        await using var connection = session.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText =
            $"create table if not exists {Qualified(session)} (version bigint not null, idx integer not null, orders integer not null, data bytea not null, "
            + $"primary key (version, idx)); alter table {Qualified(session)} alter column data set storage external";
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Queues the chunks of the snapshot at <paramref name="version"/>, and the deletion of every other snapshot's chunks.</summary>
    public static void Store(IDocumentSession session, long version, IReadOnlyList<(int Orders, byte[] Data)> chunks)
    {
        session.QueueSqlCommand($"delete from {Qualified(session)} where version <> ?", version);
        if (chunks.Count > 0)
        {
            session.QueueSqlCommand(
                $"insert into {Qualified(session)} (version, idx, orders, data) select ?, * from unnest(?::int[], ?::int[], ?::bytea[]) "
                + "on conflict (version, idx) do update set orders = excluded.orders, data = excluded.data",
                version, Enumerable.Range(0, chunks.Count).ToArray(), chunks.Select(c => c.Orders).ToArray(), chunks.Select(c => c.Data).ToArray());
        }
    }

    /// <summary>The chunks of the snapshot at <paramref name="version"/>, in order (empty when none are stored).</summary>
    public static async Task<IReadOnlyList<byte[]>> LoadAsync(IQuerySession session, long version, CancellationToken ct)
    {
        var chunks = new List<byte[]>();
        await using var connection = session.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"select data from {Qualified(session)} where version = $1 order by idx";
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = version });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            chunks.Add(await reader.GetFieldValueAsync<byte[]>(0, ct));
        }
        return chunks;
    }
}
