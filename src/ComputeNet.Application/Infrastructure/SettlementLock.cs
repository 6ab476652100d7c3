using System.Text;
using Marten;

namespace ComputeNet.Application.Infrastructure;

/// <summary>
/// Serialises period closes against each other and against usage recording, with a PostgreSQL transaction-level
/// advisory lock per schema. A close holds it exclusively from before it reads the period's records until it
/// commits; recording a usage record holds it shared from before it reads which periods are closed until it commits.
/// So a record is either committed before the close reads (rated in the period) or sees the period closed (rated
/// late into the next open one) — never stored and then missed. Closes run one at a time across the platform.
/// <para>
/// Every transaction that takes it is a money path — closes, usage, cash, payouts, refunds, disputes, checkpoints — and
/// commits with <c>synchronous_commit = on</c> whatever the server's default: where a synchronous standby is configured and
/// the server's default is <c>local</c> (ADR 0031, "money paths only"), these commits wait for the standby while order intake
/// does not; without a standby it is PostgreSQL's default durability, unchanged.
/// </para>
/// </summary>
public static class SettlementLock
{
    public static Task ShareAsync(IDocumentSession session, CancellationToken ct) => TakeAsync(session, "pg_advisory_xact_lock_shared", ct);

    public static Task ExclusiveAsync(IDocumentSession session, CancellationToken ct) => TakeAsync(session, "pg_advisory_xact_lock", ct);

    /// <summary>
    /// The ledger lock, exclusive, taken by cash actions and reversals after the shared settlement lock (never the other
    /// way round): the writers of ledger transactions outside closes run one at a time, so the inline balance and ledger
    /// log documents they update are never written by two transactions at once, and the log's leaves are appended in
    /// commit order. Closes need not take it: their exclusive settlement lock already excludes every holder of it.
    /// </summary>
    /// <remarks>Call it after <see cref="ShareAsync"/>, which opened the transaction it belongs to.</remarks>
    public static Task LedgerAsync(IDocumentSession session, CancellationToken ct) =>
        ExecuteAsync(session, "pg_advisory_xact_lock", "computenet-ledger:", ct);

    private static async Task TakeAsync(IDocumentSession session, string function, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        await ExecuteAsync(session, function, "computenet-settlement:", ct, "set local synchronous_commit = on; ");
    }

    private static async Task ExecuteAsync(IDocumentSession session, string function, string prefix, CancellationToken ct, string before = "")
    {
        await using var command = session.Connection!.CreateCommand();
        command.CommandText = $"{before}select {function}(@key)";
        var key = command.CreateParameter();
        key.ParameterName = "key";
        key.Value = KeyOf(prefix + session.DocumentStore.Options.DatabaseSchemaName);
        command.Parameters.Add(key);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A stable 64-bit key per lock and schema (FNV-1a of "computenet-settlement:" + schema, or of the ledger lock's prefix + schema).</summary>
    private static long KeyOf(string name)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            hash = unchecked((hash ^ b) * 1099511628211UL);
        }
        return unchecked((long)hash);
    }
}
