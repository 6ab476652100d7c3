using System.Security.Claims;
using System.Security.Cryptography;
using ComputeNet.Application;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Npgsql;

namespace ComputeNet.Portal.Sessions;

/// <summary>
/// Server-side session tickets in PostgreSQL (table <c>cn_portal_sessions</c> of the platform's schema), so a session
/// survives a restart of its host and works on every host of the schema. The browser holds only a random 256-bit id (in the
/// data-protected cookie); the table holds that id's SHA-256, never the id itself, so reading the table gives no session away.
/// Bounded: at most <c>maxPerParty</c> live sessions a party (its oldest go first), and expired rows are deleted as new
/// sessions start (a hundred at a time, through the expiry index), so the table holds what is live, whatever the platform's age.
/// Each request of a signed-in person reads one row by its primary key.
/// </summary>
public sealed class PortalSessionStore(PortalTables tables, int maxPerParty) : ITicketStore
{
    public const string Table = "cn_portal_sessions";

    private readonly string _table = tables.Qualified(Table);
    private readonly PortalTables _tables = tables;

    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var party = ticket.Principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";
        await using var connection = await _tables.OpenAsync();
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                Command($"insert into {_table} (id_hash, party, ticket, expires_at) values ($1, $2, $3, $4)",
                    Hash(id), party, TicketSerializer.Default.Serialize(ticket), ExpiryOf(ticket)),
                // The party's sessions beyond the bound, oldest first (index on party, expires_at).
                Command($"delete from {_table} where id_hash in (select id_hash from {_table} where party = $1 order by expires_at desc offset $2)",
                    party, maxPerParty),
                // Expired sessions of anyone, a few at a time (index on expires_at).
                Command($"delete from {_table} where id_hash in (select id_hash from {_table} where expires_at < now() order by expires_at limit 100)"),
            },
        };
        await batch.ExecuteNonQueryAsync();
        return id;
    }

    public async Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        await using var connection = await _tables.OpenAsync();
        await using var command = Single(connection, $"update {_table} set ticket = $2, expires_at = $3 where id_hash = $1",
            Hash(key), TicketSerializer.Default.Serialize(ticket), ExpiryOf(ticket));
        await command.ExecuteNonQueryAsync();
    }

    public async Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        if (key.Length is 0 or > 128)
        {
            return null;
        }
        await using var connection = await _tables.OpenAsync();
        await using var command = Single(connection, $"select ticket from {_table} where id_hash = $1 and expires_at > now()", Hash(key));
        return await command.ExecuteScalarAsync() is byte[] bytes ? TicketSerializer.Default.Deserialize(bytes) : null;
    }

    public async Task RemoveAsync(string key)
    {
        await using var connection = await _tables.OpenAsync();
        await using var command = Single(connection, $"delete from {_table} where id_hash = $1", Hash(key));
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Live sessions of a party (for tests and the runbook's checks).</summary>
    public async Task<int> CountAsync(string party)
    {
        await using var connection = await _tables.OpenAsync();
        await using var command = Single(connection, $"select count(*) from {_table} where party = $1 and expires_at > now()", party);
        return Convert.ToInt32(await command.ExecuteScalarAsync());
    }

    private static byte[] Hash(string id) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id));

    private static DateTimeOffset ExpiryOf(AuthenticationTicket ticket) => ticket.Properties.ExpiresUtc ?? DateTimeOffset.UtcNow.AddHours(8);

    private static NpgsqlBatchCommand Command(string sql, params object[] args)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(args.Select(a => new NpgsqlParameter { Value = a }).ToArray());
        return command;
    }

    private static NpgsqlCommand Single(NpgsqlConnection connection, string sql, params object[] args)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(args.Select(a => new NpgsqlParameter { Value = a }).ToArray());
        return command;
    }
}

/// <summary>
/// The portal's two tables in the platform's schema — the sessions (<see cref="PortalSessionStore"/>) and the data-protection
/// key ring (<see cref="PortalKeyRing"/>) — created once, on first use, by whichever host gets there first
/// (<c>create … if not exists</c> under an advisory lock, so concurrent starts agree). Marten neither knows nor touches them.
/// One per host (a singleton): a host started on a schema that was dropped and made again creates them again.
/// </summary>
public sealed class PortalTables(ComputeNetSettings settings)
{
    private Lazy<Task>? _created;

    public string Qualified(string table) => $"\"{settings.Schema}\".{table}";

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(settings.ConnectionString);
        try
        {
            await connection.OpenAsync();
            var create = LazyInitializer.EnsureInitialized(ref _created, () => new Lazy<Task>(() => CreateAsync(settings.ConnectionString)));
            try
            {
                await create.Value;
            }
            catch
            {
                // A failed creation (the database away) is tried again by the next request.
                Interlocked.CompareExchange(ref _created, null, create);
                throw;
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>For the data-protection key ring, whose interface is synchronous (read at start and once a day).</summary>
    public NpgsqlConnection Open() => Task.Run(OpenAsync).GetAwaiter().GetResult();

    private async Task CreateAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var s = $"\"{settings.Schema}\"";
        await using var command = new NpgsqlCommand($"""
            select pg_advisory_xact_lock(hashtext('computenet-portal-tables'));
            create schema if not exists {s};
            create table if not exists {s}.{PortalSessionStore.Table} (
              id_hash bytea primary key,
              party text not null,
              ticket bytea not null,
              expires_at timestamptz not null);
            create index if not exists ix_{PortalSessionStore.Table}_party on {s}.{PortalSessionStore.Table} (party, expires_at);
            create index if not exists ix_{PortalSessionStore.Table}_expires on {s}.{PortalSessionStore.Table} (expires_at);
            create table if not exists {s}.{PortalKeyRing.Table} (
              name text primary key,
              xml text not null,
              stored_at timestamptz not null default now());
            """, connection);
        await using var tx = await connection.BeginTransactionAsync();
        command.Transaction = tx;
        await command.ExecuteNonQueryAsync();
        await tx.CommitAsync();
    }
}
