using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Metering;
using ComputeNet.Domain.Market;
using ComputeNet.Domain.Market.Engine;
using ComputeNet.Domain.Reference;
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

/// <summary>How the market writer is bounded and snapshotted (defaults for production; tests set them small).</summary>
public sealed class MarketOptions
{
    /// <summary>Most orders resting at once; finished orders leave memory, so this bounds the book's memory.</summary>
    public int MaxLiveOrders { get; init; } = MarketLimits.MaxLiveOrders;
    /// <summary>A snapshot of the live book every this many journal blocks (0: never, except once after replaying a journal that had none).</summary>
    public int SnapshotEveryBlocks { get; init; } = 1_000;
    /// <summary>
    /// Also a snapshot once this many orders were placed since the last one (0: blocks only): blocks of a busy market hold
    /// up to 1,000 commands, and a restart replays what came after the snapshot.
    /// </summary>
    public int SnapshotEveryOrders { get; init; } = 50_000;
}

/// <summary>
/// The market's durable intake: one writer, the live order book in memory, group commit. Order commands queue up; the
/// writer takes every command waiting (up to <see cref="MaxBatch"/>), reads in one query the stored documents of the
/// batch's orders that are not live in memory (finished orders: for repeats and <c>id-reused</c>), decides each command in
/// arrival order against the book (applying its events at once, so the next command sees them), and appends all their
/// events to the market stream as one journal block in one transaction with the stream's expected version — each
/// trade's lease document is inserted in it (ADR 0015), and each order the block placed or changed has its
/// <see cref="OrderDocument"/> inserted or updated in it. It does not read the journal before deciding: the expected
/// version proves the book was current. Only when that transaction is durable is any of the batch answered. A rejected
/// command is answered with its rejection and journals nothing. If the append fails (another process wrote first, or
/// the database failed), the book — which is then ahead of the journal — is dropped and rebuilt from the latest
/// snapshot and the journal after it, and a lost race is decided again.
/// <para>
/// Finished orders leave memory (<see cref="OrderBook"/>); every <see cref="MarketOptions.SnapshotEveryBlocks"/> blocks the
/// writer snapshots the live book (<see cref="MarketSnapshot"/>), written off the writer's path. Reads of orders
/// (<see cref="StatusesAsync"/>, <see cref="StatusAsync"/>, <see cref="OfferedCapacityAsync"/>) read the documents and
/// never wait for the writer.
/// </para>
/// </summary>
public sealed class MarketService : IAsyncDisposable
{
    /// <summary>Most commands in one transaction: enough to amortise the commit, small enough to answer quickly.</summary>
    public const int MaxBatch = 1_000;
    /// <summary>Commands waiting beyond this make new ones wait (back-pressure), instead of growing memory.</summary>
    public const int MaxQueued = 20_000;
    /// <summary>Live orders per snapshot chunk document (a chunk stays a few MB of JSON).</summary>
    public const int SnapshotChunkOrders = 10_000;
    /// <summary>Journal blocks read per query while catching up (a long tail is never held whole in memory).</summary>
    private const int CatchUpPage = 500;

