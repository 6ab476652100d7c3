using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ComputeNet.Api.Hosting;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>Issue 13, "Abuse" and "Operable": rate limits, timeouts, headers, health, metrics, Production refusals.</summary>
public sealed class HardeningTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_flood_from_one_key_is_held_while_another_keys_requests_succeed()
    {
        await using var host = await StartAsync(At("2026-11-30T08:00:00+08:00"),
            ["--ComputeNet:RateLimits:PerKeyPerSecond=10", "--ComputeNet:RateLimits:PerKeyBurst=20"]);
        var (flooder, _) = await host.RegisterAsync("flood-buyer", ["buyer"], "shanghai", sme: true);
        var (quiet, _) = await host.RegisterAsync("quiet-buyer", ["buyer"], "shanghai", sme: true);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var flood = Enumerable.Range(0, 200).Select(_ => flooder.GetAsync("/v1/parties/me", Ct)).ToList();
        var quietAnswers = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            using var answer = await quiet.GetAsync("/v1/parties/me", Ct);
            quietAnswers.Add(answer.StatusCode);
        }
        var flooded = await Task.WhenAll(flood);
        var seconds = watch.Elapsed.TotalSeconds;

        Assert.All(quietAnswers, s => Assert.Equal(HttpStatusCode.OK, s));
        var limited = flooded.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        var served = flooded.Count(r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(200, limited.Count + served);
        // At most the burst plus what the bucket refilled while the flood lasted (10 a second, in tenths of a second).
        Assert.True(served >= 20 && served <= 20 + 10 * (int)Math.Ceiling(seconds + 0.1), $"{served} served in {seconds:F1} s");
        Assert.NotEmpty(limited);
        var refused = limited[0];
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await ReadAsync(refused);
        Assert.Equal("rate-limited", problem!["code"]!.GetValue<string>());
        Assert.Equal(429, problem["status"]!.GetValue<int>());
        foreach (var r in flooded)
        {
            r.Dispose();
        }
    }

    [Fact]
    public async Task Unknown_keys_from_one_address_are_held_after_the_address_budget_and_health_is_never_limited()
    {
        await using var host = await StartAsync(At("2026-11-30T08:00:00+08:00"),
            ["--ComputeNet:RateLimits:PerAddressPerSecond=1", "--ComputeNet:RateLimits:PerAddressBurst=10"]);
        var (regular, _) = await host.RegisterAsync("regular-buyer", ["buyer"], "shanghai", sme: true);
        using (var first = await regular.GetAsync("/v1/parties/me", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }
        var statuses = new List<HttpStatusCode>();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 40; i++)
        {
            using var guess = host.Client("cnk_" + Guid.NewGuid().ToString("N"));
            using var answer = await guess.GetAsync("/v1/parties/me", Ct);
            statuses.Add(answer.StatusCode);
        }
        var seconds = watch.Elapsed.TotalSeconds;
        // Guesses looked up (401): at most the burst plus one a second; every other guess was held before any lookup (429).
        var lookedUp = statuses.Count(s => s == HttpStatusCode.Unauthorized);
        Assert.True(lookedUp >= 1 && lookedUp <= 10 + (int)Math.Ceiling(seconds) + 1, $"{lookedUp} looked up in {seconds:F1} s: {string.Join(",", statuses.Select(s => (int)s))}");
        Assert.Equal(40 - lookedUp, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        // The address is spent, but the probes, the operator and a key that authenticated before (a client behind the
        // same address) still get through; a guess is not looked up at all.
        using (var again = await regular.GetAsync("/v1/parties/me", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }
        using var live = await host.Client().GetAsync("/health/live", Ct);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var me = await host.Operator.GetAsync("/v1/parties/me", Ct);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Behind_a_trusted_proxy_each_forwarded_client_has_its_own_address_budget(bool trusted)
    {
        // The test client connects from loopback: as a trusted proxy, its X-Forwarded-For names the client; otherwise the
        // header is ignored and every keyless request shares loopback's budget.
        string[] args = ["--ComputeNet:RateLimits:PerAddressPerSecond=1", "--ComputeNet:RateLimits:PerAddressBurst=5"];
        await using var host = await StartAsync(At("2026-11-30T08:00:00+08:00"),
            trusted ? [.. args, "--ComputeNet:ForwardedHeaders:KnownProxies=127.0.0.1, ::1"] : args);
        async Task<HttpStatusCode> GuessFrom(string address)
        {
            using var client = host.Client("cnk_" + Guid.NewGuid().ToString("N"));
            client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
            using var answer = await client.GetAsync("/v1/parties/me", Ct);
            return answer.StatusCode;
        }
        var first = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            first.Add(await GuessFrom("203.0.113.5"));
        }
        Assert.Contains(HttpStatusCode.TooManyRequests, first);
        var other = await GuessFrom("203.0.113.6");
        Assert.Equal(trusted ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests, other);
    }

    [Fact]
    public async Task A_malformed_proxy_address_stops_the_start_naming_it()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(At("2026-11-30T08:00:00+08:00"),
            ["--ComputeNet:ForwardedHeaders:KnownNetworks=10.0.0.0/99"]));
        Assert.Contains("10.0.0.0/99", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers_carry_security_headers_and_no_store_and_keys_are_never_cached()
    {
        await using var host = await StartAsync(At("2026-11-30T08:00:00+08:00"));
        using var registered = await host.Operator.PostAsJsonAsync("/v1/parties", new { id = "hdr-buyer", roles = new[] { "buyer" }, city = "shanghai", sme = true }, Json, Ct);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        using var rotated = await host.Operator.PostAsync("/v1/parties/hdr-buyer/keys", null, Ct);
        Assert.True(rotated.IsSuccessStatusCode);
        Assert.StartsWith("cnk_", (await ReadAsync(rotated))!["apiKey"]!.GetValue<string>(), StringComparison.Ordinal);
        using var anonymous = await host.Client().GetAsync("/v1/parties/me", Ct);
        foreach (var answer in new[] { registered, rotated, anonymous })
        {
            Assert.Equal("no-store", answer.Headers.CacheControl?.ToString());
            Assert.Equal("nosniff", answer.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", answer.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-referrer", answer.Headers.GetValues("Referrer-Policy").Single());
            Assert.Contains("frame-ancestors 'none'", answer.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.Contains("default-src 'none'", answer.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_request_over_its_timeout_is_a_503_problem_with_retry_after()
    {
        await using var host = await StartAsync(At("2026-11-30T08:00:00+08:00"), ["--ComputeNet:RequestTimeouts:LongSeconds=0.001"]);
        // A 1 ms timeout races the handler: on a loaded machine the timer can fire after a fast answer. Every answer is
        // either complete (200) or the timeout's 503; within a few tries the timeout wins.
        HttpResponseMessage answer = null!;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            answer?.Dispose();
            answer = await host.Operator.GetAsync("/v1/verify", Ct);
            if (answer.StatusCode != HttpStatusCode.OK)
            {
                break;
            }
        }
        using var _ = answer;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Assert.Equal("1", answer.Headers.GetValues("Retry-After").Single());
        var problem = await ReadAsync(answer);
        Assert.Equal("timed-out", problem!["code"]!.GetValue<string>());
        // Other routes keep the default timeout.
        using var me = await host.Operator.GetAsync("/v1/parties/me", Ct);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task Health_answers_without_a_key_and_ready_checks_database_writer_and_read_models()
    {
        await using var host = await StartAsync(At("2026-11-30T08:00:00+08:00"));
        var anonymous = host.Client();
        using var live = await anonymous.GetAsync("/health/live", Ct);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("healthy", (await ReadAsync(live))!["status"]!.GetValue<string>());
        using var ready = await anonymous.GetAsync("/health/ready", Ct);
        var body = await ReadAsync(ready);
        Assert.True(ready.StatusCode == HttpStatusCode.OK, body?.ToJsonString());
        Assert.Equal("healthy", body!["status"]!.GetValue<string>());
        foreach (var check in new[] { "database", "market-writer", "read-models" })
        {
            Assert.Equal("healthy", body["checks"]![check]!["status"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Metrics_after_some_orders_show_the_platforms_own_figures_to_the_operator_only()
    {
        await using var host = await StartAsync(At("2026-11-30T08:00:00+08:00"));
        var (buyer, _) = await host.RegisterAsync("metrics-buyer", ["buyer"], "shanghai", sme: true);
        var (provider, _) = await host.RegisterAsync("metrics-prov", ["provider"]);
        string? lease = null;
        for (var i = 0; i < 10; i++)
        {
            using var offer = await provider.PostAsJsonAsync("/v1/offers", new
            {
                id = $"mo{i}", cluster = "zhongwei", resourceClass = "ai-fp16-80g", devices = 2, from = "2026-12-01T00:00:00+08:00",
                to = "2026-12-02T00:00:00+08:00", price = "58.00",
            }, Json, Ct);
            Assert.Equal(HttpStatusCode.Created, offer.StatusCode);
            using var bid = await buyer.PostAsJsonAsync("/v1/bids", new
            {
                id = $"mb{i}", family = "intelligent", devices = 1, minScuPerDevice = "0", minMemoryGb = 0, from = "2026-12-01T00:00:00+08:00",
                to = "2026-12-02T00:00:00+08:00", tier = "cross-hub", minGreen = "0", price = "59.00", commitment = "on-demand", split = true, tif = "GTC",
            }, Json, Ct);
            Assert.Equal(HttpStatusCode.Created, bid.StatusCode);
            lease ??= (await ReadAsync(bid))!["leases"]![0]!.GetValue<string>();
        }
        // A repeat and a refusal by the writer count under their own outcomes.
        using var repeat = await provider.PostAsJsonAsync("/v1/offers", new
        {
            id = "mo0", cluster = "zhongwei", resourceClass = "ai-fp16-80g", devices = 2, from = "2026-12-01T00:00:00+08:00",
            to = "2026-12-02T00:00:00+08:00", price = "58.00",
        }, Json, Ct);
        Assert.True(repeat.IsSuccessStatusCode);
        // One usage record and the close of its day.
        host.Clock.Set(At("2026-12-02T00:10:00+08:00"));
        using var usage = await provider.PostAsJsonAsync("/v1/usage", new
        {
            id = "mu1", lease, from = "2026-12-01T00:00:00+08:00", to = "2026-12-02T00:00:00+08:00",
            deviceSeconds = 3600, energyKwh = "1.5", greenKwh = "1.0", transferGb = "0",
        }, Json, Ct);
        Assert.Equal(HttpStatusCode.Created, usage.StatusCode);
        host.Clock.Set(At("2026-12-02T01:00:00+08:00"));
        using var close = await host.Operator.PostAsync("/v1/periods/2026-12-01/close", null, Ct);
        Assert.Equal(HttpStatusCode.OK, close.StatusCode);

        using var anonymous = await host.Client().GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var asBuyer = await buyer.GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.Forbidden, asBuyer.StatusCode);

        // The exporter publishes what the SDK collected: poll briefly until this host's orders are in.
        string text = "";
        for (var attempt = 0; attempt < 50; attempt++)
        {
            text = await host.Operator.GetStringAsync("/metrics", Ct);
            if (Sample(text, "computenet_orders_total", "outcome=\"accepted\"") >= 20 && Sample(text, "computenet_close_duration_seconds_count", "") >= 1
                && text.Contains("computenet_payouts_unsettled", StringComparison.Ordinal))
            {
                break;
            }
            await Task.Delay(200, Ct);
        }
        Assert.True(Sample(text, "computenet_orders_total", "outcome=\"accepted\"") >= 20, text);
        Assert.True(Sample(text, "computenet_orders_total", "outcome=\"repeat\"") >= 1, text);
        var commits = Sample(text, "computenet_market_commit_commands_count", "");
        Assert.InRange(commits, 1, 21 * 1000);
        Assert.True(Sample(text, "computenet_market_commit_commands_sum", "") >= 21);
        var commitSeconds = Sample(text, "computenet_market_commit_duration_seconds_sum", "");
        Assert.InRange(commitSeconds / Sample(text, "computenet_market_commit_duration_seconds_count", ""), 0.0000001, 10);
        Assert.True(Sample(text, "computenet_usage_records_total", "") >= 1, text);
        Assert.True(Sample(text, "computenet_close_duration_seconds_count", "outcome=\"closed\"") >= 1, text);
        Assert.InRange(Sample(text, "computenet_close_duration_seconds_sum", "outcome=\"closed\""), 0.000001, 600);
        Assert.Contains("computenet_payouts_unsettled", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds", text, StringComparison.Ordinal);
        Assert.Contains("db_client_commands_duration_seconds", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_serve_refuses_a_short_operator_key_an_exposed_signing_key_and_a_trust_database()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var folder = Directory.CreateTempSubdirectory("computenet-prod-check-");
        try
        {
            var keyPath = Path.Combine(folder.FullName, "signing.pem");
            await File.WriteAllTextAsync(keyPath, "not read by the checks", Ct);
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            var refused = await Assert.ThrowsAsync<StartupRefusedException>(() => ComputeNet.Api.ApiHost.BuildAsync(new ComputeNet.Api.ApiHostOptions
            {
                Urls = "http://127.0.0.1:0",
                OperatorKey = "short-key",
                Environment = "Production",
                SigningKeyPath = keyPath,
                Schema = "prod_check_never_created",
                EnforceProductionChecks = true,
            }, Ct));
            Assert.Equal(3, refused.Reasons.Count);
            Assert.Contains(refused.Reasons, r => r.Contains("at least 32", StringComparison.Ordinal));
            Assert.Contains(refused.Reasons, r => r.Contains("chmod 600", StringComparison.Ordinal));
            Assert.Contains(refused.Reasons, r => r.Contains("--allow-insecure-database", StringComparison.Ordinal));

            // Fixed key and file, and the embedded database allowed explicitly: nothing left to refuse.
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Assert.Empty(ProductionChecks.CheckKeys(new string('k', 32), keyPath));
            Assert.NotNull(await ProductionChecks.TrustedDatabaseProblemAsync(await ComputeNet.Application.Database.DatabaseConnection.ResolveAsync(), Ct));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The value of the first sample of <paramref name="name"/> whose labels contain <paramref name="label"/> (0 if none).</summary>
    private static double Sample(string exposition, string name, string label)
    {
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith(name, StringComparison.Ordinal) && (line.Length == name.Length || line[name.Length] is '{' or ' ')
                && line.Contains(label, StringComparison.Ordinal))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return 0;
    }
}
