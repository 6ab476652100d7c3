using ComputeNet.Application;
using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Market;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace ComputeNet.Api.Hosting;

/// <summary>
/// <c>/health/live</c>: the process answers (no check runs). <c>/health/ready</c>: the database answers, the market writer
/// runs, and the async read models are at most <see cref="HealthSettings.MaxProjectionLagEvents"/> events behind the event
/// store. Both unauthenticated, never rate-limited, and cheap: readiness is three one-row reads. A 503 from
/// <c>/health/ready</c> takes the host out of a load balancer; a failing <c>/health/live</c> is a restart.
/// </summary>
public static class Health
{
    public const string Ready = "ready";

    public static IServiceCollection AddApiHealthChecks(this IServiceCollection services, HealthSettings settings)
    {
        services.AddSingleton(settings);
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [Ready])
            .AddCheck<MarketWriterHealthCheck>("market-writer", tags: [Ready])
            .AddCheck<MarketOwnershipHealthCheck>("market-ownership", tags: [Ready])
            .AddCheck<ReadModelsHealthCheck>("read-models", tags: [Ready]);
        return services;
    }

    public static IEndpointRouteBuilder MapApiHealth(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/health").AllowAnonymous().WithTags("Operations")
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                // No bearer key: an empty requirement list overrides the document's default security.
                operation.Security = [];
                return Task.CompletedTask;
            });
        g.MapGet("/live", () => Results.Json(new HealthView("healthy", new Dictionary<string, HealthCheckView>())))
            .WithName("HealthLive").WithSummary("The process is up (no check runs): 200; a failure here calls for a restart")
            .Produces<HealthView>();
        g.MapGet("/ready", async (HealthCheckService checks, CancellationToken ct) =>
            {
                var report = await checks.CheckHealthAsync(c => c.Tags.Contains(Ready), ct);
                var view = new HealthView(Slug(report.Status),
                    report.Entries.ToDictionary(e => e.Key, e => new HealthCheckView(Slug(e.Value.Status), e.Value.Description)));
                return Results.Json(view, statusCode: report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
            })
            .WithName("HealthReady")
            .WithSummary("Ready for traffic: the database answers, the market writer runs, the async read models are caught up within the bound; 503 otherwise")
            .Produces<HealthView>().Produces<HealthView>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static string Slug(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}

/// <summary>A health answer: <c>healthy</c>, <c>degraded</c> or <c>unhealthy</c>, and each check's.</summary>
public sealed record HealthView(string Status, IReadOnlyDictionary<string, HealthCheckView> Checks);

public sealed record HealthCheckView(string Status, string? Description);

/// <summary>Configuration <c>ComputeNet:Health:…</c>.</summary>
public sealed record HealthSettings
{
    public const string Section = "ComputeNet:Health";

    /// <summary>How many events the least advanced async read model may be behind the event store and the host still be ready.</summary>
    public long MaxProjectionLagEvents { get; init; } = 10_000;

    public static HealthSettings From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<HealthSettings>() ?? new HealthSettings();
}

internal sealed class DatabaseHealthCheck(ComputeNetSettings settings) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var connection = new NpgsqlConnection(settings.ConnectionString);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("select 1", connection);
            await command.ExecuteScalarAsync(ct);
            return HealthCheckResult.Healthy("PostgreSQL answers");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL does not answer: {e.Message}");
        }
    }
}

internal sealed class MarketWriterHealthCheck(MarketService market) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(market.WriterRunning
            ? HealthCheckResult.Healthy("the market writer runs")
            : HealthCheckResult.Unhealthy("the market writer has stopped: orders cannot be accepted"));
}

/// <summary>
/// Who owns the market, as a description only: a host that does not own it is ready all the same (it answers reads and
/// forwards order commands to the owner; ADR 0030).
/// </summary>
internal sealed class MarketOwnershipHealthCheck(Application.Cluster.IMarketOwnership ownership) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(HealthCheckResult.Healthy(ownership switch
        {
            Application.Cluster.MarketLease { MayWrite: true } lease => $"host {lease.HostId} owns market '{lease.Market}' (epoch {lease.Epoch})",
            Application.Cluster.MarketLease { State: Application.Cluster.OwnershipState.Taking } lease =>
                $"host {lease.HostId} is taking market '{lease.Market}' over (epoch {lease.Epoch}): fencing the journal",
            Application.Cluster.MarketLease { KnownOwner: { Live: true } owner } lease =>
                $"host {lease.HostId} forwards order commands to the owner of market '{lease.Market}', {owner.Host} at {owner.Address} (epoch {owner.Epoch})",
            Application.Cluster.MarketLease lease => $"host {lease.HostId}: no host owns market '{lease.Market}' now (a takeover is due)",
            _ => "no cluster: this host is the market's only writer",
        }));
}

internal sealed class ReadModelsHealthCheck(AsyncReadModels readModels, HealthSettings settings) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var lag = Math.Max(0, await readModels.HighestSequenceAsync(ct) - await readModels.LowestProgressAsync(ct));
            var how = readModels.Hosted ? "the async daemon" : "readers catching up inline (no daemon in this host)";
            return lag <= settings.MaxProjectionLagEvents || !readModels.Hosted
                ? HealthCheckResult.Healthy($"async read models {lag} events behind ({how})")
                : HealthCheckResult.Unhealthy($"async read models {lag} events behind, more than {settings.MaxProjectionLagEvents} ({how})");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"the read models' progress cannot be read: {e.Message}");
        }
    }
}
