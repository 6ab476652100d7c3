using Marten;
using Marten.Services;
using Npgsql;

namespace ComputeNet.Application.Infrastructure;

/// <summary>
/// Query sessions for reads that tolerate replication lag (a regulator's report): on
/// <see cref="ComputeNetSettings.ReadConnectionString"/> when one is configured (<c>ConnectionStrings:ComputeNetReads</c>, e.g. the
/// cluster's servers with <c>Target Session Attributes=prefer-standby</c>), else on the store's own connection. What such a session
/// reads is a committed state at most the standby's replay lag old (ADR 0031); nothing that decides a write may read through it.
/// </summary>
public sealed class StaleReads(IDocumentStore store, ComputeNetSettings settings)
{
    /// <summary>
    /// A query session on the read connection. Marten runs a session on a connection of its own only when that connection is
    /// open before the session is made (a closed one, or a connection string, is ignored for the store's database), so the
    /// connection is opened here and closed with the session.
    /// </summary>
    public async Task<ReadSession> OpenAsync(CancellationToken ct)
    {
        if (settings.ReadConnectionString is not { } reads)
        {
            return new ReadSession(store.QuerySession(), null);
        }
        var connection = new NpgsqlConnection(reads);
        try
        {
            await connection.OpenAsync(ct);
            return new ReadSession(store.QuerySession(SessionOptions.ForConnection(connection)), connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>A query session and the connection it runs on (when not the store's); disposing closes both.</summary>
    public sealed class ReadSession(IQuerySession session, NpgsqlConnection? connection) : IAsyncDisposable
    {
        public IQuerySession Session => session;

        public async ValueTask DisposeAsync()
        {
            await session.DisposeAsync();
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
