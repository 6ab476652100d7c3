using ComputeNet.Domain;
using NodaTime;

namespace ComputeNet.Application.Sandbox;

/// <summary>
/// The test clock of a sandbox (ADR 0024): the platform's one clock when <c>serve --sandbox</c> runs it, registered as the
/// <see cref="IClock"/> every handler, the market writer and the action log read. It stands still until the operator
/// advances it (<c>POST /v1/sandbox/clock/advance</c>), never moves back, and is kept in the schema's
/// <see cref="SandboxSchema.TableName"/> row before anyone reads the new time, so a restarted host goes on from where it was.
/// </summary>
/// <remarks>
/// Reads are lock-free (one 64-bit read of Unix ticks, 100 ns). Advances are serialised by a gate; a command that read the
/// clock just before an advance carries the earlier time, exactly as a request that arrived a moment earlier on the real
/// clock would (the market's book expires by the greatest time it has seen, so it never goes back either).
/// </remarks>
public sealed class SandboxClock : IClock
{
    /// <summary>The latest instant the clock may be advanced to: the settlement calendar must still name the period after it.</summary>
    public static readonly Instant Latest = Instant.FromUtc(9999, 11, 30, 0, 0);

    private readonly string _connectionString;
    private readonly string _schema;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _ticks;

    internal SandboxClock(string connectionString, string schema, long ticks)
    {
        _connectionString = connectionString;
        _schema = schema;
        _ticks = ticks;
    }

    public string Schema => _schema;

    public Instant GetCurrentInstant() => Instant.FromUnixTimeTicks(Interlocked.Read(ref _ticks));

    /// <summary>
    /// Moves the clock to <paramref name="target"/>(the time it reads now), stored first. Refused <c>clock-backwards</c>
    /// before the current time (the same time again changes nothing) and <c>invalid</c> after <see cref="Latest"/>.
    /// </summary>
    /// <returns>The time before and after.</returns>
    public async Task<(Instant Previous, Instant Now)> AdvanceAsync(Func<Instant, Instant> target, string field, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var previous = GetCurrentInstant();
            var to = target(previous);
            if (to < previous)
            {
                throw RejectedException.Of(Codes.ClockBackwards, $"the sandbox clock reads {previous} and never moves back (asked for {to})", field);
            }
            if (to > Latest)
            {
                throw RejectedException.Of(Codes.Invalid, $"the sandbox clock goes up to {Latest}", field);
            }
            var stored = await SandboxSchema.StoreAsync(_connectionString, _schema, to.ToUnixTimeTicks(), ct);
            Interlocked.Exchange(ref _ticks, stored);
            return (previous, Instant.FromUnixTimeTicks(stored));
        }
        finally
        {
            _gate.Release();
        }
    }
}

/// <summary>
/// What marks a schema as a sandbox, durably: the table <see cref="TableName"/> with the test clock's one row. A schema that
/// has it is served only with <c>--sandbox</c> (a production <c>serve</c> refuses to start on it); <c>--sandbox</c> is
/// refused on a schema that holds a platform's history without it (ADR 0024).
/// </summary>
public static class SandboxSchema
{
    public const string TableName = "cn_sandbox_clock";

    private static string Table(string schema) => $"\"{schema.Replace("\"", "", StringComparison.Ordinal)}\".{TableName}";

    /// <summary>The test clock's time if <paramref name="schema"/> is a sandbox; null if it is not (or does not exist).</summary>
    public static async Task<Instant?> ReadAsync(string connectionString, string schema, CancellationToken ct = default)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "select to_regclass($1) is not null";
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = Table(schema) });
        if (await command.ExecuteScalarAsync(ct) is not true)
        {
            return null;
        }
        await using var read = connection.CreateCommand();
        read.CommandText = $"select now_ticks from {Table(schema)} where id = 1";
        return await read.ExecuteScalarAsync(ct) is long ticks ? Instant.FromUnixTimeTicks(ticks) : null;
    }

    /// <summary>
    /// The sandbox's clock: the stored one if <paramref name="schema"/> is a sandbox already, else (the schema new or holding
    /// no events) it is made one, its clock starting at <paramref name="start"/>. Null with the reason when the schema holds
    /// a platform's history that was not written in a sandbox.
    /// </summary>
    public static async Task<(SandboxClock? Clock, string? Refusal)> OpenAsync(string connectionString, string schema, Instant start, CancellationToken ct = default)
    {
        if (await ReadAsync(connectionString, schema, ct) is { } stored)
        {
            return (new SandboxClock(connectionString, schema, stored.ToUnixTimeTicks()), null);
        }
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var events = $"\"{schema.Replace("\"", "", StringComparison.Ordinal)}\".mt_events";
        await using (var check = connection.CreateCommand())
        {
            check.CommandText = "select to_regclass($1) is not null";
            check.Parameters.Add(new Npgsql.NpgsqlParameter { Value = events });
            if (await check.ExecuteScalarAsync(ct) is true)
            {
                await using var any = connection.CreateCommand();
                any.CommandText = $"select exists (select 1 from {events})";
                if (await any.ExecuteScalarAsync(ct) is true)
                {
                    return (null, $"schema '{schema}' holds a platform's history written on the real clock; a sandbox needs a schema of its own "
                        + "(--schema NAME names a new one)");
                }
            }
        }
        await using (var create = connection.CreateCommand())
        {
            create.CommandText = $"""
                create schema if not exists "{schema.Replace("\"", "", StringComparison.Ordinal)}";
                create table if not exists {Table(schema)} (
                  id int primary key check (id = 1),
                  now_ticks bigint not null,
                  started_ticks bigint not null,
                  created_at timestamptz not null default now());
                comment on table {Table(schema)} is 'ComputeNet sandbox: this schema runs on a test clock (ADR 0024); production serve refuses it';
                """;
            await create.ExecuteNonQueryAsync(ct);
        }
        await using (var insert = connection.CreateCommand())
        {
            insert.CommandText = $"insert into {Table(schema)} (id, now_ticks, started_ticks) values (1, $1, $1) on conflict (id) do nothing";
            insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = start.ToUnixTimeTicks() });
            await insert.ExecuteNonQueryAsync(ct);
        }
        var now = await ReadAsync(connectionString, schema, ct) ?? throw new InvalidOperationException($"the sandbox clock of '{schema}' was not stored");
        return (new SandboxClock(connectionString, schema, now.ToUnixTimeTicks()), null);
    }

    /// <summary>Stores the clock's new time (never below what is stored) and answers what is stored.</summary>
    internal static async Task<long> StoreAsync(string connectionString, string schema, long ticks, CancellationToken ct)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"update {Table(schema)} set now_ticks = greatest(now_ticks, $1) where id = 1 returning now_ticks";
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = ticks });
        return await command.ExecuteScalarAsync(ct) is long stored ? stored
            : throw new InvalidOperationException($"schema '{schema}' lost its sandbox clock");
    }

    /// <summary>The clock a command-line tool uses on <paramref name="schema"/>: its test clock (read only) if it is a sandbox, else the system clock.</summary>
    public static async Task<IClock> ClockForAsync(string connectionString, string schema, CancellationToken ct = default) =>
        await ReadAsync(connectionString, schema, ct) is { } now ? new SandboxClock(connectionString, schema, now.ToUnixTimeTicks()) : SystemClock.Instance;
}
