using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Threading.RateLimiting;

namespace ComputeNet.Api.Hosting;

/// <summary>
/// Limits of the rate limiter (configuration <c>ComputeNet:RateLimits:…</c>): a token bucket per API key (partitioned by
/// the authenticated key id, never the raw key) and one per client address for requests without a valid key. A bucket
/// holds <c>Burst</c> tokens and refills <c>PerSecond</c> a second (in tenths of a second); one request takes one token.
/// </summary>
public sealed record RateLimitSettings
{
    public const string Section = "ComputeNet:RateLimits";

    /// <summary>Sustained requests a second per key. The market writer takes about 4,000–6,000 orders/s on 2 cores for all
    /// keys together, so one key at this rate leaves most of it to the others.</summary>
    public int PerKeyPerSecond { get; init; } = 1_000;
    public int PerKeyBurst { get; init; } = 2_000;
    /// <summary>Sustained requests a second per client address without a valid key (anonymous, unknown or revoked keys, webhooks).</summary>
    public int PerAddressPerSecond { get; init; } = 50;
    public int PerAddressBurst { get; init; } = 100;
    /// <summary>False: no limits (a benchmark of the host alone). Default true.</summary>
    public bool Enabled { get; init; } = true;

    public static RateLimitSettings From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<RateLimitSettings>() ?? new RateLimitSettings();
}

/// <summary>
/// The API's rate limiter (System.Threading.RateLimiting, applied by <see cref="RateLimitSetup.UseApiRateLimits"/>): one partitioned limiter, run
/// after authentication, so a caller with a valid key is limited by its key id (the operator key by the partition
/// "operator") and every other request by its remote address. Refusals are <c>429</c> with <c>Retry-After</c> and a
/// problem of code <c>rate-limited</c>. Health checks and the metrics scrape are never limited. Authentication asks
/// <see cref="AddressExhausted"/> before it looks a key up, so an address flooding unknown keys stops costing database
/// reads once its bucket is empty (docs/adr/0020-rate-limits-health-and-telemetry.md).
/// </summary>
public sealed class ApiRateLimiter : IDisposable
{
    public const string OperatorPartition = "operator";
    public const string KeyIdClaim = Application.Access.Caller.KeyIdClaim;

    private readonly PartitionedRateLimiter<HttpContext> _limiter;

    public ApiRateLimiter(RateLimitSettings settings)
    {
        Settings = settings;
        var perKey = Options(settings.PerKeyPerSecond, settings.PerKeyBurst);
        var perAddress = Options(settings.PerAddressPerSecond, settings.PerAddressBurst);
        _limiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
        {
            if (!settings.Enabled || Unlimited(http.Request.Path))
            {
                return RateLimitPartition.GetNoLimiter("unlimited");
            }
            return KeyOf(http.User) is { } key
                ? RateLimitPartition.GetTokenBucketLimiter("key:" + key, _ => perKey)
                : RateLimitPartition.GetTokenBucketLimiter("addr:" + AddressOf(http), _ => perAddress);
        });
    }

    public RateLimitSettings Settings { get; }

    public PartitionedRateLimiter<HttpContext> Limiter => _limiter;

    /// <summary>
    /// The health probes and the metrics scrape: cheap, and needed most when the API is flooded; and commands forwarded
    /// between the platform's hosts (limited where they entered; ADR 0030).
    /// </summary>
    public static bool Unlimited(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/internal");

    /// <summary>
    /// True when this request's address (it has no valid key yet) has no token left: authentication then refuses an
    /// unknown key without reading the database, and the limiter answers 429.
    /// </summary>
    public bool AddressExhausted(HttpContext http) =>
        Settings.Enabled && _limiter.GetStatistics(http) is { CurrentAvailablePermits: <= 0 };

    private static TokenBucketRateLimiterOptions Options(int perSecond, int burst) => new()
    {
        TokenLimit = Math.Max(1, burst),
        TokensPerPeriod = Math.Max(1, perSecond / 10),
        ReplenishmentPeriod = TimeSpan.FromMilliseconds(perSecond >= 10 ? 100 : 1000 / Math.Max(1, perSecond)),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private static string? KeyOf(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirstValue(KeyIdClaim) ?? user.FindFirstValue(ClaimTypes.NameIdentifier) : null;

    /// <summary>The remote address; IPv6 addresses by their /64, which one client usually holds whole.</summary>
    public static string AddressOf(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            address = new IPAddress(bytes);
        }
        return address.ToString();
    }

    public void Dispose() => _limiter.Dispose();
}

public static class RateLimitSetup
{
    public static IServiceCollection AddApiRateLimits(this IServiceCollection services, RateLimitSettings settings)
    {
        // Registered by factory, so the container disposes the limiter, and its replenishment timer, with the host.
        services.AddSingleton(_ => new ApiRateLimiter(settings));
        return services;
    }

    /// <summary>
    /// The API's rate limit as one middleware: one token from the caller's bucket (<see cref="ApiRateLimiter"/>), or
    /// <c>429 rate-limited</c> with <c>Retry-After</c>. Not ASP.NET Core's RateLimitingMiddleware: that one also keeps an
    /// endpoint limiter of its own whose timer is never disposed, so every stopped host stayed in memory with its whole
    /// pipeline and services (heap dumps of <c>bench history</c>: one retained host per restart in one process), and it
    /// asks two limiters per request where one is needed.
    /// </summary>
    public static IApplicationBuilder UseApiRateLimits(this IApplicationBuilder app)
    {
        var limiter = app.ApplicationServices.GetRequiredService<ApiRateLimiter>();
        var settings = limiter.Settings;
        return app.Use(async (http, next) =>
        {
            using (var lease = limiter.Limiter.AttemptAcquire(http))
            {
                if (lease.IsAcquired)
                {
                    await next(http);
                    return;
                }
                var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                var byKey = http.User.Identity?.IsAuthenticated == true;
                Application.Infrastructure.PlatformMetrics.RateLimited.Add(1, new KeyValuePair<string, object?>("by", byKey ? "key" : "address"));
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                    detail: byKey
                        ? $"this API key sent more than {settings.PerKeyPerSecond} requests a second (bursts up to {settings.PerKeyBurst}); retry after {seconds} s"
                        : $"this address sent more than {settings.PerAddressPerSecond} requests a second without a valid API key (bursts up to {settings.PerAddressBurst}); retry after {seconds} s",
                    type: "https://computenet.example/problems/rate-limited",
                    extensions: new Dictionary<string, object?> { ["code"] = Domain.Codes.RateLimited, ["field"] = null, ["retryAfterSeconds"] = seconds })
                    .ExecuteAsync(http);
            }
        });
    }
}
