using System.Text;
using Marten;

namespace ComputeNet.Application.Infrastructure;

/// <summary>
/// Serialises period closes against each other and against usage recording, with a PostgreSQL transaction-level
/// advisory lock per schema. A close holds it exclusively from before it reads the period's records until it
/// commits; recording a usage record holds it shared from before it reads which periods are closed until it commits.
/// So a record is either committed before the close reads (rated in the period) or sees the period closed (rated
/// late into the next open one) — never stored and then missed. Closes run one at a time across the platform.
/// </summary>
public static class SettlementLock
{
    public static Task ShareAsync(IDocumentSession session, CancellationToken ct) => TakeAsync(session, "pg_advisory_xact_lock_shared", ct);

    public static Task ExclusiveAsync(IDocumentSession session, CancellationToken ct) => TakeAsync(session, "pg_advisory_xact_lock", ct);

    private static async Task TakeAsync(IDocumentSession session, string function, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        await using var command = session.Connection!.CreateCommand();
        command.CommandText = $"select {function}(@key)";
        var key = command.CreateParameter();
        key.ParameterName = "key";
        key.Value = KeyOf(session.DocumentStore.Options.DatabaseSchemaName);
        command.Parameters.Add(key);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A stable 64-bit key per schema (FNV-1a of "computenet-settlement:" + schema).</summary>
    private static long KeyOf(string schema)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes("computenet-settlement:" + schema))
        {
            hash = unchecked((hash ^ b) * 1099511628211UL);
        }
        return unchecked((long)hash);
    }
}
