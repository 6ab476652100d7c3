using JasperFx;
using JasperFx.Events.Daemon;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ComputeNet.Application.Infrastructure;

/// <summary>
/// Restarts an async projection shard of this host's daemon that no longer advances (ADR 0031, "after a failover"): a shard
/// paused by errors (Marten leaves it paused until someone restarts it), or one that runs but has not moved for
/// <see cref="StuckFor"/> while events wait beyond it — after an asynchronous standby's promotion, a shard's position in
/// memory can be ahead of its progress row on the new primary, and every batch it writes is then refused. A restart reads
/// the position again from the database. Only the shards this host runs are touched (the daemon's leader runs them all).
/// </summary>
public sealed class ProjectionWatchdog(Marten.Events.Daemon.Coordination.IProjectionCoordinator coordinator, ILogger<ProjectionWatchdog> log) : BackgroundService
{
    /// <summary>How often the shards are looked at.</summary>
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(2);

    /// <summary>How long a running shard may stay behind without moving before it is restarted.</summary>
    public static readonly TimeSpan StuckFor = TimeSpan.FromSeconds(15);

    /// <summary>How long a paused shard is left to Marten's own retries first.</summary>
    public static readonly TimeSpan PausedFor = TimeSpan.FromSeconds(3);

    private readonly Dictionary<string, (long Position, DateTimeOffset Since)> _seen = new(StringComparer.Ordinal);

    /// <summary>Shards restarted so far (shown by tests and logs).</summary>
    public int Restarts { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CheckAsync(DateTimeOffset.UtcNow, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(e, "the projection watchdog could not check the daemon's shards");
            }
        }
    }

    private async Task CheckAsync(DateTimeOffset now, CancellationToken ct)
    {
        var daemon = coordinator.DaemonForMainDatabase();
        foreach (var agent in daemon.CurrentAgents())
        {
            var shard = agent.Name.Identity;
            if (agent.Status == AgentStatus.Paused && agent.PausedTime is { } paused && now - paused >= PausedFor)
            {
                log.LogWarning("restarting async projection shard {Shard}, paused since {Paused} at event {Position}", shard, paused, agent.Position);
                daemon.EjectPausedShard(shard);
                await daemon.StartAgentAsync(shard, ct);
                _seen.Remove(shard);
                Restarts++;
                continue;
            }
            if (agent.Status != AgentStatus.Running || agent.Position >= agent.HighWaterMark)
            {
                _seen.Remove(shard);
                continue;
            }
            if (!_seen.TryGetValue(shard, out var last) || last.Position != agent.Position)
            {
                _seen[shard] = (agent.Position, now);
                continue;
            }
            if (now - last.Since >= StuckFor)
            {
                log.LogWarning("restarting async projection shard {Shard}: at event {Position} for {Seconds:0} s with events up to {HighWater} waiting",
                    shard, agent.Position, (now - last.Since).TotalSeconds, agent.HighWaterMark);
                await daemon.StopAgentAsync(shard, new TimeoutException($"no progress for {(now - last.Since).TotalSeconds:0} s"));
                await daemon.StartAgentAsync(shard, ct);
                _seen.Remove(shard);
                Restarts++;
            }
        }
    }
}
