using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CsCheck;
using ComputeNet.Domain;

namespace ComputeNet.Fuzz;

/// <summary>How long and from where to fuzz.</summary>
public sealed record FuzzOptions
{
    /// <summary>Requests to generate (CsCheck iterations).</summary>
    public long Requests { get; init; } = 2_000;
    /// <summary>A CsCheck seed (as CsCheck prints it) to replay a run; null: a random seed, printed with any failure.</summary>
    public string? Seed { get; init; }
    /// <summary>Progress lines (every <see cref="ProgressEvery"/> requests); null: quiet.</summary>
    public Action<string>? Log { get; init; }
    public long ProgressEvery { get; init; } = 10_000;
    /// <summary>How many distinct failures to keep with their smallest request.</summary>
    public int MaxFailuresKept { get; init; } = 50;
    /// <summary>
    /// Hand each failure to CsCheck, which then tries only smaller requests to find the smallest failing one (so a
    /// failing run sends fewer than <see cref="Requests"/>). False: keep sending everything and report the smallest
    /// request of each kind of failure seen.
    /// </summary>
    public bool Shrink { get; init; } = true;
}

/// <summary>One broken promise: the request (the smallest seen of its kind), the answer, and what was wrong.</summary>
public sealed record FuzzFailure(string Kind, string Operation, int Status, string Request, string Answer, int Size);

/// <summary>What a run saw.</summary>
public sealed class FuzzReport
{
    public long Sent { get; set; }
    public long NotSent { get; set; }
    public SortedDictionary<int, long> ByStatus { get; } = new();
    public SortedDictionary<string, long> ByOperation { get; } = new(StringComparer.Ordinal);
    /// <summary>Answers per operation, status and problem code ("400 invalid"): what each operation was driven to.</summary>
    public SortedDictionary<string, SortedDictionary<string, long>> ByOperationAnswer { get; } = new(StringComparer.Ordinal);
    /// <summary>The first answer body seen per operation and answer, for a look at what refused them.</summary>
    public Dictionary<(string Operation, string Answer), string> FirstAnswer { get; } = new();

    /// <summary>One line per operation: its answers by status and code.</summary>
    public string ByOperationTable() => string.Join('\n', ByOperationAnswer.Select(o =>
        $"{o.Key}: " + string.Join(", ", o.Value.Select(a => $"{a.Key} × {a.Value:N0}"))));
    public long ServerErrors => ByStatus.Where(s => s.Key >= 500).Sum(s => s.Value);
    /// <summary>5xx answers the API documents as such (503 stripe-not-configured): not input-caused failures.</summary>
    public long DocumentedServerErrors { get; set; }
    public long RefusedWritesChecked { get; set; }
    /// <summary>4xx answered by Kestrel itself before the application (unparseable or oversized request line or headers).</summary>
    public long ServerLevelRejections { get; set; }
    public List<FuzzFailure> Failures { get; } = [];
    public long FailureCount { get; set; }
    /// <summary>CsCheck's account of the smallest failing request and the seed to replay it; null when nothing failed.</summary>
    public string? Shrunk { get; set; }
    public string? Seed { get; set; }
    public TimeSpan Elapsed { get; set; }

