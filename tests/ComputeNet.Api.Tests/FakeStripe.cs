using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ComputeNet.Api.Tests;

/// <summary>
/// A small stand-in for Stripe's API on a loopback port, for Stripe.net to talk to through <c>ApiBase</c>: create and
/// list payment intents, transfers and refunds (form-encoded bodies, Stripe's list envelope with <c>has_more</c> and
/// <c>starting_after</c>), the Idempotency-Key honoured (the first answer is replayed), and failures on demand that,
/// like a request that never began executing at Stripe, leave no idempotent result behind.
/// </summary>
public sealed class FakeStripe : IAsyncDisposable
{
    public const string SecretKey = "sk_test_fake_0123456789";
    public const string WebhookSecret = "whsec_test_fake_0123456789";

    private readonly WebApplication _app;
    private readonly object _gate = new();
    private readonly List<JsonObject> _intents = [];
    private readonly List<JsonObject> _transfers = [];
    private readonly List<JsonObject> _refunds = [];
    private readonly Dictionary<string, (int Status, string Body)> _idempotent = new(StringComparer.Ordinal);
    private int _failTransfers;

    private FakeStripe(WebApplication app) => _app = app;

    public string ApiBase => _app.Urls.First();

    /// <summary>
    /// The host arguments that point ComputeNet's Stripe client at this fake (its keys and address, no automatic retries);
    /// <paramref name="fastOutbox"/> adds a 1 s Stripe timeout and a 0.5 s outbox sweep, for tests of lost answers.
    /// </summary>
    public string[] HostArgs(bool fastOutbox = false) =>
    [
        $"--ComputeNet:Stripe:SecretKey={SecretKey}", $"--ComputeNet:Stripe:WebhookSecret={WebhookSecret}",
        $"--ComputeNet:Stripe:ApiBase={ApiBase}", "--ComputeNet:Stripe:MaxNetworkRetries=0",
        .. fastOutbox ? (string[])["--ComputeNet:Stripe:TimeoutSeconds=1", "--ComputeNet:Stripe:OutboxIntervalSeconds=0.5"] : [],
    ];

    /// <summary>Every request as "METHOD path idempotency-key".</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The next <paramref name="count"/> transfer creations fail with a 500 api_error.</summary>
    public void FailNextTransfers(int count) => _failTransfers = count;

    private int _holdTransferAnswers;

    /// <summary>The next <paramref name="count"/> transfers are made, but their answers are held for <see cref="HoldFor"/> (a lost answer).</summary>
    public void HoldNextTransferAnswers(int count) => _holdTransferAnswers = count;

    public TimeSpan HoldFor { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>List pages are small so that Stripe.net's auto-paging is exercised.</summary>
    public int PageSize { get; set; } = 2;

    public static async Task<FakeStripe> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeStripe(app);
        app.MapPost("/v1/payment_intents", (Func<HttpContext, Task<IResult>>)(http => fake.Create(http, fake.NewIntent)));
        app.MapGet("/v1/payment_intents", (HttpContext http) => fake.List(http, fake._intents, "/v1/payment_intents"));
        app.MapPost("/v1/transfers", (Func<HttpContext, Task<IResult>>)(http => fake.Create(http, fake.NewTransfer)));
        app.MapGet("/v1/transfers", (HttpContext http) => fake.List(http, fake._transfers, "/v1/transfers"));
        app.MapPost("/v1/refunds", (Func<HttpContext, Task<IResult>>)(http => fake.Create(http, fake.NewRefund)));
        app.MapGet("/v1/refunds", (HttpContext http) => fake.List(http, fake._refunds, "/v1/refunds"));
        await app.StartAsync();
        return fake;
    }

