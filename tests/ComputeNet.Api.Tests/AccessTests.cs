using System.Net;
using System.Net.Http.Json;
using System.Text;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>Who may call what, and who may see whose data: every endpoint with every role's key and with none.</summary>
public sealed class AccessTests : IAsyncLifetime
{
    private ApiTestHost _host = null!;
    private FakeStripe _stripe = null!;
    private readonly Dictionary<string, HttpClient> _as = new();
    private string _lease = "";

    private static readonly string[] AllRoles = ["buyer", "provider", "carrier", "issuer", "regulator", "operator"];

    public async ValueTask InitializeAsync()
    {
        _stripe = await FakeStripe.StartAsync();
        _host = await StartAsync(At("2026-11-30T08:00:00+08:00"), _stripe.HostArgs());
        _as["buyer"] = (await _host.RegisterAsync("b", ["buyer"], "shanghai", sme: true)).Client;
        _as["provider"] = (await _host.RegisterAsync("p", ["provider"])).Client;
        _as["carrier"] = (await _host.RegisterAsync("c", ["carrier"], routes: new[] { new { cities = new[] { "shanghai" }, clusters = new[] { "zhongwei" } } })).Client;
        _as["issuer"] = (await _host.RegisterAsync("i", ["issuer"])).Client;
        _as["regulator"] = (await _host.RegisterAsync("r", ["regulator"])).Client;
        _as["operator"] = _host.Operator;
        await _host.RegisterAsync("spare", ["buyer"], "beijing");

        await Ok(_as["provider"].PostAsJsonAsync("/v1/offers", Offer("of1"), Json));
        var bid = await Ok(_as["buyer"].PostAsJsonAsync("/v1/bids", Bid("b1", 8), Json));
        _lease = (await ReadAsync(bid))!["leases"]![0]!.GetValue<string>();
        await Ok(_as["buyer"].PostAsJsonAsync("/v1/bids", Bid("b-rest", 8, price: "40.00"), Json));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _stripe.DisposeAsync();
    }

    private static object Offer(string id) => new
    {
        id, cluster = "zhongwei", resourceClass = "ai-fp16-80g", devices = 64,
        from = "2026-12-01T00:00:00+08:00", to = "2026-12-08T00:00:00+08:00", price = "58.00",
    };

    private static object Bid(string id, int devices, string price = "60.00") => new
    {
        id, family = "intelligent", devices, minScuPerDevice = "0.1", minMemoryGb = 40,
        from = "2026-12-01T00:00:00+08:00", to = "2026-12-02T00:00:00+08:00", tier = "cross-hub", minGreen = "0",
        price, commitment = "on-demand", split = true, tif = "GTC",
    };