    private readonly IDocumentStore _store;
    private readonly MarketOptions _options;
    private readonly Cluster.IMarketOwnership _ownership;
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(MaxQueued)
    {
        SingleReader = true, FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writer;
    private OrderBook _book;
    private long _version;
    /// <summary>False until the writer has read the journal since the last rebuild.</summary>
    private bool _current;
    /// <summary>False until the book has been restored from the latest snapshot (or found to have none) since the last rebuild.</summary>
    private bool _restored;
    /// <summary>True once the writer has restored the book the first time (and so written any missing order documents).</summary>
    private volatile bool _started;
    /// <summary>The journal version of the latest snapshot this writer knows of (written or loaded).</summary>
    private long _snapshotVersion;
    /// <summary>Orders placed since the last snapshot this writer took or loaded.</summary>
    private long _ordersSinceSnapshot;
    private Task _snapshotWrite = Task.CompletedTask;
    private bool _tablesEnsured;
    /// <summary>
    /// Orders of the current batch not live in memory: the stored documents read before deciding, and the orders that
    /// left the book while deciding (so a repeat later in the batch finds them). Cleared for every batch.
    /// </summary>
    private readonly OrderArchive _notLive = new();
    /// <summary>The book's departures go to <see cref="_notLive"/> while a batch is decided, nowhere while catching up.</summary>
    private readonly Action<OrderRecord> _keepDeparted;

    /// <param name="ownership">Whether this process may append to the journal (ADR 0030); null: always (one process per database).</param>
    public MarketService(IDocumentStore store, MarketOptions? options = null, Cluster.IMarketOwnership? ownership = null)
    {
        _store = store;
        _options = options ?? new MarketOptions();
        _ownership = ownership ?? Cluster.AlwaysOwner.Instance;
        _book = NewBook();
        _keepDeparted = _notLive.Add;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Batches committed and commands decided since start (for benchmarks and the runbook).</summary>
    /// <summary>The writer loop is running (false once it ended: disposed, or failed beyond its own recovery).</summary>
    public bool WriterRunning => !_writer.IsCompleted;

    public (long Batches, long Commands) Committed => (Interlocked.Read(ref _batches), Interlocked.Read(ref _commands));

    /// <summary>Time the writer spent since start: catching up, deciding and applying, committing (for benchmarks).</summary>
    public (TimeSpan CatchUp, TimeSpan Decide, TimeSpan Commit) WriterTime =>
        (TimeSpan.FromTicks(Interlocked.Read(ref _catchUpTicks)), TimeSpan.FromTicks(Interlocked.Read(ref _decideTicks)),
            TimeSpan.FromTicks(Interlocked.Read(ref _commitTicks)));

    /// <summary>The last rebuild: whether it started from a snapshot, the blocks replayed after it, how long it took (for benchmarks and tests).</summary>
    public (bool FromSnapshot, long SnapshotVersion, long BlocksReplayed, TimeSpan SnapshotTook, TimeSpan Took, TimeSpan TailReadTook) LastRebuild { get; private set; }

    /// <summary>Time spent reading (query and deserialisation) journal blocks in the last rebuild's replay.</summary>
    private long _tailReadTicks;
    private long _parseTicks;
    /// <summary>Time spent deserialising journal blocks read raw since start (for benchmarks).</summary>
    public TimeSpan ParseTook => TimeSpan.FromTicks(Interlocked.Read(ref _parseTicks));

    private long _batches;
    private long _commands;
    private long _catchUpTicks;
    private long _decideTicks;
    private long _commitTicks;

    /// <param name="Actor">Who sent the command (the request's key), logged with its events (<see cref="Actions.ActionLog"/>).</param>
    private sealed record Pending(Func<OrderBook, IOrderLookup, MarketDecision> Decide, string Party, string OrderId, Instant Now,
        TaskCompletionSource<OrderResult> Done, Actions.Actor Actor);

    /// <summary>
    /// Queues an order command; the answer comes once its batch is durable (or with its rejection). The decision gets
    /// the book and the stored orders of the batch that are not live in memory.
    /// </summary>
    public async Task<OrderResult> DecideAsync(Func<OrderBook, IOrderLookup, MarketDecision> decide, string party, string orderId, Instant now,
        CancellationToken ct)
    {
        var pending = new Pending(decide, party, orderId, now, new TaskCompletionSource<OrderResult>(TaskCreationOptions.RunContinuationsAsynchronously),
            Actions.Acting.Current);
        await _queue.Writer.WriteAsync(pending, ct);
        return await pending.Done.Task;
    }

    /// <summary>
    /// The offers whose window overlaps <c>[from, to)</c>, with their capacity and when they were cancelled (for utilisation
    /// reports), read from the order documents by window end (never from the book).
    /// </summary>
    public async Task<IReadOnlyList<Domain.Reports.OfferedCapacity>> OfferedCapacityAsync(Instant from, Instant to, CancellationToken ct)
    {
        var (start, end) = (from.ToUnixTimeSeconds(), to.ToUnixTimeSeconds());
        await EnsureStartedAsync(ct);
        await using var session = _store.QuerySession();
        var offers = await session.Query<OrderDocument>().Where(d => d.OfferToUnixSeconds > start && d.OfferFromUnixSeconds < end).ToListAsync(ct);
        return offers.OrderBy(d => d.Seq)
            .Select(d => new Domain.Reports.OfferedCapacity(d.Cluster!, d.Order.Devices, d.ScuPerDevice, d.Order.Offer!.Window.From,
                d.Order.Offer.Window.To, d.Order.CancelledAt))
            .ToList();
    }

    /// <summary>
    /// One page of the orders (or of one party's, through the index by party and arrival), in arrival order, with their
    /// state at <paramref name="now"/>; <c>More</c> tells whether another page follows. Paged in PostgreSQL.
    /// </summary>
    public async Task<(IReadOnlyList<OrderStatus> Items, bool More)> StatusesAsync(Instant now, string? party, int offset, int limit, CancellationToken ct)
    {
        await EnsureStartedAsync(ct);
        await using var session = _store.QuerySession();
        var query = party is null ? session.Query<OrderDocument>() : session.Query<OrderDocument>().Where(d => d.Party == party);
        var page = await query.OrderBy(d => d.Seq).Skip(offset).Take(limit + 1).ToListAsync(ct);
        return (page.Take(limit).Select(d => d.Order.StatusAt(now)).ToList(), page.Count > limit);
    }

    /// <summary>A party's order by id (a lookup by document id), or, without a party, the first order with that id in arrival order; null when none.</summary>
    public async Task<OrderStatus?> StatusAsync(string? party, string orderId, Instant now, CancellationToken ct)
    {
        await EnsureStartedAsync(ct);
        await using var session = _store.QuerySession();
        var doc = party is not null
            ? await session.LoadAsync<OrderDocument>(OrderDocument.IdOf(party, orderId), ct)
            : await session.Query<OrderDocument>().Where(d => d.OrderId == orderId).OrderBy(d => d.Seq).FirstOrDefaultAsync(ct);
        return doc?.Order.StatusAt(now);
    }

    /// <summary>
    /// Once per service: the writer's first restore, which gives a journal written before order documents its documents
    /// (<see cref="CatchUpAsync"/>). After it, reads of orders never wait for the writer.
    /// </summary>
    private async Task EnsureStartedAsync(CancellationToken ct)
    {
        if (!_started)
        {
            await ReadAsync(_ => 0, ct);
        }
    }

    /// <summary>Price levels per side kept in a published depth view (the most a reader may ask for).</summary>
    public const int DepthLevels = 100;

    /// <summary>
    /// The book's depth as the writer last published it: an immutable view of every family's aggregated price levels (bids;
    /// offers, in all clusters and per cluster), the best <see cref="DepthLevels"/> of each, as of a committed journal version
    /// and a time. Readers take it without the writer's gate.
    /// </summary>
    public sealed record DepthView(long Version, Instant AsOf,
        IReadOnlyDictionary<(ComputeFamily Family, OrderSide Side, string? Cluster), IReadOnlyList<DepthLevel>> Levels)
    {
        public IReadOnlyList<DepthLevel> Of(ComputeFamily family, OrderSide side, string? cluster, int levels) =>
            Levels.TryGetValue((family, side, cluster), out var all) ? all.Take(levels).ToList() : [];
    }

    private volatile DepthView? _depth;
    /// <summary>The journal version of the book's last committed block, for readers (the writer's own <see cref="_version"/> is not shared).</summary>
    private long _committedVersion = -1;
    /// <summary>Unix ticks of the time of the latest reader that asked for a depth view since the last publication (0: none asked).</summary>
    private long _depthWanted;
    private TaskCompletionSource _depthPublished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly Pending DepthWake = new(null!, "", "", default, new TaskCompletionSource<OrderResult>(), Actions.Actor.System);
    /// <summary>How old a published view may be, against the reader's clock, when no block has been committed since.</summary>
    private static readonly Duration DepthFreshFor = Duration.FromSeconds(1);

    /// <summary>
    /// The book's depth at <paramref name="now"/> without taking the writer's gate: the published view when it is of the
    /// last committed block and less than a second old; otherwise the writer is asked to publish one (between batches,
    /// from the committed book) and the reader waits for it, never for the gate.
    /// </summary>
    public async Task<DepthView> DepthAsync(Instant now, CancellationToken ct)
    {
        var view = _depth;
        if (view is not null && view.Version == Interlocked.Read(ref _committedVersion) && now >= view.AsOf && now - view.AsOf < DepthFreshFor)
        {
            return view;
        }
        var published = _depthPublished.Task;
        Interlocked.Exchange(ref _depthWanted, Math.Max(1, now.ToUnixTimeTicks()));
        _queue.Writer.TryWrite(DepthWake);
        await published.WaitAsync(ct);
        return _depth ?? await DepthAsync(now, ct);
    }

    /// <summary>
    /// Publishes the committed book's depth (writer only, between batches) when a reader asked since the last publication,
    /// and wakes the readers waiting for it: one computation per batch at most, shared by every reader that asked, and
    /// none while nobody reads.
    /// </summary>
    private void PublishDepth(Instant? at)
    {
        var asked = Interlocked.Exchange(ref _depthWanted, 0);
        if (asked == 0)
        {
            return;
        }
        var wanted = Instant.FromUnixTimeTicks(asked);
        var asOf = at is { } t && t > wanted ? t : wanted;
        var seconds = asOf.ToUnixTimeSeconds();
        var levels = new Dictionary<(ComputeFamily, OrderSide, string?), IReadOnlyList<DepthLevel>>();
        var clusters = _book.ClusterNames;
        foreach (var family in Enum.GetValues<ComputeFamily>())
        {
            levels[(family, OrderSide.Bid, null)] = _book.Core.Depth(family, OrderSide.Bid, null, DepthLevels, seconds);
            levels[(family, OrderSide.Offer, null)] = _book.Core.Depth(family, OrderSide.Offer, null, DepthLevels, seconds);
            for (var c = 0; c < clusters.Count; c++)
            {
                levels[(family, OrderSide.Offer, clusters[c])] = _book.Core.Depth(family, OrderSide.Offer, c, DepthLevels, seconds);
            }
        }
        _depth = new DepthView(_version, asOf, levels);
        Interlocked.Exchange(ref _committedVersion, _version);
        Interlocked.Exchange(ref _depthPublished, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Reads the live book caught up with the journal (between batches, never during one): book depth, benchmarks.</summary>
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
        foreach (var left in _next ?? [])
        {
            left.Done.TrySetCanceled();
        }
        DiscardNextLookup();
        while (_queue.Reader.TryRead(out var left))
        {
            left.Done.TrySetCanceled();
        }
        try
        {
            await _snapshotWrite;
        }
        catch (Exception)
        {
            // A snapshot is only a cache of the journal: one not written is taken again later.
        }
        _stop.Dispose();
    }

    private OrderBook NewBook() => new() { MaxLiveOrders = _options.MaxLiveOrders };

    private async Task WriteLoopAsync()
    {
        var ct = _stop.Token;
        while (true)
        {
            // The batch taken (and looked up) while the previous one committed, or the commands waiting now.
            var batch = _next;
            _next = null;
            if (batch is null)
            {
                if (!await _queue.Reader.WaitToReadAsync(ct))
                {
                    return;
                }
                batch = Take();
            }
            var wake = batch.RemoveAll(p => ReferenceEquals(p, DepthWake)) > 0;
            await _gate.WaitAsync(ct);
            try
            {
                if (wake)
                {
                    // A reader of the book's depth found no current view: publish one from the committed book.
                    if (!_current)
                    {
                        await using var session = _store.QuerySession();
                        await CatchUpAsync(session, ct);
                        _current = true;
                    }
                    PublishDepth(null);
                }
                if (batch.Count > 0)
                {
                    await CommitAsync(batch, ct);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // Never leave a caller waiting; the book may be ahead of the journal: rebuild it on next use.
                Rebuild();
                Interlocked.Exchange(ref _depthPublished, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                foreach (var p in batch)
                {
                    p.Done.TrySetException(e);
                }
            }
            finally
            {
                _book.Departed = null;
                _gate.Release();
            }
        }
    }

    /// <summary>Every command waiting, up to <see cref="MaxBatch"/>.</summary>
    private List<Pending> Take()
    {
        var batch = new List<Pending>(Math.Min(MaxBatch, Math.Max(16, _queue.Reader.Count)));
        while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
        {
            batch.Add(pending);
        }
        return batch;
    }

    /// <summary>The next batch, taken while the current one commits (null: none taken).</summary>
    private List<Pending>? _next;

    /// <summary>
    /// The finished-order lookup of <see cref="_next"/>, started while the current batch commits: the stored documents of its
    /// orders not live in the book after the current batch's decisions, and what the current batch remembered of those
    /// same orders (orders that finished in it, whose documents the lookup may not see yet; they win). Null when none was
    /// started, or after a failed append or a rebuild (the book it was computed against is gone): then it is looked up again.
    /// </summary>
    private (List<Pending> For, Task<IReadOnlyList<OrderDocument>> Stored, List<OrderRecord> Carried)? _nextLookup;

    /// <summary>Recent commit and lookup times (exponential averages, ticks): when to take the next batch during a commit.</summary>
    private double _commitTicksAvg, _lookupTicksAvg;

    /// <summary>
    /// Commits the session; the next batch's lookup overlaps the commit's end: the next batch is taken once the commit has
    /// run for about its usual time less a lookup's, so it holds what arrived meanwhile (taken at once, batches would shrink
    /// and commits multiply).
    /// </summary>
    private async Task SaveOverlappingNextLookupAsync(IDocumentSession session, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var save = session.SaveChangesAsync(ct);
        var wait = TimeSpan.FromTicks((long)Math.Max(0, _commitTicksAvg - 1.5 * _lookupTicksAvg));
        if (!save.IsCompleted && wait > TimeSpan.Zero)
        {
            await Task.WhenAny(save, Task.Delay(wait, ct));
        }
        if (!save.IsCompleted)
        {
            PrefetchNext(ct);
        }
        await save;
        _commitTicksAvg = Average(_commitTicksAvg, System.Diagnostics.Stopwatch.GetElapsedTime(started).Ticks);
    }

    private static double Average(double average, long sample) => average == 0 ? sample : 0.9 * average + 0.1 * sample;

    /// <summary>Takes the next batch and starts its lookup (another connection) while the current batch commits.</summary>
    private void PrefetchNext(CancellationToken ct)
    {
        if (_next is not null || _queue.Reader.Count == 0)
        {
            return;
        }
        _next = Take();
        var ids = NotLiveIds(_next);
        var carried = new List<OrderRecord>();
        foreach (var id in ids ?? [])
        {
            if (_notLive.Find(id.Party, id.OrderId) is { } known)
            {
                carried.Add(known);
            }
        }
        _nextLookup = (_next, ids is null ? Task.FromResult<IReadOnlyList<OrderDocument>>([]) : LoadDocumentsAsync(ids, ct), carried);
    }

    private async Task<IReadOnlyList<OrderDocument>> LoadDocumentsAsync(List<(string Party, string OrderId)> ids, CancellationToken ct)
    {
        await using var session = _store.QuerySession();
        return await session.LoadManyAsync<OrderDocument>(ct, ids.Select(id => OrderDocument.IdOf(id.Party, id.OrderId)).Distinct(StringComparer.Ordinal));
    }

    /// <summary>Drops a started lookup of the next batch (its result no longer matches the book), observing its outcome.</summary>
    private void DiscardNextLookup()
    {
        if (_nextLookup is { } lookup)
        {
            _ = lookup.Stored.ContinueWith(t => t.Exception, TaskScheduler.Default);
            _nextLookup = null;
        }
    }

    private async Task CommitAsync(List<Pending> batch, CancellationToken ct)
    {
        var outcomes = new (OrderResult? Result, Exception? Error)[batch.Count];
        for (var attempt = 1; ; attempt++)
        {
            await RefuseUnlessOwnerAsync(ct);
            await using var session = _store.LightweightSession();
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            if (!_current)
            {
                // After a rebuild (or at start) the book is behind the journal: read the rest before deciding.
                await CatchUpAsync(session, ct);
                _current = true;
            }
            if (_nextLookup is { } stale && !ReferenceEquals(stale.For, batch))
            {
                // Never another batch's lookup.
                DiscardNextLookup();
            }
            if (_nextLookup is { } prefetched)
            {
                // Looked up while the previous batch committed, against the book as that batch left it.
                _nextLookup = null;
                _notLive.Clear();
                foreach (var doc in await prefetched.Stored)
                {
                    _notLive.Add(doc.Order);
                }
                foreach (var record in prefetched.Carried)
                {
                    _notLive.Add(record);
                }
            }
            else
            {
                var looking = System.Diagnostics.Stopwatch.GetTimestamp();
                await LoadNotLiveAsync(session, batch, ct);
                _lookupTicksAvg = Average(_lookupTicksAvg, System.Diagnostics.Stopwatch.GetElapsedTime(looking).Ticks);
            }
            var caughtUp = System.Diagnostics.Stopwatch.GetTimestamp();
            var events = new List<IMarketEvent>();
            var acted = new List<(Actions.Actor, string, string, Instant, IReadOnlyList<IMarketEvent>)>();
            _book.Departed = _keepDeparted;
            for (var i = 0; i < batch.Count; i++)
            {
                var p = batch[i];
                try
                {
                    var decision = p.Decide(_book, _notLive);
                    foreach (var e in decision.Events)
                    {
                        _book.Evolve(e);
                    }
                    events.AddRange(decision.Events);
                    acted.Add((p.Actor, p.Party, p.OrderId, p.Now, decision.Events));
                    outcomes[i] = (ResultOf(p.Party, p.OrderId, p.Now, decision.IsRepeat), null);
                }
                catch (RejectedException e)
                {
                    outcomes[i] = (null, e);
                }
            }
            _book.Departed = null;
            var decided = System.Diagnostics.Stopwatch.GetTimestamp();
            if (events.Count > 0)
            {
                // The expected version proves the book was current: if anyone appended since this writer's last
                // commit, the save fails, the book is rebuilt from the journal and the batch is decided again. A host
                // whose lease may have lapsed appends nothing (its local deadline; ADR 0030).
                await RefuseUnlessOwnerAsync(ct);
                LimitIdleInTransaction(session);
                ExpectedVersion.Append(session, MartenSetup.Streams.Market, _version, [new MarketEventsJournaled(events)]);
                LogActions(session, acted);
                StoreLeases(session, events);
                StoreOrders(session, events);
                try
                {
                    await SaveOverlappingNextLookupAsync(session, ct);
                }
                catch (Exception e) when (ExpectedVersion.ShouldRetry(e, attempt))
                {
                    // Another process appended: a new owner's fencing block, or (one process per database) a lost race.
                    // A former owner never retries: it fails the batch (the write loop drops its book) and steps down.
                    if (!await _ownership.ConfirmAsync(ct))
                    {
                        throw NotOwner();
                    }
                    Rebuild();
                    await ExpectedVersion.BackOffAsync(attempt, ct);
                    continue;
                }
                _version++;
                Interlocked.Exchange(ref _committedVersion, _version);
                _ordersSinceSnapshot += events.Count(e => e is OfferListed or BidPlaced);
                if (_snapshotWrite.IsCompleted && _options.SnapshotEveryBlocks > 0
                    && (_version - _snapshotVersion >= _options.SnapshotEveryBlocks
                        || (_options.SnapshotEveryOrders > 0 && _ordersSinceSnapshot >= _options.SnapshotEveryOrders)))
                {
                    _ordersSinceSnapshot = 0;
                    var snapshot = _book.Snapshot();
                    var version = _version;
                    _snapshotVersion = version;
                    _snapshotWrite = Task.Run(() => StoreSnapshotAsync(snapshot, version, CancellationToken.None), CancellationToken.None);
                }
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
            RecordMetrics(outcomes, started);
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
            if (Interlocked.Read(ref _depthWanted) > 0)
            {
                PublishDepth(batch.Max(p => p.Now));
            }
            return;
        }
    }

    private static void RecordMetrics((OrderResult? Result, Exception? Error)[] outcomes, long started)
    {
        PlatformMetrics.CommitDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        PlatformMetrics.CommandsPerCommit.Record(outcomes.Length);
        if (!PlatformMetrics.Orders.Enabled)
        {
            return;
        }
        long accepted = 0, repeats = 0, rejected = 0;
        foreach (var (result, error) in outcomes)
        {
            if (error is not null)
            {
                rejected++;
            }
            else if (result!.Repeat)
            {
                repeats++;
            }
            else
            {
                accepted++;
            }
        }
        PlatformMetrics.Orders.Add(accepted, PlatformMetrics.Outcome("accepted"));
        PlatformMetrics.Orders.Add(repeats, PlatformMetrics.Outcome("repeat"));
        PlatformMetrics.Orders.Add(rejected, PlatformMetrics.Outcome("rejected"));
    }

    /// <summary>
    /// The stored documents of the batch's orders that are not live in memory, in one query by document id: a finished
    /// order's repeat is still a repeat, a reuse of its id still <c>id-reused</c>.
    /// </summary>
    private async Task LoadNotLiveAsync(IQuerySession session, List<Pending> batch, CancellationToken ct)
    {
        _notLive.Clear();
        if (NotLiveIds(batch) is not { } ids)
        {
            return;
        }
        foreach (var doc in await session.LoadManyAsync<OrderDocument>(ct, ids.Select(id => OrderDocument.IdOf(id.Party, id.OrderId)).Distinct(StringComparer.Ordinal)))
        {
            _notLive.Add(doc.Order);
        }
    }

    /// <summary>The (party, order id) pairs of a batch that are not live in the book now (null when none).</summary>
    private List<(string Party, string OrderId)>? NotLiveIds(List<Pending> batch)
    {
        List<(string, string)>? ids = null;
        foreach (var p in batch)
        {
            if (!string.IsNullOrWhiteSpace(p.OrderId) && _book.Bid(p.Party, p.OrderId) is null && _book.Offer(p.Party, p.OrderId) is null)
            {
                (ids ??= []).Add((p.Party, p.OrderId));
            }
        }
        return ids;
    }

    /// <summary>True when the market journal holds events this writer has not applied (another process appended).</summary>
    private async Task<bool> JournalMovedAsync(IQuerySession session, CancellationToken ct)
    {
        var state = await session.Events.FetchStreamStateAsync(MartenSetup.Streams.Market, ct);
        return (state?.Version ?? 0) != _version;
    }

    /// <summary>
    /// How long PostgreSQL lets a writer's transaction sit idle between its statements before it ends the session. A
    /// process frozen (SIGSTOP, a VM pause) inside its append keeps the market stream's row lock while its connection
    /// stays open, and the next owner's fencing block would wait on that lock until the thaw; PostgreSQL ends the frozen
    /// session after this long, rolls its block back and frees the lock (ADR 0030). The writer's own transactions never
    /// idle this long: everything is decided before the transaction begins. Set per transaction (<c>set local</c>), so
    /// no other transaction — a period's close computing between its reads and its append, the async daemon's leader
    /// lock — is cut short.
    /// </summary>
    public static readonly TimeSpan IdleInTransactionLimit = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Puts <see cref="IdleInTransactionLimit"/> in force for the writer's transaction: the <c>set local</c> travels in the
    /// save's own batch (no round trip of its own), so it holds from the batch's execution to the commit — the span in
    /// which a frozen process would leave the transaction idle with the stream's row locked.
    /// </summary>
    private static void LimitIdleInTransaction(IDocumentSession session) =>
        session.QueueSqlCommand($"set local idle_in_transaction_session_timeout = {(long)IdleInTransactionLimit.TotalMilliseconds}");

    /// <summary>
    /// Throws <see cref="NotOwner"/> unless this process may append to the journal now (an owner whose heartbeat came late
    /// renews first: <see cref="Cluster.IMarketOwnership.EnsureMayWriteAsync"/>).
    /// </summary>
    private async ValueTask RefuseUnlessOwnerAsync(CancellationToken ct)
    {
        if (!await _ownership.EnsureMayWriteAsync(ct))
        {
            throw NotOwner();
        }
    }

    /// <summary>The rejection of a command reaching a host that does not own the market (HTTP 503 with Retry-After; ADR 0030).</summary>
    public static Domain.RejectedException NotOwner() => Domain.RejectedException.Of(Domain.Codes.MarketOwnerUnavailable,
        "this host does not own the market now (a takeover may be under way): repeat the command with the same order id after the Retry-After seconds");

    /// <summary>
    /// Fences the journal for a host that has just taken the market's lease (ADR 0030): catches the book up with the journal
    /// (the latest snapshot and the tail) and appends an empty journal block with the expected version, so any former
    /// owner's append still pending fails on that version. Returns the block's journal version. Runs between batches (the
    /// writer's gate); a lost race (the former owner's last batch landed first) catches up and appends again. The block
    /// names the host and the lease's epoch in its headers, and logs no action (no command was accepted).
    /// </summary>
    public async Task<long> FenceAsync(string host, long epoch, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                await using var session = _store.LightweightSession();
                await CatchUpAsync(session, ct);
                _current = true;
                if (!_ownership.HoldsLease)
                {
                    throw NotOwner();
                }
                LimitIdleInTransaction(session);
                ExpectedVersion.Append(session, MartenSetup.Streams.Market, _version, [new MarketEventsJournaled([])]);
                var marker = session.PendingChanges.Streams().Single(s => s.Key == MartenSetup.Streams.Market).Events[^1];
                marker.SetHeader(Actions.ActionLog.ActorsHeader, new Dictionary<string, List<string>>());
                marker.SetHeader(FenceOwnerHeader, host);
                marker.SetHeader(FenceEpochHeader, epoch);
                try
                {
                    await session.SaveChangesAsync(ct);
                }
                catch (Exception e) when (ExpectedVersion.ShouldRetry(e, attempt))
                {
                    _current = false;
                    await ExpectedVersion.BackOffAsync(attempt, ct);
                    continue;
                }
                _version++;
                Interlocked.Exchange(ref _committedVersion, _version);
                return _version;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Headers of a fencing block: the host that took the market, and the lease's epoch.</summary>
    public const string FenceOwnerHeader = "market-owner", FenceEpochHeader = "market-epoch";

    /// <summary>
    /// Steps down from owning the market (lease lost, or a graceful stop): waits for the batch being written, then drops the
    /// book (its memory is freed; a read of the book rebuilds it from the journal).
    /// </summary>
    public async Task StepDownAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            Rebuild();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Drops the book; the next catch-up restores the latest snapshot and replays the journal after it.</summary>
    private void Rebuild()
    {
        DiscardNextLookup();
        _depth = null;
        _book = NewBook();
        _version = 0;
        _current = false;
        _restored = false;
    }

    private async Task CatchUpAsync(IQuerySession session, CancellationToken ct)
    {
        if (_restored)
        {
            await ReplayAsync(session, null, ct);
            return;
        }
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        // The order documents are written by SQL of the writer's own (StoreOrders): their table must exist first.
        if (!_tablesEnsured)
        {
            await session.Database.EnsureStorageExistsAsync(typeof(OrderDocument), ct);
            await MarketSnapshotTable.EnsureAsync(session, ct);
            _tablesEnsured = true;
        }
        _tailReadTicks = 0;
        var fromSnapshot = await RestoreAsync(session, ct);
        var restoredAt = System.Diagnostics.Stopwatch.GetTimestamp();
        var fromVersion = _version;
        // Without a snapshot — a new market, or a journal written before snapshots — the whole journal is replayed and
        // its orders' documents are written as they are met (older journals gain them once), then a snapshot is taken,
        // so this happens once: every later start restores a snapshot.
        var backfill = fromSnapshot ? null : new List<OrderDocument>();
        await ReplayAsync(session, backfill, ct);
        if (backfill is not null)
        {
            backfill.AddRange(_book.Bids.Select(b => OrderDocument.Of(b.ToRecord())));
            backfill.AddRange(_book.Offers.Select(o => OrderDocument.Of(o.ToRecord())));
            await StoreBackfillAsync(backfill, ct);
            await StoreSnapshotAsync(_book.Snapshot(), _version, ct);
            _snapshotVersion = _version;
        }
        _restored = true;
        _started = true;
        LastRebuild = (fromSnapshot, fromVersion, _version - fromVersion, System.Diagnostics.Stopwatch.GetElapsedTime(started, restoredAt),
            System.Diagnostics.Stopwatch.GetElapsedTime(started), TimeSpan.FromTicks(_tailReadTicks));
    }

    /// <summary>Replays the journal after the book's version, a page of blocks at a time; returns the blocks replayed.</summary>
    private async Task<long> ReplayAsync(IQuerySession session, List<OrderDocument>? backfill, CancellationToken ct)
    {
        if (backfill is not null)
        {
            _book.Departed = r => backfill.Add(OrderDocument.Of(r));
        }
        long replayed = 0;
        try
        {
            var reading = System.Diagnostics.Stopwatch.GetTimestamp();
            var next = ReadBlocksAsync(_version, ct);
            while (true)
            {
                var page = await next;
                _tailReadTicks += System.Diagnostics.Stopwatch.GetElapsedTime(reading).Ticks;
                if (page is null)
                {
                    // Not all blocks (a journal of single events written before blocks): Marten reads this page.
                    var stored = await session.Events.FetchStreamAsync(MartenSetup.Streams.Market, version: _version + BlockPage,
                        fromVersion: _version + 1, token: ct);
                    page = stored.Where(entry => entry.Version > _version).Select(entry => (entry.Version, MarketJournal.EventsOf(entry).ToList())).ToList();
                }
                else if (page.Count == BlockPage)
                {
                    // The next page is read and deserialised while this one is applied.
                    next = ReadBlocksAsync(page[^1].Version, ct);
                }
                reading = System.Diagnostics.Stopwatch.GetTimestamp();
                foreach (var (version, events) in page)
                {
                    foreach (var e in events)
                    {
                        _book.Evolve(e);
                    }
                    _version = version;
                }
                replayed += page.Count;
                if (backfill is { Count: >= 10_000 })
                {
                    await StoreBackfillAsync(backfill, ct);
                }
                if (page.Count < BlockPage)
                {
                    return replayed;
                }
                if (next.IsCompleted)
                {
                    reading = System.Diagnostics.Stopwatch.GetTimestamp();
                }
                else
                {
                    next = ReadBlocksAsync(_version, ct);
                }
            }
        }
        finally
        {
            _book.Departed = null;
        }
    }

    /// <summary>Journal blocks read per query while replaying (a long tail is never held whole in memory).</summary>
    private const int BlockPage = 50;

    /// <summary>
    /// The journal entries after version <paramref name="after"/>, up to <see cref="BlockPage"/> of them, their JSON
    /// deserialised in parallel (the serialiser, not the query, is most of a replay's cost); null when one of them is not
    /// a block (journals written before blocks: Marten reads those).
    /// </summary>
    private async Task<List<(long Version, List<IMarketEvent> Events)>?> ReadBlocksAsync(long after, CancellationToken ct)
    {
        var rows = new List<(long Version, string Type, byte[] Data)>(BlockPage);
        await using (var connection = _store.Storage.Database.CreateConnection())
        {
            await connection.OpenAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = $"select version, type, convert_to(data::text, 'UTF8') from \"{_store.Options.Events.DatabaseSchemaName}\".mt_events "
                + "where stream_id = $1 and version > $2 and version <= $3 order by version";
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = MartenSetup.Streams.Market });
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = after });
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = after + BlockPage });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add((reader.GetInt64(0), reader.GetString(1), await reader.GetFieldValueAsync<byte[]>(2, ct)));
            }
        }
        if (rows.Any(r => r.Type != BlockType))
        {
            return null;
        }
        var parsing = System.Diagnostics.Stopwatch.GetTimestamp();
        var blocks = new List<IMarketEvent>[rows.Count];
        await Task.Run(() => Parallel.For(0, rows.Count, i =>
            blocks[i] = [.. System.Text.Json.JsonSerializer.Deserialize<MarketEventsJournaled>(rows[i].Data, MarketJournal.JsonOptions)!.Events]), ct);
        Interlocked.Add(ref _parseTicks, System.Diagnostics.Stopwatch.GetElapsedTime(parsing).Ticks);
        return rows.Select((r, i) => (r.Version, blocks[i])).ToList();
    }

