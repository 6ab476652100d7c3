using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using NodaTime;
using Spectre.Console;

namespace ComputeNet.Cli;

/// <summary>
/// <c>bench flood</c>: what one abusive client costs everyone else. A quiet buyer places orders one after another (its own
/// key) while, in turn: nobody else sends anything (baseline); one key floods order intake with wrk as fast as the host
/// answers; one address floods guessed <c>cnk_…</c> keys. For each phase it prints the quiet buyer's success rate and
/// latency, and wrk's figures for the flood (how many 429s it got; for guessed keys, how many were looked up at all).
/// With <c>--no-limits</c> the same runs on a host without rate limits, for comparison.
/// </summary>
internal static class FloodBench
{
    public static Command Create()
    {
        var seconds = new Option<int>("--seconds") { Description = "seconds per phase", DefaultValueFactory = _ => 15 };
        var connections = new Option<int>("--connections") { Description = "wrk connections of the flood", DefaultValueFactory = _ => 64 };
        var quietClients = new Option<int>("--quiet-clients") { Description = "requests the quiet buyer has in flight", DefaultValueFactory = _ => 2 };
        var noLimits = new Option<bool>("--no-limits") { Description = "run the host without rate limits (ComputeNet:RateLimits:Enabled=false), for comparison" };
        var command = new Command("flood", "one key floods order intake, then one address floods guessed keys, while another key places orders: its success rate and latency, and the flood's 429s")
        {
            seconds, connections, quietClients, noLimits,
        };
        command.SetAction(async (parse, ct) =>
        {
            await RunAsync(Math.Max(3, parse.GetValue(seconds)), Math.Max(1, parse.GetValue(connections)), Math.Max(1, parse.GetValue(quietClients)),
                parse.GetValue(noLimits), ct);
            return 0;
        });
        return command;
    }

    private sealed record QuietFigures(int Sent, int Succeeded, double P50, double P99, double Max);

