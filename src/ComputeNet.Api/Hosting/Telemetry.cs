using ComputeNet.Application.Infrastructure;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ComputeNet.Api.Hosting;

/// <summary>
/// Configuration <c>ComputeNet:Metrics:…</c> and <c>ComputeNet:Otlp:…</c> (docs/runbook.md, Telemetry).
/// </summary>
public sealed record TelemetrySettings
{
    /// <summary>
    /// Where <c>/metrics</c> (Prometheus text format) is served. Null (default): on the API's own address, for the
    /// operator key only. A URL (e.g. http://10.0.0.5:9464, a private interface): the host listens there too and serves
    /// <c>/metrics</c> only there, without a key, and not on the API's address.
    /// </summary>
    public string? MetricsUrl { get; init; }

    /// <summary>The OTLP collector (e.g. http://collector:4317); else the standard OTEL_EXPORTER_OTLP_ENDPOINT; else no OTLP export.</summary>
    public string? OtlpEndpoint { get; init; }

    /// <summary>Seconds between refreshes of the unsettled-payouts gauge (one indexed count per status).</summary>
    public int GaugeRefreshSeconds { get; init; } = 15;

    public static TelemetrySettings From(IConfiguration configuration) => new()
    {
        MetricsUrl = configuration["ComputeNet:Metrics:Url"] is { Length: > 0 } url ? url : null,
        OtlpEndpoint = configuration["ComputeNet:Otlp:Endpoint"] is { Length: > 0 } configured ? configured
            : configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 } standard ? standard : null,
        GaugeRefreshSeconds = int.TryParse(configuration["ComputeNet:Metrics:GaugeRefreshSeconds"], out var refresh) ? Math.Max(1, refresh) : 15,
    };
}

/// <summary>
/// OpenTelemetry: traces and metrics of ASP.NET Core, of Npgsql (its own ActivitySource and Meter, both named "Npgsql")
/// and of the platform (<see cref="PlatformMetrics"/>); OTLP export when an endpoint is configured, and a Prometheus
/// scrape endpoint. Logs carry the trace and span ids (the logger's activity tracking), as JSON with scopes in Production.
/// </summary>
public static class Telemetry
{
    public const string ServiceName = "computenet-api";
    public const string NpgsqlSource = "Npgsql";

    public static WebApplicationBuilder AddApiTelemetry(this WebApplicationBuilder builder, TelemetrySettings settings)
    {
        builder.Services.AddSingleton(settings);
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName, serviceVersion: typeof(Telemetry).Assembly.GetName().Version?.ToString()))
            .WithMetrics(m =>
            {
                m.AddAspNetCoreInstrumentation()
                    .AddMeter(PlatformMetrics.MeterName, NpgsqlSource)
                    .AddPrometheusExporter();
                if (settings.OtlpEndpoint is { } endpoint)
                {
                    m.AddOtlpExporter(o => o.Endpoint = new Uri(endpoint));
                }
            });
        if (settings.OtlpEndpoint is { } traceEndpoint)
        {
            // Traces go nowhere without a collector, so without one no spans are recorded at all.
            otel.WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !ApiRateLimiter.Unlimited(http.Request.Path))
                .AddSource(NpgsqlSource)
                .AddOtlpExporter(o => o.Endpoint = new Uri(traceEndpoint)));
        }
        builder.Services.AddHostedService<UnsettledPayoutsGauge>();

        builder.Logging.Configure(o => o.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        if (builder.Environment.IsProduction())
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            });
        }
        return builder;
    }

    /// <summary><c>/metrics</c>: for the operator on the API's address, or keyless on the configured metrics port only.</summary>
    public static WebApplication MapApiMetrics(this WebApplication app, TelemetrySettings settings)
    {
        var endpoint = app.MapPrometheusScrapingEndpoint("/metrics").ExcludeFromDescription();
        if (settings.MetricsUrl is { } url)
        {
            endpoint.RequireHost($"*:{new Uri(url).Port}").AllowAnonymous();
        }
        else
        {
            endpoint.RequireAuthorization(p => p.RequireRole(Role.Operator));
        }
        return app;
    }
}

/// <summary>Refreshes <see cref="PlatformMetrics.UnsettledPayouts"/> from the payout documents (indexed by status) in the background.</summary>
internal sealed class UnsettledPayoutsGauge(Marten.IDocumentStore store, TelemetrySettings settings, ILogger<UnsettledPayoutsGauge> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(settings.GaugeRefreshSeconds));
        do
        {
            try
            {
                await using var session = store.QuerySession();
                var requested = await Marten.QueryableExtensions.CountAsync(
                    session.Query<Application.Payments.PayoutDocument>().Where(p => p.Status == "requested"), ct);
                var failed = await Marten.QueryableExtensions.CountAsync(
                    session.Query<Application.Payments.PayoutDocument>().Where(p => p.Status == "failed"), ct);
                PlatformMetrics.SetUnsettledPayouts(requested, failed);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "the unsettled-payouts gauge could not be refreshed");
            }
        }
        while (await timer.WaitForNextTickAsync(ct));
    }
}
