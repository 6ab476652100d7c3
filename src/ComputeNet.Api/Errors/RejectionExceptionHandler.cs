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
            BadHttpRequestException bad when bad.StatusCode == 408 => (408, "timed-out", null, "the request body arrived too slowly"),
            BadHttpRequestException bad => (400, Codes.Invalid, null, bad.Message),
            JsonException json => (400, Codes.Invalid, FieldOf(json.Path), $"the body is not valid JSON for this request: {json.Message}"),
            _ => (500, "internal", null, "an unexpected error occurred; nothing was changed by this request"),
        };
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

    /// <summary>HTTP status for a market-rules code: malformed → 400, conflicts with what exists → 409, refused by a rule → 422.</summary>
    public static int StatusOf(string code) => code switch
    {
        Codes.Invalid or Codes.InvalidSignature => 400,
        Codes.UnknownPayout => 404,
        Codes.NotRetryable => 409,
        Codes.StripeError => 502,
        Codes.StripeNotConfigured => 503,
        Codes.WrongRole => 403,
        Codes.NotFound => 404,
        Codes.IdReused or Codes.OverlappingRoute or Codes.OverlappingPairing or Codes.PeriodNotEnded or Codes.NotCheckpointed => 409,
        _ => 422,
    };

    private static string TitleOf(string code) => code switch
    {
        Codes.Invalid => "The request is malformed or names something unknown",
        Codes.IdReused => "This id was already used with other content",
        Codes.StripeNotConfigured => "Stripe is not configured: payments are recorded offline",
        Codes.InvalidSignature => "The webhook signature does not verify",
        "internal" => "Internal error",
        _ => "The request was refused by a market rule",
    };

    private static string? FieldOf(string? jsonPath) =>
        string.IsNullOrEmpty(jsonPath) || jsonPath == "$" ? null : jsonPath.TrimStart('$', '.');
}