    /// <summary>Marks an intent paid in full (what a buyer's confirmed card or wallet payment does) and returns it.</summary>
    public JsonObject Succeed(string intentId, long? amountReceived = null)
    {
        lock (_gate)
        {
            var intent = _intents.Single(i => (string)i["id"]! == intentId);
            intent["status"] = "succeeded";
            intent["amount_received"] = amountReceived ?? (long)intent["amount"]!;
            return (JsonObject)intent.DeepClone();
        }
    }

    public JsonObject FailAttempt(string intentId, string code, string message)
    {
        lock (_gate)
        {
            var intent = _intents.Single(i => (string)i["id"]! == intentId);
            if ((string)intent["status"]! != "succeeded")
            {
                intent["status"] = "requires_payment_method";
            }
            intent["last_payment_error"] = new JsonObject { ["type"] = "card_error", ["code"] = code, ["message"] = message };
            return (JsonObject)intent.DeepClone();
        }
    }

    /// <summary>An intent or transfer that appears at Stripe without this platform asking (a planted difference).</summary>
    public void Plant(JsonObject obj)
    {
        lock (_gate)
        {
            ((string)obj["object"]! == "transfer" ? _transfers : _intents).Add(obj);
        }
    }

    private int _dropRefunds;
    private int _holdRefundAnswers;

    /// <summary>The next <paramref name="count"/> refund requests are dropped before Stripe acts (the connection is cut: no answer, nothing made).</summary>
    public void DropNextRefunds(int count) => _dropRefunds = count;

    /// <summary>The next <paramref name="count"/> refunds are made, but their answers are held for <see cref="HoldFor"/> (a lost answer).</summary>
    public void HoldNextRefundAnswers(int count) => _holdRefundAnswers = count;

    public int RefundCount
    {
        get { lock (_gate) { return _refunds.Count; } }
    }

    /// <summary>Every refund made, oldest first (copies).</summary>
    public IReadOnlyList<JsonObject> Refunds
    {
        get { lock (_gate) { return _refunds.Select(r => (JsonObject)r.DeepClone()).ToList(); } }
    }

    /// <summary>Stripe fails a refund after accepting it (e.g. the card was closed) and returns it, for a refund.updated event.</summary>
    public JsonObject FailRefund(string refundId, string reason = "expired_or_canceled_card")
    {
        lock (_gate)
        {
            var refund = _refunds.Single(r => (string)r["id"]! == refundId);
            refund["status"] = "failed";
            refund["failure_reason"] = reason;
            return (JsonObject)refund.DeepClone();
        }
    }

    /// <summary>A pending refund settles and is returned, for a refund.updated event.</summary>
    public JsonObject SucceedRefund(string refundId)
    {
        lock (_gate)
        {
            var refund = _refunds.Single(r => (string)r["id"]! == refundId);
            refund["status"] = "succeeded";
            return (JsonObject)refund.DeepClone();
        }
    }

    public int TransferCount
    {
        get { lock (_gate) { return _transfers.Count; } }
    }

    /// <summary>A dispute (chargeback) of the charge behind <paramref name="intentId"/>, as Stripe sends it in charge.dispute.* events.</summary>
    public static JsonObject Dispute(string id, string intentId, long amount, string reason = "product_not_received") => new()
    {
        ["id"] = id, ["object"] = "dispute", ["amount"] = amount, ["currency"] = "cny", ["charge"] = $"ch_{intentId}",
        ["payment_intent"] = intentId, ["reason"] = reason, ["status"] = "needs_response", ["livemode"] = false,
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["metadata"] = new JsonObject(),
    };

    /// <summary>A Stripe event around <paramref name="obj"/>.</summary>
    public static string Event(string id, string type, JsonObject obj) => new JsonObject
    {
        ["id"] = id, ["object"] = "event", ["api_version"] = "2026-01-28.clover",
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["type"] = type, ["livemode"] = false, ["pending_webhooks"] = 1,
        ["data"] = new JsonObject { ["object"] = obj.DeepClone() }, ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
    }.ToJsonString();

