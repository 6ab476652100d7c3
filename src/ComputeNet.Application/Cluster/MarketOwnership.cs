using System.Diagnostics;
using ComputeNet.Application.Market;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ComputeNet.Application.Cluster;

/// <summary>
/// Keeps this host's part in the market's ownership (ADR 0030), run by <c>serve</c> as a hosted service. A host that owns
/// nothing tries to take the lease every <see cref="ClusterSettings.TakeoverPollMs"/> (it succeeds only once the lease has
/// expired, or was released); a host that took it fences the journal — catches the book up and appends an empty journal
/// block with the expected version (<see cref="MarketService.FenceAsync"/>) — before it answers any command, while it
/// renews the lease every <see cref="ClusterSettings.HeartbeatMs"/>. A renewal that finds the lease lost steps the host
/// down (its writer drops the book). A graceful stop waits for the batch being written, then releases the lease, so
/// another host takes the market at its next poll.
/// </summary>
public sealed class MarketOwnership(MarketLease lease, MarketService market, ILogger<MarketOwnership> log) : BackgroundService
{
    private Task _fencing = Task.CompletedTask;

    /// <summary>The last takeover by this host: epoch, journal version of its fencing block, and how long taking and fencing took.</summary>
    public (long Epoch, long Version, TimeSpan Took)? LastTakeover { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        await lease.AddressAsync(stop);
        var nextHostBeat = 0L;
        while (!stop.IsCancellationRequested)
        {
            var delay = lease.Settings.TakeoverPollMs;
            try
            {
                if (Stopwatch.GetTimestamp() >= nextHostBeat)
                {
                    await lease.HeartbeatHostAsync(stop);
                    nextHostBeat = Stopwatch.GetTimestamp() + lease.Settings.HeartbeatMs * Stopwatch.Frequency / 1000;
                }
                if (lease.State == OwnershipState.Following)
                {
                    var started = Stopwatch.GetTimestamp();
                    if (await lease.TryTakeAsync(stop) is { } epoch)
                    {
                        log.LogInformation("host {Host} took market {Market} at epoch {Epoch}; fencing the journal", lease.HostId, lease.Market, epoch);
                        _fencing = FenceAsync(epoch, started, stop);
                        delay = lease.Settings.HeartbeatMs;
                    }
                }
                else
                {
                    delay = lease.Settings.HeartbeatMs;
                    if (!await lease.RenewAsync(stop))
                    {
                        log.LogWarning("host {Host} lost market {Market} (epoch {Epoch}): stepping down", lease.HostId, lease.Market, lease.Epoch);
                        await market.StepDownAsync(stop);
                        delay = lease.Settings.TakeoverPollMs;
                    }
                }
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                // The database did not answer: the local deadline stops writes once the lease may have lapsed.
                log.LogWarning(e, "market ownership: the lease could not be read or renewed");
                if (lease.State != OwnershipState.Following && !lease.HoldsLease)
                {
                    lease.StepDown();
                    await market.StepDownAsync(stop);
                }
            }
            try
            {
                await Task.Delay(delay, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task FenceAsync(long epoch, long started, CancellationToken stop)
    {
        try
        {
            var version = await market.FenceAsync(lease.HostId, epoch, stop);
            if (lease.BecomeOwner(epoch))
            {
                var took = Stopwatch.GetElapsedTime(started);
                LastTakeover = (epoch, version, took);
                log.LogInformation("host {Host} owns market {Market} at epoch {Epoch}: fenced at journal version {Version} in {Ms} ms",
                    lease.HostId, lease.Market, epoch, version, (long)took.TotalMilliseconds);
                await lease.RecordTakeoverAsync(epoch, version, stop);
            }
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            log.LogWarning(e, "host {Host} could not fence market {Market} at epoch {Epoch}: stepping down", lease.HostId, lease.Market, epoch);
            lease.StepDown();
            await market.StepDownAsync(CancellationToken.None);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await _fencing;
        }
        catch (OperationCanceledException)
        {
        }
        if (lease.State != OwnershipState.Following)
        {
            var epoch = lease.Epoch;
            // No new batch starts; the one being written finishes (or fails on the deadline) before the lease is released.
            lease.StepDown();
            await market.StepDownAsync(cancellationToken);
            await lease.ReleaseAsync(epoch, cancellationToken);
            log.LogInformation("host {Host} released market {Market} (epoch {Epoch})", lease.HostId, lease.Market, epoch);
        }
    }
}
