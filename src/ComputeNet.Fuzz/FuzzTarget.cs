using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ComputeNet.Api;
using ComputeNet.Application;
using ComputeNet.Application.Database;
using ComputeNet.Application.Infrastructure;
using Microsoft.AspNetCore.Builder;
using NodaTime;
using Npgsql;

namespace ComputeNet.Fuzz;

/// <summary>
/// What the fuzzer sends to: an API host it starts in-process on a schema of its own (the default; stopped and the
/// schema dropped on dispose), or a running <c>serve</c>. Either way it seeds one party per role through the API
/// (operator registers them) and a little market (an offer, a trade, a resting bid; in-process also usage and a closed
/// period), and keeps each role's current key. With database access (in-process, or a served schema named) it can
/// fingerprint what a refused write must not change: the event log's last sequence number, the ledger's accounts,
/// the usage rows and the order documents.
/// </summary>
public sealed class FuzzTarget : IAsyncDisposable
{
    private readonly WebApplication? _app;
    private readonly string? _connection;
    private readonly string? _schema;
    private readonly bool _ownsSchema;
    private readonly Dictionary<string, string> _keys = new();

    private FuzzTarget(Uri address, string operatorKey, WebApplication? app, string? connection, string? schema, bool ownsSchema, SettableClock? clock)
    {
        Address = address;
        _app = app;
        _connection = connection;
        _schema = schema;
        _ownsSchema = ownsSchema;
        Clock = clock;
        _keys["operator"] = operatorKey;
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = System.Net.DecompressionMethods.None, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(100),
        };
    }

    public Uri Address { get; }
    public HttpClient Http { get; }
    public SettableClock? Clock { get; }
    public FuzzWorld World { get; private set; } = null!;
    public string? Schema => _schema;
    public bool CanFingerprint => _connection is not null && _schema is not null;

    /// <summary>The seed party's id for a role (operator: "operator").</summary>
    public string PartyOf(string role) => World.PartyOfRole[role];

    /// <summary>The current key of a role (the operator's, or the seed party's).</summary>
    public string KeyOf(string role) => _keys[role];

    /// <summary>
    /// Starts the API host in-process on a new schema of the embedded (or configured) database, on a settable clock at
    /// 2026-11-30T08:00+08:00, seeds it, closes 2026-12-01, and leaves the clock at 2026-12-02T08:00+08:00.
    /// </summary>
    /// <param name="hostArgs">Configuration switches for the host (e.g. --ComputeNet:Stripe:SecretKey=…).</param>
    public static async Task<FuzzTarget> StartInProcessAsync(string[]? hostArgs = null, string? connectionString = null, CancellationToken ct = default)
    {
        var connection = connectionString ?? await DatabaseConnection.ResolveAsync(ct: ct);
        var schema = $"fuzz_{Guid.NewGuid():N}"[..20];
        var clock = new SettableClock(Instant.FromDateTimeOffset(DateTimeOffset.Parse("2026-11-30T08:00:00+08:00", System.Globalization.CultureInfo.InvariantCulture)));
        var operatorKey = "fuzz-operator-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var app = await ApiHost.BuildAsync(new ApiHostOptions
        {
            Args = ["--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.AspNetCore=Error", .. hostArgs ?? []],
            Urls = "http://127.0.0.1:0",
            ConnectionString = connection,
            Schema = schema,
            OperatorKey = operatorKey,
            Clock = clock,
            Environment = "Production",
            SigningKeyPath = Path.Combine(Path.GetTempPath(), "computenet-fuzz-keys", "platform-signing-key.pem"),
            AsyncDaemon = JasperFx.Events.Daemon.DaemonMode.Disabled,
        }, ct);
        await app.StartAsync(ct);
        var target = new FuzzTarget(new Uri(app.Urls.First()), operatorKey, app, connection, schema, true, clock);
        try
        {
            await target.SeedAsync("fz", DateTimeOffset.Parse("2026-12-01T00:00:00+08:00", System.Globalization.CultureInfo.InvariantCulture), ct);
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }
        return target;
    }

    /// <summary>
    /// A running server at <paramref name="url"/>. Seeds parties with a fresh prefix (so runs never collide) and a market
    /// window starting at the next whole hour. <paramref name="schema"/> (with the database the server uses) lets the
    /// fuzzer check that refused writes change nothing; without it only answers are checked.
    /// </summary>
    public static async Task<FuzzTarget> ConnectAsync(Uri url, string operatorKey, string? schema, string? connectionString = null, CancellationToken ct = default)
    {
        var connection = schema is null ? null : connectionString ?? await DatabaseConnection.ResolveAsync(ct: ct);
        var target = new FuzzTarget(url, operatorKey, null, connection, schema, false, null);
        var now = DateTimeOffset.UtcNow;
        var nextHour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(1);
        await target.SeedAsync($"fz{Random.Shared.Next(100_000, 999_999)}", nextHour, ct);
        return target;
    }

    private HttpClient As(string role)
    {
        var client = new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _keys[role]);
        return client;
    }

    private static async Task<JsonNode?> Expect(HttpResponseMessage response, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"fuzz seed: {what} answered {(int)response.StatusCode}: {text}");
        }
        return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
    }

    private async Task SeedAsync(string prefix, DateTimeOffset window, CancellationToken ct)
    {
        var json = ApiHost.JsonOptions;
        var parties = new Dictionary<string, string> { ["operator"] = "operator" };
        using var op = As("operator");
        async Task Register(string role, object body, string id)
        {
            var answer = await Expect(await op.PostAsJsonAsync("/v1/parties", body, json, ct), $"register {id}");
            _keys[role] = answer!["apiKey"]!.GetValue<string>();
            parties[role] = id;
        }
        await Register("buyer", new { id = $"{prefix}-buyer", roles = new[] { "buyer" }, city = "shanghai", sme = true }, $"{prefix}-buyer");
        await Register("provider", new { id = $"{prefix}-provider", roles = new[] { "provider" } }, $"{prefix}-provider");
        await Register("carrier", new { id = $"{prefix}-carrier", roles = new[] { "carrier" }, routes = new[] { new { cities = new[] { "shanghai" }, clusters = new[] { "zhongwei" } } } }, $"{prefix}-carrier");
        await Register("issuer", new { id = $"{prefix}-issuer", roles = new[] { "issuer" } }, $"{prefix}-issuer");
        await Register("regulator", new { id = $"{prefix}-regulator", roles = new[] { "regulator" } }, $"{prefix}-regulator");
        await Expect(await op.PostAsJsonAsync("/v1/parties", new { id = $"{prefix}-spare", roles = new[] { "buyer" }, city = "beijing" }, json, ct), "register spare");

        string Iso(DateTimeOffset t) => t.ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);
        using var provider = As("provider");
        using var buyer = As("buyer");
        using var issuer = As("issuer");
        await Expect(await provider.PostAsJsonAsync("/v1/offers", new { id = "of1", cluster = "zhongwei", resourceClass = "ai-fp16-80g", devices = 64,
            from = Iso(window), to = Iso(window.AddDays(7)), price = "58.00" }, json, ct), "offer");
        var bid = await Expect(await buyer.PostAsJsonAsync("/v1/bids", new { id = "b1", family = "intelligent", devices = 8, minScuPerDevice = "0.1", minMemoryGb = 40,
            from = Iso(window), to = Iso(window.AddDays(1)), tier = "cross-hub", minGreen = "0", price = "60.00", commitment = "on-demand", split = true, tif = "GTC" }, json, ct), "bid");
        var lease = bid!["leases"]![0]!.GetValue<string>();
        await Expect(await buyer.PostAsJsonAsync("/v1/bids", new { id = "b-rest", family = "intelligent", devices = 8, minScuPerDevice = "0.1", minMemoryGb = 40,
            from = Iso(window), to = Iso(window.AddDays(1)), tier = "cross-hub", minGreen = "0", price = "40.00", commitment = "on-demand", split = true, tif = "GTC" }, json, ct), "resting bid");
        await Expect(await issuer.PostAsJsonAsync("/v1/programmes", new { id = "prog1", kind = "compute", coverageBp = 3000, capFen = 500_000, budgetFen = 10_000_000,
            validFrom = Iso(window.AddDays(-30)), validTo = Iso(window.AddDays(60)), buyerCities = new[] { "shanghai" }, families = new[] { "intelligent" } }, json, ct), "programme");
        await Expect(await issuer.PostAsJsonAsync("/v1/grants", new { id = "g1", programme = "prog1", buyer = parties["buyer"], faceFen = 100_000 }, json, ct), "grant");

        var periods = new List<string> { window.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) };
        if (Clock is not null)
        {
            // Past the window's day: report the day's usage and close it, so invoices, statements and proofs exist.
            Clock.Set(Instant.FromDateTimeOffset(window.AddDays(1).AddHours(8)));
            await Expect(await provider.PostAsJsonAsync("/v1/usage", new { id = "u1", lease, from = Iso(window), to = Iso(window.AddHours(1)),
                deviceSeconds = 8 * 3600, energyKwh = "17.5", greenKwh = "14.9", transferGb = "12.5" }, json, ct), "usage");
            await Expect(await op.PostAsync($"/v1/periods/{periods[0]}/close", null, ct), "close");
        }

        var reference = await Expect(await op.GetAsync("/v1/reference", ct), "reference");
        string[] Ids(string list) => (reference?[list] as JsonArray ?? []).Select(x => x?["id"]?.GetValue<string>()).OfType<string>().ToArray();
        var families = (reference?["resourceClasses"] as JsonArray ?? []).Select(x => x?["family"]?.GetValue<string>()).OfType<string>().Distinct().ToArray();
        var partyIds = parties.Values.Append($"{prefix}-spare").ToArray();
        var hubs = Ids("hubs");
        var clusters = Ids("clusters");
        var cities = Ids("cities");
        var classes = Ids("resourceClasses");
        var known = new Dictionary<string, string[]>
        {
            ["partyid"] = partyIds, ["party"] = partyIds, ["buyer"] = [parties["buyer"], $"{prefix}-spare"], ["source"] = [parties["provider"]],
            ["orderid"] = ["of1", "b1", "b-rest"], ["leaseid"] = [lease], ["lease"] = [lease],
            ["period"] = [.. periods, periods[0][..7]],
            ["invoiceid"] = [$"{periods[0]}.{parties["buyer"]}"],
            ["statementid"] = [$"{periods[0]}.provider.{parties["provider"]}", $"{periods[0]}.carrier.{parties["carrier"]}"],
            ["programmeid"] = ["prog1"], ["programme"] = ["prog1"], ["pairingid"] = ["pair1"], ["payoutid"] = ["po1"],
            ["txid"] = [$"{periods[0]}.1", "tx-1"],
            ["cluster"] = clusters, ["clusters"] = clusters, ["hub"] = hubs, ["supplyhub"] = hubs, ["supplyhubs"] = hubs,
            ["city"] = cities, ["cities"] = cities, ["buyercities"] = cities, ["demandcities"] = cities, ["demandregion"] = [.. hubs, "east", "west", "shanghai"],
            ["resourceclass"] = classes, ["id"] = ["of1", "b1", "u1", "g1", "prog1", "pair1", "po1"],
            ["family"] = families, ["families"] = families,
            ["tier"] = ["city", "regional", "cross-hub"], ["commitment"] = ["reserved", "on-demand"], ["tif"] = ["GTC", "IOC", "FOK"],
            ["role"] = RequestGenerator.Roles, ["roles"] = RequestGenerator.Roles,
            ["kind"] = ["compute", "transport", "provider", "carrier", "issuer", "buyer"],
            ["type"] = ["payment", "payout", "reimbursement"], ["account"] = ["provider", "carrier"],
            ["status"] = ["pending", "paid", "failed", "in-flight"], ["timezone"] = ["Asia/Shanghai", "UTC", "Asia/Yangon", "Pacific/Kiritimati", "Etc/GMT+12", "Mars/Olympus"],
            ["precision"] = ["FP64", "FP32", "FP16", "BF16", "INT8"], ["version"] = ["v1", "v2"], ["connectedaccountid"] = ["acct_1", "acct_"],
            ["displayname"] = ["中卫算力", "Fuzz"], ["reason"] = ["correction"],
            ["any"] = [.. partyIds, lease, "of1", .. clusters],
        };
        World = new FuzzWorld { PartyOfRole = parties, Known = known, Around = window };
    }

    /// <summary>
    /// After a write that may have changed a seed party's key (rotation or revocation by the operator), makes sure
    /// every role holds a working key again: a rotated key is taken from the answer, a revoked one is issued anew.
    /// </summary>
    public async Task KeepKeysAsync(FuzzRequest request, HttpResponseMessage response, string body, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode || !request.Target.StartsWith("/v1/parties/", StringComparison.Ordinal) || !request.Target.Contains("/keys", StringComparison.Ordinal))
        {
            return;
        }
        foreach (var (role, party) in World.PartyOfRole)
        {
            if (role == "operator" || !request.Target.StartsWith($"/v1/parties/{FuzzValues.PercentEncode(party)}/keys", StringComparison.Ordinal))
            {
                continue;
            }
            var issued = request.Method == "POST" ? JsonNode.Parse(body)?["apiKey"]?.GetValue<string>() : null;
            if (issued is null)
            {
                using var op = As("operator");
                issued = (await Expect(await op.PostAsync($"/v1/parties/{party}/keys", null, ct), $"re-issue {party}'s key"))!["apiKey"]!.GetValue<string>();
            }
            _keys[role] = issued;
        }
    }

    /// <summary>
    /// What a refused write must leave as it was: the last event sequence number, the ledger's accounts (a hash of their
    /// documents), the usage rows and the order documents (count and last modification). Null without database access.
    /// </summary>
    public async Task<string?> FingerprintAsync(CancellationToken ct)
    {
        if (!CanFingerprint)
        {
            return null;
        }
        await using var connection = new NpgsqlConnection(_connection);
        await connection.OpenAsync(ct);
        var s = _schema;
        await using var command = new NpgsqlCommand($"""
            select concat_ws('|',
              (select coalesce(max(seq_id), 0) from {s}.mt_events),
              (select md5(coalesce(string_agg(id || '=' || data::text, ',' order by id), '')) from {s}.mt_doc_ledgeraccountview),
              (select count(*) from {s}.cn_usage_records),
              (select count(*) || ':' || coalesce(max(mt_last_modified)::text, '') from {s}.mt_doc_orderdocument))
            """, connection);
        return (string?)await command.ExecuteScalarAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        if (_ownsSchema && _connection is not null && _schema is not null)
        {
            await ComputeNetServices.DropSchemaAsync(_connection, _schema);
        }
    }
}