    private static async Task RunAsync(int seconds, int connections, int quietClients, bool noLimits, CancellationToken ct)
    {
        await using var host = await BenchCommand.BenchHost.StartAsync("bench_flood", Instant.FromUtc(2026, 11, 30, 0, 0), ct,
            noLimits ? ["--ComputeNet:RateLimits:Enabled=false"] : []);
        var baseAddress = new Uri(host.App.Urls.First());
        using var op = new HttpClient { BaseAddress = baseAddress, DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", host.OperatorKey) } };
        var quietKey = await BenchCommand.RegisterAsync(op, new { id = "quiet-buyer", roles = new[] { "buyer" }, city = "shanghai", sme = true }, ct);
        var floodKey = await BenchCommand.RegisterAsync(op, new { id = "flood-party", roles = new[] { "buyer", "provider" }, city = "shanghai", sme = true }, ct);
        var limits = Hosting(host);
        AnsiConsole.MarkupLineInterpolated(
            $"rate limits: {(limits.Enabled ? $"{limits.PerKeyPerSecond:N0}/s per key (burst {limits.PerKeyBurst:N0}), {limits.PerAddressPerSecond:N0}/s per address without a valid key (burst {limits.PerAddressBurst:N0})" : "none (--no-limits)")}");

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = quietClients };
        using var quiet = new HttpClient(handler, disposeHandler: false)
        {
            BaseAddress = baseAddress, DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", quietKey) }, Timeout = TimeSpan.FromSeconds(30),
        };
        var next = 0;
        async Task<QuietFigures> QuietAsync(TimeSpan duration)
        {
            var latencies = new List<double>();
            var sent = 0;
            var succeeded = 0;
            var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            await Task.WhenAll(Enumerable.Range(0, quietClients).Select(async _ =>
            {
                while (Stopwatch.GetTimestamp() < until && !ct.IsCancellationRequested)
                {
                    var n = Interlocked.Increment(ref next);
                    var body = $$"""{"id":"q{{n}}","family":"intelligent","devices":1,"minScuPerDevice":"0","minMemoryGb":0,"from":"2027-01-01T00:00:00+08:00","to":"2027-01-02T00:00:00+08:00","tier":"cross-hub","minGreen":"0","price":"40.00","commitment":"on-demand","split":true,"tif":"GTC"}""";
                    var started = Stopwatch.GetTimestamp();
                    HttpStatusCode status;
                    try
                    {
                        using var response = await quiet.PostAsync("/v1/bids", new StringContent(body, Encoding.UTF8, "application/json"), ct);
                        status = response.StatusCode;
                    }
                    catch (HttpRequestException)
                    {
                        status = 0;
                    }
                    catch (TaskCanceledException) when (!ct.IsCancellationRequested)
                    {
                        status = 0;
                    }
                    var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    lock (latencies)
                    {
                        sent++;
                        succeeded += status == HttpStatusCode.Created ? 1 : 0;
                        latencies.Add(ms);
                    }
                }
            }));
            latencies.Sort();
            double P(double q) => latencies.Count == 0 ? 0 : latencies[Math.Min(latencies.Count - 1, (int)(q * latencies.Count))];
            return new QuietFigures(sent, succeeded, P(0.50), P(0.99), latencies.Count == 0 ? 0 : latencies[^1]);
        }

        var rows = new List<(string Phase, QuietFigures Quiet, string Flood)>();
        AnsiConsole.MarkupLineInterpolated($"warming up for {seconds} s (quiet buyer alone, not counted) …");
        await QuietAsync(TimeSpan.FromSeconds(seconds));
        rows.Add(("quiet buyer alone", await QuietAsync(TimeSpan.FromSeconds(seconds)), ""));

        AnsiConsole.MarkupLineInterpolated($"one key floods POST /v1/bids and /v1/offers with wrk, {connections} connections, {seconds} s …");
        var flood = BenchCommand.RunWrkScriptAsync(baseAddress, "orders.lua", connections, seconds, quiet: true,
            new Dictionary<string, string> { ["BUYER_KEYS"] = floodKey, ["PROVIDER_KEYS"] = floodKey, ["RUN"] = "flood" }, ct);
        var duringFlood = await QuietAsync(TimeSpan.FromSeconds(seconds));
        rows.Add(("one key floods orders", duringFlood, Summary(await flood)));

        AnsiConsole.MarkupLineInterpolated($"one address floods guessed keys (GET /v1/parties/me) with wrk, {connections} connections, {seconds} s …");
        var guesses = BenchCommand.RunWrkScriptAsync(baseAddress, "unknown-keys.lua", connections, seconds, quiet: true, new Dictionary<string, string>(), ct);
        var duringGuesses = await QuietAsync(TimeSpan.FromSeconds(seconds));
        rows.Add(("one address guesses keys", duringGuesses, Summary(await guesses)));

        var table = new Table().Title($"quiet buyer ({quietClients} in flight) while another client floods{(noLimits ? " (no rate limits)" : "")}")
            .AddColumns("phase", "quiet orders", "succeeded", "quiet/s", "p50 ms", "p99 ms", "max ms", "the flood (wrk)");
        foreach (var (phase, q, f) in rows)
        {
            table.AddRow(phase, $"{q.Sent:N0}", $"{(q.Sent == 0 ? 0 : 100.0 * q.Succeeded / q.Sent):F2} %", $"{q.Sent / (double)seconds:N0}",
                $"{q.P50:F1}", $"{q.P99:F1}", $"{q.Max:F1}", Markup.Escape(f));
        }
        AnsiConsole.Write(table);
    }

    private static Api.Hosting.RateLimitSettings Hosting(BenchCommand.BenchHost host) =>
        Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Api.Hosting.ApiRateLimiter>(host.App.Services).Settings;

    /// <summary>wrk's requests/s and the script's own closing line.</summary>
    private static string Summary(string wrkOutput)
    {
        var lines = wrkOutput.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var rate = lines.FirstOrDefault(l => l.StartsWith("Requests/sec:", StringComparison.Ordinal)) ?? "";
        var requests = lines.FirstOrDefault(l => l.Contains("requests in", StringComparison.Ordinal)) ?? "";
        var own = lines.LastOrDefault(l => l.StartsWith("answers", StringComparison.Ordinal) || l.StartsWith("unknown keys", StringComparison.Ordinal)) ?? "";
        return $"{requests}; {rate}; {own}";
    }
}
