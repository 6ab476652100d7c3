using System.Text.Json;
using ComputeNet.Domain;
using Microsoft.AspNetCore.Diagnostics;

namespace ComputeNet.Api.Errors;

/// <summary>
/// Every error is an RFC 9457 problem details body: status, the market-rules `code`, the offending `field` and a
/// sentence. Rejections change nothing (the domain decides before anything is written).
/// </summary>
public sealed class RejectionExceptionHandler(IProblemDetailsService problems, ILogger<RejectionExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var (status, code, field, detail) = exception switch
        {
            RejectedException r => (StatusOf(r.Rejection.Code), r.Rejection.Code, r.Rejection.Field, r.Rejection.Reason),
            BadHttpRequestException { InnerException: JsonException json } => (400, Codes.Invalid, FieldOf(json.Path), $"the body is not valid JSON for this request: {json.Message}"),
            BadHttpRequestException bad when bad.StatusCode == 413 => (413, Codes.Invalid, null,
                $"request bodies here are at most {http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? ApiHost.MaxRequestBodyBytes} bytes"),
            BadHttpRequestException bad when bad.StatusCode == 408 => (408, Domain.Codes.TimedOut, null, "the request body arrived too slowly"),
            BadHttpRequestException bad => (400, Codes.Invalid, null, bad.Message),
            JsonException json => (400, Codes.Invalid, FieldOf(json.Path), $"the body is not valid JSON for this request: {json.Message}"),
            _ when DatabaseUnavailable(exception) => (503, Codes.Unavailable, null, HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)
                ? "the database could not be reached; retry after the Retry-After seconds"
                : "the database could not be reached, so whether this write was applied is not known: repeat it with the same id after the Retry-After seconds "
                  + "(a repeat is answered as a repeat, never applied twice)"),
            _ => (500, "internal", null, "an unexpected error occurred; nothing was changed by this request"),
        };
        if (status == 503)
        {
            // The database is down or restarting (fault drills: the host recovers by itself once it is back).
            // A market's owner is back within a second or so (a takeover: ADR 0030); the database may take longer.
            http.Response.Headers.RetryAfter = (code == Codes.MarketOwnerUnavailable ? OwnerRetryAfterSeconds : RetryAfterSeconds)
                .ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (exception is not RejectedException)
            {
                log.LogWarning(exception, "database unavailable on {Method} {Path}", http.Request.Method, http.Request.Path);
            }
            // A rule's own 503 (stripe-not-configured, …) is an answer, not an incident: nothing to log.
        }
        if (status == 500)
        {
            log.LogError(exception, "unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);
        }
        http.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails =
            {
                Status = status,
                Title = TitleOf(code),
                Detail = detail,
                Type = $"https://computenet.example/problems/{code}",
                Extensions = { ["code"] = code, ["field"] = field },
            },
        });
    }

    /// <summary>Seconds a client is asked to wait before repeating a request the database could not serve.</summary>
    public const int RetryAfterSeconds = 2;

    /// <summary>Seconds a client is asked to wait before repeating an order command no owner could take (a takeover under way).</summary>
    public const int OwnerRetryAfterSeconds = 1;

    /// <summary>
    /// The database could not be reached or went away mid-request (connection refused or broken, server shutting down or
    /// starting, too many connections, a timeout, no server of a multi-host string in the wanted role): anywhere in the exception's chain, as Marten wraps Npgsql's exceptions.
    /// A write that failed so may or may not have committed.
    /// </summary>
    public static bool DatabaseUnavailable(Exception? e)
    {
        for (var depth = 0; e is not null && depth < 16; depth++, e = e.InnerException)
        {
            switch (e)
            {
                case Npgsql.PostgresException pg:
                    // Class 08 connection exception, 57P01–57P03 shutdown / crash / cannot connect now, 53300 too many connections,
                    // 25006 a write reached a standby (a failover under way, or a proxy that still routes to the old primary).
                    return pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState is "57P01" or "57P02" or "57P03" or "53300" or "25006";
                case Npgsql.NpgsqlException npgsql when npgsql.IsTransient || npgsql.InnerException is System.Net.Sockets.SocketException or System.IO.IOException or TimeoutException:
                    return true;
                // "No suitable host was found": with a multi-host connection string, no listed server is up in the wanted role
                // (the primary died and the standby is not promoted yet, or Npgsql still remembers it as a standby).
                case Npgsql.NpgsqlException npgsql when npgsql.GetType() == typeof(Npgsql.NpgsqlException) && npgsql.InnerException is null:
                    return true;
                case System.Net.Sockets.SocketException:
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Count > 0:
                    return aggregate.InnerExceptions.Any(DatabaseUnavailable);
            }
        }
        return false;
    }

    /// <summary>HTTP status for a market-rules code: malformed → 400, conflicts with what exists → 409, refused by a rule → 422.</summary>
    public static int StatusOf(string code) => code switch
    {
        Codes.Invalid or Codes.InvalidSignature => 400,
        Codes.UnknownPayout => 404,
        Codes.NotRetryable => 409,
        Codes.StripeError => 502,
        Codes.StripeNotConfigured or Codes.Unavailable or Codes.MarketOwnerUnavailable => 503,
        Codes.WrongRole => 403,
        Codes.NotFound or Codes.NotSandbox => 404,
        Codes.IdReused or Codes.DisputeOpen or Codes.OverlappingRoute or Codes.OverlappingPairing or Codes.PeriodNotEnded or Codes.NotCheckpointed or Codes.ClockBackwards => 409,
        _ => 422,
    };

    private static string TitleOf(string code) => code switch
    {
        Codes.Invalid => "The request is malformed or names something unknown",
        Codes.IdReused => "This id was already used with other content",
        Codes.StripeNotConfigured => "Stripe is not configured: payments are recorded offline",
        Codes.InvalidSignature => "The webhook signature does not verify",
        Codes.Unavailable => "The database is unavailable: retry",
        Codes.MarketOwnerUnavailable => "The market's owner is not available now: repeat the order command",
        "internal" => "Internal error",
        _ => "The request was refused by a market rule",
    };

    private static string? FieldOf(string? jsonPath) =>
        string.IsNullOrEmpty(jsonPath) || jsonPath == "$" ? null : jsonPath.TrimStart('$', '.');
}
