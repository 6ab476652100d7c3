using ComputeNet.Application.Infrastructure;
using ComputeNet.Domain.Payments;
using Marten;

namespace ComputeNet.Application.Payments;

/// <summary>
/// The <c>payments</c> stream: read it into a <see cref="PaymentsBook"/>, decide, append with the expected version;
/// a lost race reads again and decides again. Provider calls never happen inside a write: they sit between two.
/// </summary>
public static class PaymentsStream
{
    public static async Task<PaymentsBook> ReadAsync(IQuerySession session, CancellationToken ct)
    {
        var book = new PaymentsBook();
        foreach (var e in await session.Events.FetchStreamAsync(MartenSetup.Streams.Payments, token: ct))
        {
            book.Evolve(e.Data);
        }
        return book;
    }

    public static async Task<PaymentsBook> ReadAsync(IDocumentStore store, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await ReadAsync(session, ct);
    }

    /// <summary>
    /// Decides on a fresh book and appends what <paramref name="decide"/> returns; returns the book after the append.
    /// With <paramref name="settlementLock"/> the decision runs under the shared settlement lock (it reads balances).
    /// </summary>
    public static async Task<PaymentsBook> WriteAsync(IDocumentStore store, bool settlementLock,
        Func<IDocumentSession, PaymentsBook, Task<IReadOnlyList<object>>> decide, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            if (settlementLock)
            {
                await SettlementLock.ShareAsync(session, ct);
            }
            var events = await session.Events.FetchStreamAsync(MartenSetup.Streams.Payments, token: ct);
            var book = new PaymentsBook();
            foreach (var e in events)
            {
                book.Evolve(e.Data);
            }
            var readVersion = events.Count == 0 ? 0 : events[^1].Version;
            IReadOnlyList<object> decided;
            try
            {
                decided = await decide(session, book);
            }
            catch (Domain.RejectedException) when (attempt < ExpectedVersion.MaxAttempts)
            {
                // A refusal may rest on a stale book (a balance read later saw what the stream read did not): decide
                // again if the stream moved meanwhile, else the refusal stands.
                if (((await session.Events.FetchStreamStateAsync(MartenSetup.Streams.Payments, ct))?.Version ?? 0) == readVersion)
                {
                    throw;
                }
                await ExpectedVersion.BackOffAsync(attempt, ct);
                continue;
            }
            if (decided.Count == 0)
            {
                return book;
            }
            ExpectedVersion.Append(session, MartenSetup.Streams.Payments, readVersion, decided.ToArray());
            try
            {
                await session.SaveChangesAsync(ct);
            }
            catch (Exception e) when (ExpectedVersion.ShouldRetry(e, attempt))
            {
                await ExpectedVersion.BackOffAsync(attempt, ct);
                continue;
            }
            foreach (var e in decided)
            {
                book.Evolve(e);
            }
            return book;
        }
    }

    public static Task<PaymentsBook> WriteAsync(IDocumentStore store, Func<PaymentsBook, IReadOnlyList<object>> decide, CancellationToken ct) =>
        WriteAsync(store, false, (_, book) => Task.FromResult(decide(book)), ct);

    /// <summary>The balance of <paramref name="account"/> (debit positive, every posting so far), read in the session's transaction.</summary>
    public static async Task<long> BalanceAsync(IQuerySession session, string account, CancellationToken ct) =>
        (await session.LoadAsync<Ledger.LedgerAccountView>(account, ct))?.BalanceFen ?? 0;
}
