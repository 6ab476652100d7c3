namespace ComputeNet.Application.Market;

/// <summary>
/// The index of offers by window end on the order documents (the metering report's offered capacity reads it). A partial
/// expression index that Marten does not manage: its predicate, written back by PostgreSQL in its own form, never
/// matched Marten's text, so every start dropped and rebuilt it — 9 s of a restart at 10M orders (bench history).
/// </summary>
public static class OrderIndexes
{
    /// <summary>The name Marten gave it when it managed it, so that stores from before keep theirs.</summary>
    public const string OfferWindowEnd = "mt_doc_orderdocument_idx_offer_to_unix_seconds";

    /// <summary>Creates the index once (a no-op at every later start). Building it on a large existing store takes a while, once.</summary>
    public static async Task EnsureAsync(string connectionString, string schema, CancellationToken ct)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandTimeout = 0;
        var table = $"\"{schema.Replace("\"", "")}\".mt_doc_orderdocument";
        command.CommandText = $"create index if not exists {OfferWindowEnd} on {table} "
            + "((CAST(data ->> 'offerToUnixSeconds' as bigint))) where CAST(data ->> 'offerToUnixSeconds' as bigint) is not null";
        await command.ExecuteNonQueryAsync(ct);
    }
}
