using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Metering;
using ComputeNet.Domain.Market;
using ComputeNet.Domain.Metering;
using System.Threading.Channels;
using ComputeNet.Domain;
using Marten;
using NodaTime;

namespace ComputeNet.Application.Market;

/// <summary>A trade as parties and outputs see it.</summary>
public sealed record TradeView(
    string LeaseId, long TradeSeq, string Bid, string Offer, string Buyer, string Provider, string Cluster, string Hub,
    string ResourceClass, string Family, int Devices, Instant From, Instant To, decimal Price, decimal ScuPerDevice,
    string Commitment, string MeteringStandard, string BuyerCity, decimal LatencyMs, Instant At)
{
    public static TradeView Of(TradeExecuted t) => new(t.Terms.LeaseId, t.Terms.TradeSeq, t.Terms.BidId, t.Terms.OfferId, t.Terms.Buyer,
        t.Terms.Provider, t.Terms.Cluster, t.Terms.Hub, t.Terms.ResourceClass, t.Terms.Family, t.Terms.Devices, t.Terms.From, t.Terms.To,
        t.Terms.Price, t.Terms.ScuPerDevice, t.Terms.Commitment, t.Terms.MeteringStandard, t.Terms.BuyerCity, t.Terms.LatencyMs, t.At);

    public static TradeView Of(LeaseDocument lease) => Of(new TradeExecuted(lease.Terms, lease.TradedAt));
}

/// <summary>The answer to an order command: the order's state after it, and the trades its placement made.</summary>
public sealed record OrderResult(string OrderId, string Party, string Side, string State, int Devices, int DevicesFilled, bool Repeat,
    IReadOnlyList<string> Leases);

/// <summary>
/// The market's durable intake: one writer, the order book in memory, group commit. Order commands queue up; the
/// writer takes every command waiting (up to <see cref="MaxBatch"/>), decides each in arrival order against the book
/// (applying its events at once, so the next command sees them), and appends all their events to the market stream
/// as one journal block in one transaction with the stream's expected version — each trade's lease document is
/// inserted in it (ADR 0015). It does not read the journal before deciding: the expected version proves the book
/// was current. Only when
/// that transaction is durable is any of the batch answered. A rejected command is answered with its rejection and
/// journals nothing. If the append fails (another process wrote first, or the database failed), the book — which is
/// then ahead of the journal — is dropped and rebuilt from the journal, and a lost race is decided again.
/// </summary>
public sealed class MarketService : IAsyncDisposable
{
    /// <summary>Most commands in one transaction: enough to amortise the commit, small enough to answer quickly.</summary>
    public const int MaxBatch = 1_000;
    /// <summary>Commands waiting beyond this make new ones wait (back-pressure), instead of growing memory.</summary>
    public const int MaxQueued = 20_000;