    private static async Task<HttpResponseMessage> Ok(Task<HttpResponseMessage> call)
    {
        var response = await call;
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    private sealed record Endpoint(string Method, string Path, Func<string, object?> Body, params string[] Allowed);

    private Endpoint[] Endpoints() =>
    [
        new("GET", "/v1/reference", _ => null, AllRoles),
        new("GET", "/v1/metering-standards", _ => null, AllRoles),
        new("POST", "/v1/metering-standards", role => new { version = $"v2-{role}", precisionFactors = new { FP64 = 2, FP32 = 1, FP16 = 0.5, BF16 = 0.5, INT8 = 0.25 },
            resourceClasses = new[] { new { id = "ai-fp16-80g", family = "intelligent", precision = "FP16", peakTflops = 312, memoryGb = 80 } } }, "operator"),
        new("PUT", "/v1/platform/settings", _ => new { period = "day", timeZone = "Asia/Shanghai", computeFeeBp = 300, transportFeeBp = 100 }, "operator"),
        new("POST", "/v1/parties", role => new { id = $"new-{role}", roles = new[] { "provider" } }, "operator"),
        new("GET", "/v1/parties", _ => null, "operator", "regulator"),
        new("GET", "/v1/parties/me", _ => null, AllRoles),
        new("POST", "/v1/parties/spare/keys", _ => null, "operator"),
        new("DELETE", "/v1/parties/spare/keys", _ => null, "operator"),
        new("GET", "/v1/routes", _ => null, "carrier", "regulator", "operator"),
        new("POST", "/v1/offers", role => Offer($"of-{role}"), "provider"),
        new("POST", "/v1/bids", role => Bid($"bid-{role}", 1, "1.00"), "buyer"),
        new("POST", "/v1/orders/no-such-order/cancel", _ => null, "buyer", "provider"),
        new("POST", "/v1/orders/no-such-order/reduce", _ => new { devices = 1 }, "buyer", "provider"),
        new("GET", "/v1/orders", _ => null, "buyer", "provider", "regulator", "operator"),
        new("GET", "/v1/orders/b1", _ => null, "buyer", "provider", "regulator", "operator"),
        new("GET", "/v1/trades", _ => null, "buyer", "provider", "regulator", "operator"),
        new("GET", "/v1/book/intelligent?cluster=zhongwei", _ => null, AllRoles),
        new("GET", $"/v1/leases/{_lease}", _ => null, "buyer", "provider", "regulator", "operator"),
        new("POST", "/v1/usage", role => new { id = $"u-{role}", lease = _lease, from = "2026-12-01T00:00:00+08:00", to = "2026-12-01T01:00:00+08:00", deviceSeconds = 1 }, "provider"),
        new("POST", "/v1/usage/batch", role => new { records = new[] { new { id = $"ub-{role}", lease = _lease, from = "2026-12-01T00:00:00+08:00", to = "2026-12-01T01:00:00+08:00", deviceSeconds = 1 } } }, "provider"),
        new("GET", "/v1/usage", _ => null, "provider", "regulator", "operator"),
        new("POST", "/v1/periods/2026-11-01/close", _ => null, "operator"),
        new("GET", "/v1/invoices", _ => null, "buyer", "regulator", "operator"),
        new("GET", "/v1/exports/focus?period=2026-11-01", _ => null, "buyer", "regulator", "operator"),
        new("GET", "/v1/invoices/2026-11-01.b/pdf", _ => null, "buyer", "regulator", "operator"),
        new("GET", "/v1/statements", _ => null, "provider", "carrier", "issuer", "regulator", "operator"),
        new("GET", "/v1/statements/2026-11-01.provider.p/pdf", _ => null, "provider", "carrier", "issuer", "regulator", "operator"),
        new("GET", "/v1/claims/2026-11-01.issuer.i/pdf", _ => null, "issuer", "regulator", "operator"),
        new("GET", "/v1/region-statements/2026-11-01.region.r/pdf", _ => null, "regulator", "operator"),
        new("GET", "/v1/ledger", _ => null, "regulator", "operator"),
        new("GET", "/v1/verify", _ => null, "regulator", "operator"),
        new("GET", "/v1/checkpoints", _ => null, "regulator", "operator"),
        new("GET", "/v1/checkpoints/2026-11-01", _ => null, "regulator", "operator"),
        new("GET", "/v1/public-key", _ => null, AllRoles),
        new("GET", "/v1/proofs?txId=no-such-tx", _ => null, "regulator", "operator"),
        new("GET", "/v1/verify/statements/2026-11-01/invoice/b", _ => null, "regulator", "operator"),
        new("GET", "/v1/verify/chains/invoice/b", _ => null, "regulator", "operator"),
        new("GET", "/v1/verify/periods/2026-11-01", _ => null, "regulator", "operator"),
        new("POST", "/v1/verify/checkpoints", _ => new { checkpoints = Array.Empty<object>(), publicKeys = Array.Empty<string>() }, "regulator", "operator"),
        new("POST", "/v1/reversals", role => new { id = $"rev-{role}", txId = "no-such-tx", reason = "test" }, "operator"),
        new("POST", "/v1/cash", role => new { type = "payment", id = $"cash-{role}", party = "b", amountFen = 1 }, "operator"),
        new("POST", "/v1/pairings", role => new { id = $"pair-{role}", demandRegion = "east", demandCities = new[] { "shanghai" }, supplyHub = "ningxia",
            weights = new { platform = 2, demand = 1, supply = 1 } }, "operator"),
        new("POST", "/v1/pairings/pair-operator/end", _ => new { endAt = "2027-01-01T00:00:00+08:00" }, "operator"),
        new("GET", "/v1/pairings", _ => null, "operator", "regulator"),
        new("POST", "/v1/programmes", role => new { id = $"prog-{role}", kind = "compute", coverageBp = 3000, capFen = 100000, budgetFen = 1000000,
            validFrom = "2026-12-01T00:00:00+08:00", validTo = "2027-01-01T00:00:00+08:00" }, "issuer"),
        new("POST", "/v1/programmes/prog-issuer/close", _ => null, "issuer"),
        new("GET", "/v1/programmes", _ => null, "issuer", "regulator", "operator"),
        new("POST", "/v1/grants", role => new { id = $"grant-{role}", programme = "prog-issuer", buyer = "b", faceFen = 1000 }, "issuer"),
        new("GET", "/v1/vouchers", _ => null, "buyer", "issuer", "regulator", "operator"),
        new("GET", "/v1/claims", _ => null, "issuer", "regulator", "operator"),
        new("GET", "/v1/reports/metering?period=2026-12-01", _ => null, "regulator", "operator"),
        new("POST", "/v1/invoices/2026-11-01.b/payment-intent", _ => null, "buyer", "operator"),
        new("GET", "/v1/payment-intents", _ => null, "buyer", "regulator", "operator"),
        new("PUT", "/v1/parties/p/payout-account", _ => new { connectedAccountId = "acct_p" }, "operator"),
        new("PUT", "/v1/regions/r/payout-account", _ => new { connectedAccountId = "acct_r" }, "operator"),
        new("POST", "/v1/payouts", role => new { id = $"po-{role}", party = "p" }, "operator"),
        new("POST", "/v1/payouts/no-such-payout/retry", _ => null, "operator"),
        new("GET", "/v1/payouts", _ => null, "provider", "carrier", "operator", "regulator"),
        new("GET", "/v1/parties/p/payout-account", _ => null, "operator"),
        new("GET", "/v1/regions/r/payout-account", _ => null, "operator"),
        new("GET", "/v1/refunds", _ => null, "buyer", "issuer", "operator", "regulator"),
        new("GET", "/v1/refunds/no-such-refund", _ => null, "buyer", "issuer", "operator", "regulator"),
        new("GET", "/v1/reconciliation", _ => null, "operator", "regulator"),
        new("GET", "/v1/actions", _ => null, AllRoles),
        // Issue 14: the sandbox's clock (404 not-sandbox here: this host runs on a settable clock, not a sandbox), the usage
        // behind an invoice, a party's own balance and ledger lines.
        new("GET", "/v1/sandbox/clock", _ => null, AllRoles),
        new("POST", "/v1/sandbox/clock/advance", _ => new { by = "PT1H" }, "operator"),
        new("GET", "/v1/invoices/2026-11-01.b/usage", _ => null, "buyer", "regulator", "operator"),
        new("GET", "/v1/balance?party=b", _ => null, AllRoles),
        new("GET", "/v1/balance/lines?party=b", _ => null, AllRoles),
        new("GET", "/v1/utilisation", _ => null, "provider", "regulator", "operator"),
        new("GET", "/v1/utilisation?by=hour", _ => null, "provider", "regulator", "operator"),
        new("GET", "/v1/transport", _ => null, "carrier", "regulator", "operator"),
        new("GET", "/v1/programmes/prog-issuer/periods", _ => null, "issuer", "regulator", "operator"),
        new("GET", "/v1/exports/claims?period=2026-11-01", _ => null, "issuer", "regulator", "operator"),
        new("GET", "/v1/reports/regional", _ => null, "regulator", "operator"),
        new("GET", "/v1/periods", _ => null, "regulator", "operator"),
    ];

    private static async Task<HttpResponseMessage> Call(HttpClient client, Endpoint e, string role)
    {
        var request = new HttpRequestMessage(new HttpMethod(e.Method), e.Path);
        if (e.Body(role) is { } body)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task Every_endpoint_with_every_role_and_with_no_key()
    {
        var failures = new List<string>();
        foreach (var e in Endpoints())
        {
            var anonymous = await Call(_host.Client(), e, "anonymous");
            if (anonymous.StatusCode != HttpStatusCode.Unauthorized)
            {
                failures.Add($"{e.Method} {e.Path} without a key: {(int)anonymous.StatusCode}, expected 401");
            }
            foreach (var role in AllRoles)
            {
                var response = await Call(_as[role], e, role);
                var status = (int)response.StatusCode;
                var allowed = e.Allowed.Contains(role);
                if (status >= 500 || (allowed && status is 401 or 403) || (!allowed && status != 403))
                {
                    failures.Add($"{e.Method} {e.Path} as {role}: {status} ({(allowed ? "allowed" : "not allowed")}) {await response.Content.ReadAsStringAsync()}");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task The_Stripe_webhook_needs_no_key_but_a_valid_signature_whoever_calls()
    {
        foreach (var client in AllRoles.Select(r => _as[r]).Append(_host.Client()))
        {
            var response = await client.PostAsync("/v1/stripe/webhook", new StringContent("{\"id\":\"evt_1\"}", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("invalid-signature", (await ReadAsync(response))!["code"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_buyer_cannot_open_or_see_another_buyers_payment_intent()
    {
        var other = (await _host.RegisterAsync("b3", ["buyer"], "shanghai")).Client;
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync("/v1/invoices/2026-11-01.b/payment-intent", null)).StatusCode);
        Assert.Empty((await ReadAsync(await other.GetAsync("/v1/payment-intents?buyer=b")))!["items"]!.AsArray());
    }

    [Fact]
    public async Task A_party_sees_only_its_own_orders_leases_and_invoices()
    {
        var other = (await _host.RegisterAsync("b2", ["buyer"], "shanghai")).Client;
        var otherProvider = (await _host.RegisterAsync("p2", ["provider"])).Client;

        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync("/v1/orders/b1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/v1/leases/{_lease}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync("/v1/parties/b")).StatusCode);
        Assert.Empty((await ReadAsync(await other.GetAsync("/v1/orders")))!["items"]!.AsArray());
        Assert.Empty((await ReadAsync(await other.GetAsync("/v1/trades")))!["items"]!.AsArray());
        Assert.Equal(2, (await ReadAsync(await _as["buyer"].GetAsync("/v1/orders")))!["items"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.OK, (await _as["regulator"].GetAsync("/v1/orders/b1?party=b")).StatusCode);

        // Cancelling another party's order is `invalid`, and the order stays as it was.
        var cancel = await other.PostAsync("/v1/orders/b-rest/cancel", null);
        Assert.Equal(HttpStatusCode.BadRequest, cancel.StatusCode);
        Assert.Equal("invalid", (await ReadAsync(cancel))!["code"]!.GetValue<string>());
        Assert.Equal("resting", (await ReadAsync(await _as["buyer"].GetAsync("/v1/orders/b-rest")))!["state"]!.GetValue<string>());

        // Another provider cannot report usage on this lease.
        _host.Clock.Set(At("2026-12-01T02:00:00+08:00"));
        var usage = await otherProvider.PostAsJsonAsync("/v1/usage",
            new { id = "u1", lease = _lease, from = "2026-12-01T00:00:00+08:00", to = "2026-12-01T01:00:00+08:00", deviceSeconds = 100 }, Json);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, usage.StatusCode);
        Assert.Equal("not-lease-provider", (await ReadAsync(usage))!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Rotated_and_revoked_keys_stop_working_at_once()
    {
        var (client, oldKey) = await _host.RegisterAsync("rotating", ["buyer"], "hangzhou");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/parties/me")).StatusCode);

        var rotated = await _host.Operator.PostAsync("/v1/parties/rotating/keys", null);
        Assert.Equal(HttpStatusCode.Created, rotated.StatusCode);
        var newKey = (await ReadAsync(rotated))!["apiKey"]!.GetValue<string>();
        Assert.NotEqual(oldKey, newKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/v1/parties/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _host.Client(newKey).GetAsync("/v1/parties/me")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await _host.Operator.DeleteAsync("/v1/parties/rotating/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _host.Client(newKey).GetAsync("/v1/parties/me")).StatusCode);

        var forged = _host.Client();
        forged.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Basic b3BlcmF0b3I6eA==");
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/v1/ledger")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _host.Client("cnk_not-a-real-key").GetAsync("/v1/ledger")).StatusCode);
    }

    [Fact]
    public async Task Registering_again_returns_the_party_without_a_key_and_other_content_is_id_reused()
    {
        var again = await _host.Operator.PostAsJsonAsync("/v1/parties", new { id = "b", roles = new[] { "buyer" }, city = "shanghai", sme = true }, Json);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var body = (await ReadAsync(again))!;
        Assert.Null(body["apiKey"]);
        Assert.False(body["created"]!.GetValue<bool>());

        var reused = await _host.Operator.PostAsJsonAsync("/v1/parties", new { id = "b", roles = new[] { "provider" } }, Json);
        Assert.Equal(HttpStatusCode.Conflict, reused.StatusCode);
        Assert.Equal("id-reused", (await ReadAsync(reused))!["code"]!.GetValue<string>());
        Assert.Equal("application/problem+json", reused.Content.Headers.ContentType!.MediaType);
    }
}