    /// <summary>The event store's name for a journal block (Marten's default for <see cref="MarketEventsJournaled"/>; any other name is read through Marten).</summary>
    private const string BlockType = "market_events_journaled";

    /// <summary>Upserts order documents met while replaying a journal that had no snapshot.</summary>
    private async Task StoreBackfillAsync(List<OrderDocument> docs, CancellationToken ct)
    {
        if (docs.Count == 0)
        {
            return;
        }
        await using var session = _store.LightweightSession();
        session.Store(docs.ToArray());
        await session.SaveChangesAsync(ct);
        docs.Clear();
    }

    /// <summary>Loads the latest snapshot into a new book; false (book unchanged) when there is none or it is incomplete.</summary>
    private async Task<bool> RestoreAsync(IQuerySession session, CancellationToken ct)
    {
        var head = await session.LoadAsync<MarketSnapshot>(MarketSnapshot.TheId, ct);
        if (head is null || head.Version > ((await session.Events.FetchStreamStateAsync(MartenSetup.Streams.Market, ct))?.Version ?? 0))
        {
            // None, or one ahead of the journal (the journal was reset under it): replay the journal instead.
            return false;
        }
        if (head.Format < MarketSnapshot.CurrentFormat)
        {
            // Taken before exposures were kept (or before compact chunks): replay the journal instead, once.
            return false;
        }
        // Compact chunks (the resting state of each live order), decoded in parallel.
        var data = await MarketSnapshotTable.LoadAsync(session, head.Version, ct);
        if (data.Count != head.Chunks)
        {
            return false;
        }
        var decoded = new List<SnapshotOrder>[data.Count];
        Parallel.For(0, data.Count, i => decoded[i] = SnapshotCodec.Decode(data[i]));
        var orders = new List<SnapshotOrder>(head.Orders);
        foreach (var chunk in decoded)
        {
            orders.AddRange(chunk);
        }
        _book = OrderBook.Restore(new BookSnapshot(head.LastSeq, head.LastTradeSeq, head.Clock, head.Parties, head.Cities, head.Clusters, orders,
            head.Exposure), _options.MaxLiveOrders);
        _version = head.Version;
        _snapshotVersion = Math.Max(_snapshotVersion, head.Version);
        _ordersSinceSnapshot = 0;
        return true;
    }

