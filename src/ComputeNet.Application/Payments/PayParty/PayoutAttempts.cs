using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Ledger.RecordCash;
using ComputeNet.Application.Parties;
using ComputeNet.Domain;
using ComputeNet.Domain.Ledger;
using ComputeNet.Domain.Payments;
using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace ComputeNet.Application.Payments.PayParty;

/// <summary>
/// The transfer of a recorded payout, exactly once (issue 13, "payouts exactly once"). <see cref="PayoutRequested"/> is
/// the outbox entry: written before any call, it reserves the amount. An attempt then
/// <list type="number">
/// <item>takes the payout's <b>attempt lock</b> (a session-level advisory lock: one attempt at a time across hosts, released
/// by PostgreSQL if the host dies), and reads the payout again — another attempt may have finished it;</item>
/// <item>calls the provider under the payout's idempotency key, on the platform's time (cancelled only when the host stops,
/// never because a client went away) and only inside the provider's idempotency window;</item>
/// <item>posts the cash payout (its own reservation excepted) and records the outcome.</item>
/// </list>
/// An attempt whose outcome is unknown (no answer: network, timeout, host stopping, crash) records nothing: the payout stays
/// <c>requested</c> and <see cref="PayoutOutbox"/> attempts it again under the same key, so the provider replays the first
/// transfer instead of making a second. The cash posting is idempotent by its id (<see cref="PaymentsBook.PayoutCashId"/>),
/// so an attempt that dies between the posting and the outcome is finished the same way.
/// </summary>
public sealed class PayoutAttempts(IDocumentStore store, PartyDirectory parties, IPaymentGateway gateway, IClock clock, ILogger<PayoutAttempts>? logger = null)
    : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>The lock a payee's payout decisions and bank payouts share (each must see the other's effect on the balance).</summary>
    public static string PayeeLock(string party) => "computenet-payee:" + party;

    private static string AttemptLock(string payoutId) => "computenet-payout-attempt:" + payoutId;

    /// <summary>
    /// Attempts <paramref name="payoutId"/>'s transfer if it is still to be made (<c>requested</c>; with
    /// <paramref name="retry"/> also <c>failed</c>) and answers the payout as it then is. With <paramref name="wait"/> false, a
    /// payout another attempt holds is answered as it is, without waiting.
    /// </summary>
    public async Task<PayoutView> AttemptAsync(string party, string payoutId, bool retry, bool wait = true)
    {
        var ct = _stopping.Token;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        var key = Decider.LockKey(AttemptLock(payoutId), store.Options.DatabaseSchemaName);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = wait ? "select pg_advisory_lock(@key), true" : "select true, pg_try_advisory_lock(@key)";
            command.Parameters.Add(new Npgsql.NpgsqlParameter("key", key));
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            if (!reader.GetBoolean(1))
            {
                return PayoutView.Of((await ReadAsync(party, payoutId, ct))!, repeat: false);
            }
        }
        try
        {
            var payout = await ReadAsync(party, payoutId, ct) ?? throw RejectedException.Of(Codes.UnknownPayout, $"no payout '{payoutId}'", "payoutId");
            if (!(payout.Status == "requested" || (retry && payout.Status == "failed")))
            {
                return PayoutView.Of(payout, repeat: false);
            }
            if (clock.GetCurrentInstant() - payout.Requested.At > PaymentsBook.IdempotencyWindow)
            {
                // A second transfer could follow a first one whose key the provider no longer remembers: reconcile by hand.
                logger?.LogWarning("payout {PayoutId} is beyond the provider's idempotency window unfinished; reconcile it", payoutId);
                return PayoutView.Of(payout, repeat: false);
            }
            return await TransferAsync(payout, ct);
        }
        finally
        {
            await using var unlock = connection.CreateCommand();
            unlock.CommandText = "select pg_advisory_unlock(@key)";
            unlock.Parameters.Add(new Npgsql.NpgsqlParameter("key", key));
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private async Task<PayoutState?> ReadAsync(string party, string payoutId, CancellationToken ct) =>
        (await PaymentProjections.ReadPayeeAsync(store, party, ct)).Payout(payoutId);

    private async Task<PayoutView> TransferAsync(PayoutState payout, CancellationToken ct)
    {
        var p = payout.Requested;
        object outcome;
        try
        {
            var transfer = await gateway.CreateTransferAsync(new NewTransfer(p.AmountFen, PaymentsBook.Currency, p.Destination,
                new Dictionary<string, string> { [MetadataKeys.PayoutId] = p.PayoutId, [MetadataKeys.Party] = p.Party }, p.IdempotencyKey), ct);
            var cashId = PaymentsBook.PayoutCashId(p.PayoutId);
            // A region's payee is region:{id}: its cash payout names the region with account `region`.
            var region = PaymentsBook.RegionOfPayee(p.Party);
            var cashAccount = region is not null ? CashBook.RegionAccountName : p.Account.StartsWith("carrier:", StringComparison.Ordinal) ? "carrier" : "provider";
            try
            {
                await RecordCashHandler.RecordAsync(store, parties, clock, new RecordCashRequest("payout", cashId, region ?? p.Party, p.AmountFen, cashAccount), ct,
                    exceptPayout: p.PayoutId);
                outcome = new PayoutTransferred(p.PayoutId, transfer.Id, cashId, clock.GetCurrentInstant());
            }
            catch (RejectedException rejected)
            {
                outcome = new PayoutNotPosted(p.PayoutId, transfer.Id, rejected.Rejection.Code, rejected.Rejection.Reason, clock.GetCurrentInstant());
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The host is stopping mid-call: as a crash would, it leaves the outcome to the next host's outbox.
            logger?.LogWarning("payout {PayoutId}: the host stopped during the transfer call; the outbox will attempt it again", p.PayoutId);
            return PayoutView.Of(payout, repeat: false);
        }
        catch (PaymentGatewayException e) when (e.OutcomeUnknown)
        {
            // No answer: the transfer may have been made. Nothing is recorded; the outbox attempts it again under the same key.
            logger?.LogWarning(e, "payout {PayoutId}: no answer from the provider ({Code}); the outbox will attempt it again", p.PayoutId, e.Code);
            return PayoutView.Of(payout, repeat: false);
        }
        catch (PaymentGatewayException e)
        {
            outcome = new PayoutTransferFailed(p.PayoutId, payout.Attempts + 1, e.Code, e.Message, clock.GetCurrentInstant());
        }
        return await Decider.DecideAsync<PayeeStream, PayoutView>(store, PaymentProjections.PayeeStreamOf(p.Party),
            state => state.Book.Payout(p.PayoutId) is { Status: "requested" or "failed" } current
                ? [outcome is PayoutTransferFailed f ? f with { Attempt = current.Attempts + 1 } : outcome]
                : [],
            (state, _) => PayoutView.Of(state.Book.Payout(p.PayoutId)!, repeat: false), ct);
    }

    /// <summary>Cancels attempts in flight: the host is stopping (their outcome is then unknown: the outbox finishes them).</summary>
    public void Stop()
    {
        if (!_disposed)
        {
            _stopping.Cancel();
        }
    }

    private bool _disposed;

    public void Dispose()
    {
        Stop();
        _disposed = true;
        _stopping.Dispose();
    }
}

/// <summary>
/// The outbox worker: finishes payouts (and refunds through the provider, <see cref="RefundThroughStripe.RefundAttempts"/>) whose transfer was recorded but whose outcome is not (a crash, a timeout, a host that
/// stopped mid-call), by attempting them again under their idempotency key — at start and every
/// <see cref="Options.Interval"/>. Reads the <c>requested</c> payouts through the payout documents' status index; skips one
/// that another attempt holds. Runs in <c>serve</c> when a payment provider is configured.
/// </summary>
public sealed class PayoutOutbox(IDocumentStore store, PayoutAttempts attempts, IPaymentGateway gateway, PayoutOutbox.Options options,
    ILogger<PayoutOutbox> logger, RefundThroughStripe.RefundAttempts? refunds = null) : BackgroundService
{
    public sealed record Options(TimeSpan Interval)
    {
        public static readonly Options Default = new(TimeSpan.FromSeconds(30));
    }

    /// <summary>Payouts resumed since start (tools and tests).</summary>
    public long Resumed => Interlocked.Read(ref _resumed);

    private long _resumed;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!gateway.Configured)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(stoppingToken);
                if (refunds is not null)
                {
                    // Refunds through the provider (ADR 0027): the same outbox, a second queue.
                    await refunds.SweepAsync(stoppingToken);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "payout outbox sweep failed; next sweep in {Interval}", options.Interval);
            }
            try
            {
                await Task.Delay(options.Interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Attempts every payout still <c>requested</c> that no other attempt holds; returns how many it attempted.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var done = 0;
        long after = 0;
        while (true)
        {
            IReadOnlyList<PayoutDocument> page;
            await using (var session = store.QuerySession())
            {
                page = await session.Query<PayoutDocument>().Where(d => d.Status == "requested" && d.Order > after).OrderBy(d => d.Order).Take(100).ToListAsync(ct);
            }
            foreach (var d in page)
            {
                var view = await attempts.AttemptAsync(d.Party, d.Id, retry: false, wait: false);
                if (view.Status != "requested")
                {
                    Interlocked.Increment(ref _resumed);
                    logger.LogInformation("payout {PayoutId} resumed by the outbox: {Status}", d.Id, view.Status);
                }
                done++;
            }
            if (page.Count < 100)
            {
                return done;
            }
            after = page[^1].Order;
        }
    }
}
