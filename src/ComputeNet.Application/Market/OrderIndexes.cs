namespace ComputeNet.Application.Market;

/// <summary>
/// The indexes of offers by window end on the order documents (the metering report's offered capacity and the portal's
/// utilisation read them): partial expression indexes that Marten does not manage. Marten never matched PostgreSQL's own
/// form of their predicate, so every start dropped and rebuilt them — about 9 s of a restart at 10M orders (bench
/// history; RestartTests pins that a restart changes no index).
/// </summary>
public static class OrderIndexes
{
    /// <summary>The name Marten gave it when it managed it, so that stores from before keep theirs.</summary>
    public const string OfferWindowEnd = "mt_doc_orderdocument_idx_offer_to_unix_seconds";

    /// <summary>A provider's offers by window end (the portal's utilisation reads, ADR 0025), partial in the same way.</summary>
    public const string PartyOfferWindowEnd = "mt_doc_orderdocument_idx_party_offer_end";

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
        command.CommandText = $"create index if not exists {PartyOfferWindowEnd} on {table} "
            + "((data ->> 'party'), (CAST(data ->> 'offerToUnixSeconds' as bigint))) where CAST(data ->> 'offerToUnixSeconds' as bigint) is not null";
        await command.ExecuteNonQueryAsync(ct);
    }
}
