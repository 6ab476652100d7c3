using System.Globalization;
using Microsoft.AspNetCore.Http.Timeouts;

namespace ComputeNet.Api.Hosting;

/// <summary>
/// Request timeouts (configuration <c>ComputeNet:RequestTimeouts:…</c>, seconds). The default bounds every request; the
/// long policy is for the few endpoints whose work grows with a period (a close, exports, reports, PDFs).
/// </summary>
public sealed record RequestTimeoutSettings
{
    public const string Section = "ComputeNet:RequestTimeouts";
    public const string LongPolicy = "long";

    public double DefaultSeconds { get; init; } = 30;
    public double LongSeconds { get; init; } = 300;

    public static RequestTimeoutSettings From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<RequestTimeoutSettings>() ?? new RequestTimeoutSettings();
}

/// <summary>
/// What every answer of the API carries and how long a request may take: security headers, <c>Cache-Control:
/// no-store</c>, and a request timeout answered by a <c>503</c> problem of code <c>timed-out</c> with <c>Retry-After</c>
/// (the outcome of a write that timed out is unknown: retry it with the same client id; repeats are no-ops).
/// </summary>
public static class HttpHardening
{
    /// <summary>
    /// The API serves JSON and PDFs, never pages: nothing may be framed, run or fetched from its answers. The browsable
    /// reference (/scalar, Development only) is a page of scripts and is left out.
    /// </summary>
    public const string ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /// <summary>
    /// The portal's pages (everything outside <see cref="IsApi"/>): its own stylesheet and script from this host only, no
    /// inline script or style, forms posting to this host only, never framed (docs/portal.md).
    /// </summary>
    public const string PortalContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>The API's paths (API key, JSON, the API's CSP); every other path is the portal's (session cookie, pages).</summary>
    public static bool IsApi(PathString path) =>
        path.StartsWithSegments("/v1") || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/health")
        || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/scalar");

    public static IServiceCollection AddApiRequestTimeouts(this IServiceCollection services, RequestTimeoutSettings settings)
    {
        services.AddRequestTimeouts(o =>
        {
            o.DefaultPolicy = Policy(TimeSpan.FromSeconds(settings.DefaultSeconds));
            o.AddPolicy(RequestTimeoutSettings.LongPolicy, Policy(TimeSpan.FromSeconds(settings.LongSeconds)));
        });
        return services;
    }

    private static RequestTimeoutPolicy Policy(TimeSpan timeout) => new()
    {
        Timeout = timeout,
        TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
        WriteTimeoutResponse = async http =>
        {
            http.Response.Headers.RetryAfter = "1";
            await Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The request timed out",
                detail: $"the server did not finish within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; a write's outcome is unknown: retry it with the same id (a repeat is a no-op)",
                type: "https://computenet.example/problems/timed-out",
                extensions: new Dictionary<string, object?> { ["code"] = Domain.Codes.TimedOut, ["field"] = null })
                .ExecuteAsync(http);
        },
    };

    /// <summary>Routes whose work grows with a period or the whole ledger (a close, exports, reports, PDFs, verification,
    /// reconciliation against Stripe): the long timeout.</summary>
    public static bool IsLong(string? route) => route is not null
        && (route.EndsWith("/close", StringComparison.Ordinal) && route.Contains("/periods/", StringComparison.Ordinal)
            || route.Contains("/exports/", StringComparison.Ordinal) || route.Contains("/reports/", StringComparison.Ordinal)
            || route.EndsWith("/pdf", StringComparison.Ordinal) || route.Contains("/verify", StringComparison.Ordinal)
            || route.EndsWith("/reconciliation", StringComparison.Ordinal));

    /// <summary>Gives the long timeout policy to the routes of <see cref="IsLong"/>; every other one has the default.</summary>
    public static TBuilder WithLongTimeoutsWhereDue<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            if (endpoint is RouteEndpointBuilder route && IsLong(route.RoutePattern.RawText))
            {
                endpoint.Metadata.Add(new RequestTimeoutAttribute(RequestTimeoutSettings.LongPolicy));
            }
        });
        return builder;
    }

    /// <summary>Security headers and no-store on every answer: API answers and portal pages are per caller, some carry keys, none is for a
    /// shared cache (the portal's versioned assets set their own Cache-Control).</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        if (!http.Request.Path.StartsWithSegments("/scalar"))
        {
            headers.ContentSecurityPolicy = IsApi(http.Request.Path) ? ContentSecurityPolicy : PortalContentSecurityPolicy;
        }
        return next(http);
    });
}