    /// <summary>Stripe's signature scheme: <c>t=unix-seconds,v1=hex(HMAC-SHA256(secret, "t.body"))</c>.</summary>
    public static string Sign(string body, string secret, DateTimeOffset? at = null)
    {
        var t = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{body}"));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    private async Task<IResult> Create(HttpContext http, Func<IFormCollection, JsonObject?> make)
    {
        if (http.Request.Headers.Authorization.ToString() != $"Bearer {SecretKey}")
        {
            return Error(401, "invalid_request_error", "api_key_invalid", "Invalid API Key provided");
        }
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        Requests.Enqueue($"POST {http.Request.Path} {key}");
        if (http.Request.Path == "/v1/refunds" && Interlocked.Decrement(ref _dropRefunds) >= 0)
        {
            // Cut before Stripe acted: the caller gets no answer and nothing is made or remembered under the key.
            http.Abort();
            return Results.Empty;
        }
        var form = await http.Request.ReadFormAsync();
        string held;
        lock (_gate)
        {
            if (key.Length > 0 && _idempotent.TryGetValue($"{http.Request.Path}|{key}", out var saved))
            {
                http.Response.Headers["Idempotent-Replayed"] = "true";
                return Results.Text(saved.Body, "application/json", Encoding.UTF8, saved.Status);
            }
            var created = make(form);
            if (created is null)
            {
                http.Response.Headers["Stripe-Should-Retry"] = "false";
                return Error(500, "api_error", "fake_outage", "the fake Stripe was told to fail this request");
            }
            var body = created.ToJsonString();
            // A refusal (Stripe's 400 with an error object) is remembered under the key like a success.
            var status = created.ContainsKey("error") ? 400 : 200;
            if (key.Length > 0)
            {
                _idempotent[$"{http.Request.Path}|{key}"] = (status, body);
            }
            if (status == 400)
            {
                return Results.Text(body, "application/json", Encoding.UTF8, 400);
            }
            if ((http.Request.Path == "/v1/transfers" && _holdTransferAnswers > 0) || (http.Request.Path == "/v1/refunds" && _holdRefundAnswers > 0))
            {
                // Made, but the answer is lost: the caller times out (or dies) not knowing the outcome.
                if (http.Request.Path == "/v1/refunds")
                {
                    _holdRefundAnswers--;
                }
                else
                {
                    _holdTransferAnswers--;
                }
                held = body;
            }
            else
            {
                return Results.Text(body, "application/json", Encoding.UTF8, 200);
            }
        }
        await Task.Delay(HoldFor, http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        return Results.Text(held, "application/json", Encoding.UTF8, 200);
    }

    private JsonObject? NewIntent(IFormCollection form)
    {
        var types = new JsonArray();
        foreach (var k in form.Keys.Where(k => k.StartsWith("allowed_payment_method_types[", StringComparison.Ordinal) || k.StartsWith("payment_method_types[", StringComparison.Ordinal)).Order())
        {
            types.Add(form[k].ToString());
        }
        var id = $"pi_fake{_intents.Count + 1:D4}";
        var intent = new JsonObject
        {
            ["id"] = id, ["object"] = "payment_intent", ["amount"] = long.Parse(form["amount"]!, CultureInfo.InvariantCulture), ["amount_received"] = 0,
            ["currency"] = form["currency"].ToString(), ["status"] = "requires_payment_method", ["client_secret"] = $"{id}_secret_fake",
            ["payment_method_types"] = types, ["metadata"] = Metadata(form), ["livemode"] = false, ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        };
        _intents.Add(intent);
        return (JsonObject)intent.DeepClone();
    }

    private JsonObject? NewTransfer(IFormCollection form)
    {
        if (_failTransfers > 0)
        {
            _failTransfers--;
            return null;
        }
        var transfer = new JsonObject
        {
            ["id"] = $"tr_fake{_transfers.Count + 1:D4}", ["object"] = "transfer", ["amount"] = long.Parse(form["amount"]!, CultureInfo.InvariantCulture),
            ["currency"] = form["currency"].ToString(), ["destination"] = form["destination"].ToString(), ["metadata"] = Metadata(form),
            ["reversed"] = false, ["amount_reversed"] = 0, ["livemode"] = false, ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        };
        _transfers.Add(transfer);
        return (JsonObject)transfer.DeepClone();
    }

    /// <summary>A refund onto a succeeded intent, never above what the intent received less its earlier refunds (Stripe's rule).</summary>
    private JsonObject? NewRefund(IFormCollection form)
    {
        var intentId = form["payment_intent"].ToString();
        var intent = _intents.SingleOrDefault(i => (string)i["id"]! == intentId);
        if (intent is null || (string)intent["status"]! != "succeeded")
        {
            return StripeError("resource_missing", $"No such payment_intent: '{intentId}'");
        }
        var refunded = _refunds.Where(r => (string)r["payment_intent"]! == intentId && (string)r["status"]! != "failed" && (string)r["status"]! != "canceled")
            .Sum(r => (long)r["amount"]!);
        var amount = form.ContainsKey("amount") ? long.Parse(form["amount"]!, CultureInfo.InvariantCulture) : (long)intent["amount_received"]! - refunded;
        if (amount <= 0 || amount > (long)intent["amount_received"]! - refunded)
        {
            return StripeError(refunded >= (long)intent["amount_received"]! ? "charge_already_refunded" : "amount_too_large",
                $"Refund amount ({amount}) is greater than unrefunded amount on charge ({(long)intent["amount_received"]! - refunded})");
        }
        var refund = new JsonObject
        {
            ["id"] = $"re_fake{_refunds.Count + 1:D4}", ["object"] = "refund", ["amount"] = amount, ["currency"] = (string)intent["currency"]!,
            ["payment_intent"] = intentId, ["charge"] = $"ch_{intentId}", ["status"] = "pending", ["failure_reason"] = null, ["metadata"] = Metadata(form),
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        };
        _refunds.Add(refund);
        return (JsonObject)refund.DeepClone();
    }

    private static JsonObject StripeError(string code, string message) =>
        new() { ["error"] = new JsonObject { ["type"] = "invalid_request_error", ["code"] = code, ["message"] = message } };

    private static JsonObject Metadata(IFormCollection form)
    {
        var metadata = new JsonObject();
        foreach (var k in form.Keys.Where(k => k.StartsWith("metadata[", StringComparison.Ordinal)))
        {
            metadata[k["metadata[".Length..^1]] = form[k].ToString();
        }
        return metadata;
    }

    /// <summary>Newest first, <c>starting_after</c> an id, at most min(limit, PageSize) per page.</summary>
    private IResult List(HttpContext http, List<JsonObject> all, string url)
    {
        Requests.Enqueue($"GET {http.Request.Path}{http.Request.QueryString}");
        lock (_gate)
        {
            IEnumerable<JsonObject> items = Enumerable.Reverse(all);
            var after = http.Request.Query["starting_after"].ToString();
            if (after.Length > 0)
            {
                items = items.SkipWhile(i => (string)i["id"]! != after).Skip(1);
            }
            var limit = Math.Min(int.TryParse(http.Request.Query["limit"], out var l) ? l : 10, PageSize);
            var rest = items.ToList();
            var page = new JsonArray(rest.Take(limit).Select(i => (JsonNode)i.DeepClone()).ToArray());
            var body = new JsonObject { ["object"] = "list", ["data"] = page, ["has_more"] = rest.Count > limit, ["url"] = url };
            return Results.Text(body.ToJsonString(), "application/json", Encoding.UTF8, 200);
        }
    }

    private static IResult Error(int status, string type, string code, string message) => Results.Text(
        new JsonObject { ["error"] = new JsonObject { ["type"] = type, ["code"] = code, ["message"] = message } }.ToJsonString(),
        "application/json", Encoding.UTF8, status);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