    /// <summary>
    /// Writes a snapshot of the live book at journal <paramref name="version"/>: its chunks and then its head, in one
    /// transaction that also deletes older snapshots' chunks. Only a cache of the journal: a snapshot never written is
    /// taken again later.
    /// </summary>
    private async Task StoreSnapshotAsync(BookSnapshot snapshot, long version, CancellationToken ct)
    {
        var chunks = snapshot.Orders.Chunk(SnapshotChunkOrders).Select(c => (c.Length, SnapshotCodec.Encode(c))).ToList();
        await using var session = _store.LightweightSession();
        MarketSnapshotTable.Store(session, version, chunks);
        // Chunk documents of snapshots written before compact chunks.
        session.DeleteWhere<MarketSnapshotChunk>(_ => true);
        session.Store(new MarketSnapshot
        {
            Format = MarketSnapshot.CurrentFormat,
            Version = version, LastSeq = snapshot.LastSeq, LastTradeSeq = snapshot.LastTradeSeq, Clock = snapshot.Clock,
            Parties = [.. snapshot.Parties], Cities = [.. snapshot.Cities], Clusters = [.. snapshot.Clusters], Orders = snapshot.Orders.Count,
            Chunks = chunks.Count, Exposure = new Dictionary<string, long>(snapshot.Exposure ?? new Dictionary<string, long>(), StringComparer.Ordinal),
        });
        await session.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Each trade's lease document, inserted in the trade's transaction (an insert: a lease id is booked once). The
    /// document is a read model of <see cref="TradeExecuted"/> in the market journal, which stays the source of truth.
    /// </summary>
    /// <summary>
    /// Who did what: the block event carries each acting key's orders (header <c>actors</c>), and each command that appended
    /// events gets its row in the action log — in the block's transaction (one statement), so only a durable block is logged.
    /// </summary>
    private static void LogActions(IDocumentSession session, List<(Actions.Actor, string, string, Instant, IReadOnlyList<IMarketEvent>)> acted)
    {
        var (rows, header) = Actions.ActionLog.OfMarketBlock(acted);
        session.PendingChanges.Streams().Single(s => s.Key == MartenSetup.Streams.Market).Events[^1].SetHeader(Actions.ActionLog.ActorsHeader, header);
        Actions.ActionLog.Insert(session, rows);
    }

    /// <summary>
    /// The lease document of each trade of the block, inserted in <b>one statement</b> (a JSON array of documents, as
    /// <see cref="StoreOrders"/>): a lease id is new by construction, so a second insert of one fails the block on the
    /// primary key, as Marten's own insert would.
    /// </summary>
    private void StoreLeases(IDocumentSession session, IReadOnlyList<IMarketEvent> events)
    {
        List<LeaseDocument>? leases = null;
        foreach (var e in events)
        {
            if (e is TradeExecuted t)
            {
                (leases ??= []).Add(LeaseDocument.Of(t));
            }
        }
        if (leases is not null)
        {
            session.QueueSqlCommand(_leaseInsert, _store.Options.Serializer().ToJson(leases));
        }
    }

    private string _leaseInsert => field ??= $"""
        insert into {_store.Options.DatabaseSchemaName}.mt_doc_leasedocument (id, data, mt_dotnet_type, mt_version, mt_last_modified)
        select e ->> 'id', e, '{typeof(LeaseDocument).FullName}', md5(random()::text || clock_timestamp()::text)::uuid, transaction_timestamp()
        from jsonb_array_elements(?::jsonb) as e
        """;

    /// <summary>
    /// The document of each order the block placed or changed (fills, kills, cancels, reduces), with its state after the
    /// block — from the book, or for one that left it during the batch, from what was remembered when it left — written
    /// in <b>one statement</b> (an upsert of a JSON array of documents), so a block of a thousand orders costs one
    /// statement, not a thousand.
    /// </summary>
    private void StoreOrders(IDocumentSession session, IReadOnlyList<IMarketEvent> events)
    {
        var touched = new HashSet<(string Party, string Id)>();
        var docs = new List<OrderDocument>();
        void Touch(string party, string id)
        {
            if (touched.Add((party, id)))
            {
                docs.Add(OrderDocument.Of(RecordOf(party, id)));
            }
        }
        foreach (var e in events)
        {
            switch (e)
            {
                case OfferListed o: Touch(o.Party, o.OfferId); break;
                case BidPlaced b: Touch(b.Party, b.BidId); break;
                case TradeExecuted t: Touch(t.Terms.Buyer, t.Terms.BidId); Touch(t.Terms.Provider, t.Terms.OfferId); break;
                case BidKilled k: Touch(k.Party, k.BidId); break;
                case OrderCancelled c: Touch(c.Party, c.OrderId); break;
                case OrderReduced r: Touch(r.Party, r.OrderId); break;
            }
        }
        if (docs.Count > 0)
        {
            session.QueueSqlCommand(_orderUpsert, _store.Options.Serializer().ToJson(docs));
        }
    }

    /// <summary>
    /// Inserts or replaces order documents given as one JSON array parameter (Marten's table and serialiser; the
    /// computed indexes follow the data).
    /// </summary>
    private string _orderUpsert => field ??= $"""
        insert into {_store.Options.DatabaseSchemaName}.mt_doc_orderdocument as d (id, data, mt_dotnet_type, mt_version, mt_last_modified)
        select e ->> 'id', e, '{typeof(OrderDocument).FullName}', md5(random()::text || clock_timestamp()::text)::uuid, transaction_timestamp()
        from jsonb_array_elements(?::jsonb) as e
        on conflict (id) do update set data = excluded.data, mt_version = excluded.mt_version, mt_last_modified = excluded.mt_last_modified
        """;

    private OrderRecord RecordOf(string party, string orderId) =>
        _book.Bid(party, orderId)?.ToRecord() ?? _book.Offer(party, orderId)?.ToRecord() ?? _notLive.Find(party, orderId)
        ?? throw new InvalidOperationException($"order {party}/{orderId} is neither in the book nor remembered after its decision");

    private OrderResult ResultOf(string party, string orderId, Instant now, bool repeat)
    {
        if (_book.Bid(party, orderId) is { } bid)
        {
            return new OrderResult(bid.Id, bid.Party, "bid", MarketSlugs.Of(bid.StateAt(now)), bid.Devices, bid.Filled, repeat, bid.LeasesAtPlacement.ToList());
        }
        if (_book.Offer(party, orderId) is { } offer)
        {
            return new OrderResult(offer.Id, offer.Party, "offer", MarketSlugs.Of(offer.StateAt(now)), offer.Devices, offer.MostLeased, repeat,
                offer.LeasesAtPlacement.ToList());
        }
        if (_notLive.Find(party, orderId) is { } done)
        {
            return new OrderResult(done.Id, done.Party, MarketSlugs.Of(done.Side), MarketSlugs.Of(done.StateAt(now)), done.Devices, done.Filled, repeat,
                done.LeasesAtPlacement.ToList());
        }
        throw new InvalidOperationException($"order {party}/{orderId} is not in the book after its decision");
    }
}