    public string Summary()
    {
        var b = new StringBuilder();
        b.AppendLine($"requests sent: {Sent:N0} in {Elapsed.TotalSeconds:N1} s ({(Elapsed.TotalSeconds > 0 ? Sent / Elapsed.TotalSeconds : 0):N0}/s){(NotSent > 0 ? $"; {NotSent:N0} could not be sent by the client" : "")}");
        b.AppendLine("answers by status: " + string.Join(", ", ByStatus.Select(s => $"{s.Key} × {s.Value:N0}")));
        b.AppendLine($"5xx seen: {ServerErrors - DocumentedServerErrors:N0}{(DocumentedServerErrors > 0 ? $" (plus {DocumentedServerErrors:N0} × 503 stripe-not-configured, documented: Stripe is not configured on this host)" : "")}");
        b.AppendLine($"refused writes checked to change nothing: {RefusedWritesChecked:N0}");
        b.AppendLine($"refused by Kestrel before the application (empty body, connection closed): {ServerLevelRejections:N0}");
        b.AppendLine($"failures: {FailureCount:N0}{(Failures.Count > 0 ? $" ({Failures.Count} kinds)" : "")}");
        foreach (var f in Failures)
        {
            b.AppendLine($"- {f.Kind} on {f.Operation} ({f.Status}):\n  {f.Request.Replace("\n", "\n  ")}\n  answer: {f.Answer}");
        }
        if (Shrunk is not null)
        {
            b.AppendLine("CsCheck (smallest failing request, and the seed to replay it):").AppendLine(Shrunk);
        }
        return b.ToString();
    }
}