    private readonly IDocumentStore _store;
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(MaxQueued)
    {
        SingleReader = true, FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writer;
    private OrderBook _book = new();
    private long _version;
    /// <summary>False until the writer has read the journal since the last rebuild.</summary>
    private bool _current;

    public MarketService(IDocumentStore store)
    {
        _store = store;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Batches committed and commands decided since start (for benchmarks and the runbook).</summary>
    public (long Batches, long Commands) Committed => (Interlocked.Read(ref _batches), Interlocked.Read(ref _commands));

    /// <summary>Time the writer spent since start: catching up, deciding and applying, committing (for benchmarks).</summary>
    public (TimeSpan CatchUp, TimeSpan Decide, TimeSpan Commit) WriterTime =>
        (TimeSpan.FromTicks(Interlocked.Read(ref _catchUpTicks)), TimeSpan.FromTicks(Interlocked.Read(ref _decideTicks)),
            TimeSpan.FromTicks(Interlocked.Read(ref _commitTicks)));

    private long _batches;
    private long _commands;
    private long _catchUpTicks;
    private long _decideTicks;
    private long _commitTicks;

    private sealed record Pending(Func<OrderBook, MarketDecision> Decide, string Party, string OrderId, Instant Now, TaskCompletionSource<OrderResult> Done);

    /// <summary>Queues an order command; the answer comes once its batch is durable (or with its rejection).</summary>
    public async Task<OrderResult> DecideAsync(Func<OrderBook, MarketDecision> decide, string party, string orderId, Instant now, CancellationToken ct)
    {
        var pending = new Pending(decide, party, orderId, now, new TaskCompletionSource<OrderResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, ct);
        return await pending.Done.Task;
    }

    /// <summary>Every offer's capacity over its window, and when it was cancelled (for utilisation reports).</summary>
    public Task<IReadOnlyList<Domain.Reports.OfferedCapacity>> OfferedCapacityAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<Domain.Reports.OfferedCapacity>>(b => b.Offers
            .Select(o => new Domain.Reports.OfferedCapacity(o.Listed.Cluster, o.Devices, o.Listed.ScuPerDevice, o.Window.From, o.Window.To, o.CancelledAt)).ToList(), ct);

    /// <summary>Every order (or one party's only, read through the book's index by party) with its state at <paramref name="now"/>.</summary>
    public Task<IReadOnlyList<OrderStatus>> StatusesAsync(Instant now, string? party, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<OrderStatus>>(b => (party is null ? b.Statuses(now) : b.Statuses(party, now)).ToList(), ct);

    /// <summary>One party's order by id, or null.</summary>
    public Task<OrderStatus?> StatusAsync(string party, string orderId, Instant now, CancellationToken ct) =>
        ReadAsync(b => b.Status(party, orderId, now), ct);

    /// <summary>Reads the book caught up with the journal (between batches, never during one).</summary>
    public async Task<T> ReadAsync<T>(Func<OrderBook, T> read, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await using var session = _store.QuerySession();
            await CatchUpAsync(session, ct);
            return read(_book);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        try
        {
            await _writer;
        }
        catch (OperationCanceledException)
        {
        }
        while (_queue.Reader.TryRead(out var left))
        {
            left.Done.TrySetCanceled();
        }
        _stop.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        var ct = _stop.Token;
        while (await _queue.Reader.WaitToReadAsync(ct))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }
            await _gate.WaitAsync(ct);
            try
            {
                await CommitAsync(batch, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // Never leave a caller waiting; the book may be ahead of the journal: rebuild it on next use.
                Rebuild();
                foreach (var p in batch)
                {
                    p.Done.TrySetException(e);
                }
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    private async Task CommitAsync(List<Pending> batch, CancellationToken ct)
    {
        var outcomes = new (OrderResult? Result, Exception? Error)[batch.Count];
        for (var attempt = 1; ; attempt++)
        {
            await using var session = _store.LightweightSession();
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            if (!_current)
            {
                // After a rebuild (or at start) the book is behind the journal: read the rest before deciding.
                await CatchUpAsync(session, ct);
                _current = true;
            }
            var caughtUp = System.Diagnostics.Stopwatch.GetTimestamp();
            var events = new List<IMarketEvent>();
            for (var i = 0; i < batch.Count; i++)
            {
                var p = batch[i];
                try
                {
                    var decision = p.Decide(_book);
                    foreach (var e in decision.Events)
                    {
                        _book.Evolve(e);
                    }
                    events.AddRange(decision.Events);
                    outcomes[i] = (ResultOf(_book, p.Party, p.OrderId, p.Now, decision.IsRepeat), null);
                }
                catch (RejectedException e)
                {
                    outcomes[i] = (null, e);
                }
            }
            var decided = System.Diagnostics.Stopwatch.GetTimestamp();
            if (events.Count > 0)
            {
                // The expected version proves the book was current: if anyone appended since this writer's last
                // commit, the save fails, the book is rebuilt from the journal and the batch is decided again.
                ExpectedVersion.Append(session, MartenSetup.Streams.Market, _version, [new MarketEventsJournaled(events)]);
                StoreLeases(session, events);
                try
                {
                    await session.SaveChangesAsync(ct);
                }
                catch (Exception e) when (ExpectedVersion.ShouldRetry(e, attempt))
                {
                    Rebuild();
                    await ExpectedVersion.BackOffAsync(attempt, ct);
                    continue;
                }
                _version++;
            }
            else if (await JournalMovedAsync(session, ct))
            {
                // Only rejections and repeats, decided on a book another process has moved past. Nothing was applied,
                // so the book is still the journal up to its version: read the rest and decide them again.
                _current = false;
                continue;
            }
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _commands, batch.Count);
            Interlocked.Add(ref _catchUpTicks, System.Diagnostics.Stopwatch.GetElapsedTime(started, caughtUp).Ticks);
            Interlocked.Add(ref _decideTicks, System.Diagnostics.Stopwatch.GetElapsedTime(caughtUp, decided).Ticks);
            Interlocked.Add(ref _commitTicks, System.Diagnostics.Stopwatch.GetElapsedTime(decided).Ticks);
            for (var i = 0; i < batch.Count; i++)
            {
                if (outcomes[i].Error is { } error)
                {
                    batch[i].Done.TrySetException(error);
                }
                else
                {
                    batch[i].Done.TrySetResult(outcomes[i].Result!);
                }
            }
            return;
        }
    }

    /// <summary>True when the market journal holds events this writer has not applied (another process appended).</summary>
    private async Task<bool> JournalMovedAsync(IQuerySession session, CancellationToken ct)
    {
        var state = await session.Events.FetchStreamStateAsync(MartenSetup.Streams.Market, ct);
        return (state?.Version ?? 0) != _version;
    }

    /// <summary>Drops the book; the next catch-up replays the whole journal.</summary>
    private void Rebuild()
    {
        _book = new OrderBook();
        _version = 0;
        _current = false;
    }

    private async Task CatchUpAsync(IQuerySession session, CancellationToken ct)
    {
        var stored = await session.Events.FetchStreamAsync(MartenSetup.Streams.Market, fromVersion: _version + 1, token: ct);
        foreach (var entry in stored)
        {
            if (entry.Version <= _version)
            {
                continue;
            }
            foreach (var e in MarketJournal.EventsOf(entry))
            {
                _book.Evolve(e);
            }
            _version = entry.Version;
        }
    }

    /// <summary>
    /// Each trade's lease document, inserted in the trade's transaction (an insert: a lease id is booked once). The
    /// document is a read model of <see cref="TradeExecuted"/> in the market journal, which stays the source of truth.
    /// </summary>
    private static void StoreLeases(IDocumentSession session, IReadOnlyList<IMarketEvent> events)
    {
        foreach (var e in events)
        {
            if (e is TradeExecuted t)
            {
                session.Insert(LeaseDocument.Of(t));
            }
        }
    }

    private static OrderResult ResultOf(OrderBook book, string party, string orderId, Instant now, bool repeat)
    {
        if (book.Bid(party, orderId) is { } bid)
        {
            return new OrderResult(bid.Id, bid.Party, "bid", MarketSlugs.Of(bid.StateAt(now)), bid.Devices, bid.Filled, repeat, bid.LeasesAtPlacement.ToList());
        }
        if (book.Offer(party, orderId) is { } offer)
        {
            return new OrderResult(offer.Id, offer.Party, "offer", MarketSlugs.Of(offer.StateAt(now)), offer.Devices, offer.MostLeased, repeat,
                offer.LeasesAtPlacement.ToList());
        }
        throw new InvalidOperationException($"order {party}/{orderId} is not in the book after its decision");
    }
}