/// <summary>
/// Sends generated requests and checks the platform's promises about each answer: never a 5xx; every 4xx an RFC 9457
/// problem (application/problem+json) with a market-rules or documented HTTP `code`; and a refused write changes
/// nothing (<see cref="FuzzTarget.FingerprintAsync"/>). Requests go one at a time, so that a change seen after a refused
/// write is that write's.
/// </summary>
public static class Fuzzer
{
    /// <summary>The codes an error answer may carry: every market-rules code, and the documented HTTP ones.</summary>
    public static readonly IReadOnlySet<string> KnownCodes = typeof(Codes).GetFields()
        .Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!)
        .Concat(["unauthenticated", "forbidden", "not-found", "method-not-allowed", "unsupported-media-type", "read-models-behind", "too-large"])
        .ToHashSet(StringComparer.Ordinal);

    private sealed class Failed(FuzzFailure failure) : Exception($"{failure.Kind} on {failure.Operation} ({failure.Status}): {failure.Answer}")
    {
        public FuzzFailure Failure { get; } = failure;
    }

    public static async Task<FuzzReport> RunAsync(FuzzTarget target, FuzzOptions options, CancellationToken ct = default)
    {
        var openApi = await target.Http.GetStringAsync("/openapi/v1.json", ct);
        var api = ApiOperations.Parse(openApi);
        var generator = new RequestGenerator(api, target.World);
        var report = new FuzzReport { Seed = options.Seed };
        var clock = Stopwatch.StartNew();
        try
        {
            await generator.Requests().SampleAsync(async request =>
            {
                var failure = await SendAsync(target, request, report, options, ct);
                if (failure is not null)
                {
                    Keep(report, failure, options.MaxFailuresKept);
                    if (options.Shrink)
                    {
                        throw new Failed(failure);
                    }
                }
            }, seed: options.Seed, iter: options.Requests, threads: 1, print: r => r.Describe(2000));
        }
        catch (Exception e) when (e is not OperationCanceledException && report.FailureCount > 0)
        {
            report.Shrunk = e.Message;
        }
        report.Elapsed = clock.Elapsed;
        return report;
    }

    private static void Keep(FuzzReport report, FuzzFailure failure, int max)
    {
        report.FailureCount++;
        var same = report.Failures.FindIndex(f => f.Kind == failure.Kind && f.Operation == failure.Operation && f.Status == failure.Status);
        if (same >= 0)
        {
            if (failure.Size < report.Failures[same].Size)
            {
                report.Failures[same] = failure;
            }
        }
        else if (report.Failures.Count < max)
        {
            report.Failures.Add(failure);
        }
    }

    /// <summary>Sends one request and returns what it broke, or null.</summary>
    public static async Task<FuzzFailure?> SendAsync(FuzzTarget target, FuzzRequest request, FuzzReport report, FuzzOptions options, CancellationToken ct)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method),
            new Uri(target.Address.GetLeftPart(UriPartial.Authority) + request.Target, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true }));
        var authorization = request.Caller switch
        {
            "none" => null,
            "raw" => request.RawAuthorization,
            var role => "Bearer " + target.KeyOf(role),
        };
        if (authorization is not null)
        {
            message.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
            if (request.ContentType is not null && !message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType))
            {
                message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }
        }
        foreach (var (name, value) in request.Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        var before = request.IsWrite ? await target.FingerprintAsync(ct) : null;
        HttpResponseMessage response;
        try
        {
            response = await target.Http.SendAsync(message, ct);
        }
        catch (HttpRequestException) when (!ct.IsCancellationRequested)
        {
            // The client refused to put it on the wire (e.g. a header it cannot encode): nothing reached the server.
            report.NotSent++;
            return null;
        }
        using var _ = response;
        var body = await response.Content.ReadAsStringAsync(ct);
        var status = (int)response.StatusCode;
        report.Sent++;
        report.ByStatus[status] = report.ByStatus.GetValueOrDefault(status) + 1;
        report.ByOperation[request.Operation] = report.ByOperation.GetValueOrDefault(request.Operation) + 1;
        var problemCode = ProblemOf(response, body)?.Code;
        var answer = problemCode is null ? $"{status}" : $"{status} {problemCode}";
        if (!report.ByOperationAnswer.TryGetValue(request.Operation, out var answers))
        {
            report.ByOperationAnswer[request.Operation] = answers = new SortedDictionary<string, long>(StringComparer.Ordinal);
        }
        answers[answer] = answers.GetValueOrDefault(answer) + 1;
        report.FirstAnswer.TryAdd((request.Operation, answer), Cut(body));
        if (options.Log is not null && report.Sent % options.ProgressEvery == 0)
        {
            options.Log($"{report.Sent:N0} requests; " + string.Join(", ", report.ByStatus.Select(s => $"{s.Key} × {s.Value:N0}")));
        }
        FuzzFailure Fail(string kind) => new(kind, request.Operation, status, request.Describe(), Cut(body), request.Describe(int.MaxValue).Length);

        await target.KeepKeysAsync(request, response, body, ct);
        var problem = ProblemOf(response, body);
        if (status >= 500)
        {
            if (status == 503 && problem?.Code == Codes.StripeNotConfigured)
            {
                report.DocumentedServerErrors++;
            }
            else
            {
                return Fail("5xx");
            }
        }
        if (status is >= 400 and < 500)
        {
            if (problem is null && IsServerLevelRejection(response, body))
            {
                report.ServerLevelRejections++;
            }
            else if (problem is not { } p)
            {
                return Fail("4xx that is not a problem (application/problem+json with status and code)");
            }
            else if (!KnownCodes.Contains(p.Code))
            {
                return Fail($"4xx with an undocumented code '{p.Code}'");
            }
        }
        if (request.IsWrite && status >= 400 && before is not null)
        {
            report.RefusedWritesChecked++;
            var after = await target.FingerprintAsync(ct);
            if (after != before)
            {
                return Fail($"refused write changed state ({before} → {after})");
            }
        }
        return null;
    }

    /// <summary>
    /// Kestrel's own refusal of a request it cannot parse (request line over 8 KiB: 414; headers over 32 KiB: 431; a NUL
    /// or an undecodable path: 400): answered before any middleware runs, so with an empty body, and the connection closed.
    /// </summary>
    private static bool IsServerLevelRejection(HttpResponseMessage response, string body) =>
        (int)response.StatusCode is 400 or 414 or 431 && body.Length == 0 && response.Headers.ConnectionClose == true;

    private static (int Status, string Code)? ProblemOf(HttpResponseMessage response, string body)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("status", out var s) && s.TryGetInt32(out var status) && status == (int)response.StatusCode
                && root.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String
                ? (status, c.GetString()!) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Cut(string s) => s.Length > 600 ? s[..600] + "…" : s;
}
