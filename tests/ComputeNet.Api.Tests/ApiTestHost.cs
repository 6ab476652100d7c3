using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComputeNet.Application;
using ComputeNet.Application.Database;
using ComputeNet.Application.Infrastructure;
using Microsoft.AspNetCore.Builder;
using NodaTime;
using NodaTime.Text;

namespace ComputeNet.Api.Tests;

/// <summary>
/// The real API host on a free loopback port (real Kestrel, real HTTP), over real PostgreSQL in a schema of
/// its own, on a settable clock. Disposing stops it and drops the schema.
/// </summary>
public sealed class ApiTestHost : IAsyncDisposable
{
    public const string OperatorKey = "test-operator-key-0123456789";
    private static readonly Lazy<Task<string>> Database = new(() => DatabaseConnection.ResolveAsync());

    public static readonly JsonSerializerOptions Json = CreateJson();

    private readonly WebApplication _app;
    private readonly string _connection;

    private ApiTestHost(WebApplication app, string connection, string schema, SettableClock clock, Uri address)
    {
        _app = app;
        _connection = connection;
        Schema = schema;
        Clock = clock;
        Address = address;
    }

    public string Schema { get; }
    public SettableClock Clock { get; }
    public Uri Address { get; }

    public static Instant At(string iso) => OffsetDateTimePattern.ExtendedIso.Parse(iso).GetValueOrThrow().ToInstant();

    /// <summary>Starts a host; <paramref name="args"/> are configuration switches (e.g. --ComputeNet:Stripe:SecretKey=…).</summary>
    /// <param name="daemon">Marten's async daemon in the host (as <c>serve</c> runs it: HotCold); null: none, and every
    /// read catches the async read models up inline first, so a read after a write sees it without waiting.</param>
    /// <param name="schema">An existing schema to serve (a restart); null: a new one.</param>
    /// <param name="connection">Another PostgreSQL server (fault drills stop and start their own); null: the checkout's cluster.</param>
    public static async Task<ApiTestHost> StartAsync(Instant now, string[]? args = null, JasperFx.Events.Daemon.DaemonMode? daemon = null, string? schema = null,
        string? connection = null)
    {
        connection ??= await Database.Value;
        schema ??= $"api_{Guid.NewGuid():N}"[..20];
        var clock = new SettableClock(now);
        var app = await ApiHost.BuildAsync(new ApiHostOptions
        {
            Args = args ?? [],
            Urls = "http://127.0.0.1:0",
            ConnectionString = connection,
            Schema = schema,
            OperatorKey = OperatorKey,
            Clock = clock,
            Environment = "Production",
            SigningKeyPath = Path.Combine(Path.GetTempPath(), "computenet-test-keys", "platform-signing-key.pem"),
            AsyncDaemon = daemon ?? JasperFx.Events.Daemon.DaemonMode.Disabled,
        });
        await app.StartAsync();
        return new ApiTestHost(app, connection, schema, clock, new Uri(app.Urls.First())) { _args = args };
    }

    /// <summary>A client authenticated with <paramref name="key"/> (none: anonymous).</summary>
    public HttpClient Client(string? key = null)
    {
        var client = new HttpClient { BaseAddress = Address };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return client;
    }

    public HttpClient Operator => Client(OperatorKey);

    /// <summary>Registers a party as the operator and returns a client holding its new key.</summary>
    public async Task<(HttpClient Client, string Key)> RegisterAsync(string id, string[] roles, string? city = null, bool sme = false, object? routes = null)
    {
        var response = await Operator.PostAsJsonAsync("/v1/parties", new { id, roles, city, sme, routes }, Json);
        var body = await ReadAsync(response);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"register {id}: {(int)response.StatusCode} {body}");
        var key = body!["apiKey"]!.GetValue<string>();
        return (Client(key), key);
    }

    /// <summary>Registers the party <paramref name="body"/> describes (any fields of <c>POST /v1/parties</c>) and returns a client holding its key.</summary>
    public async Task<HttpClient> RegisterClientAsync(object body)
    {
        var response = await Ok(Operator.PostAsJsonAsync("/v1/parties", body, Json));
        return Client((await ReadAsync(response))!["apiKey"]!.GetValue<string>());
    }

    /// <summary>Awaits <paramref name="call"/> and asserts it succeeded (its status and body in the message).</summary>
    public static async Task<HttpResponseMessage> Ok(Task<HttpResponseMessage> call)
    {
        var response = await call;
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    /// <summary>Awaits <paramref name="call"/>, asserts it answered <paramref name="status"/> and returns its JSON body (an empty object for none).</summary>
    public static async Task<JsonNode> Expect(HttpStatusCode status, Task<HttpResponseMessage> call)
    {
        var response = await call;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        return string.IsNullOrWhiteSpace(text) ? new JsonObject() : JsonNode.Parse(text)!;
    }

    public static async Task<JsonNode?> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
    }

    public IServiceProvider Services => _app.Services;

    private bool _ownsSchema = true;
    private string[]? _args;

    /// <summary>Stops this host and starts a new one on the same schema and clock, as a restarted <c>serve</c> would; the new one owns the schema.</summary>
    public async Task<ApiTestHost> RestartAsync(JasperFx.Events.Daemon.DaemonMode? daemon = null)
    {
        _ownsSchema = false;
        _disposed = true;
        await StopAsync();
        return await StartAsync(Clock.GetCurrentInstant(), _args, daemon, Schema);
    }

    /// <summary>Another host on this host's schema and clock time (a cluster of two: ADR 0030); it never drops the schema.</summary>
    public async Task<ApiTestHost> StartPeerAsync(string[]? args = null)
    {
        var peer = await StartAsync(Clock.GetCurrentInstant(), args ?? _args, schema: Schema, connection: _connection);
        peer._ownsSchema = false;
        return peer;
    }

    /// <summary>Stops this host gracefully (as SIGTERM would) and keeps the schema, which disposing drops later.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }
        _stopped = true;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private bool _stopped;

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        await StopAsync();
        if (_ownsSchema)
        {
            await ComputeNetServices.DropSchemaAsync(_connection, Schema);
        }
    }

    private bool _disposed;

    private static JsonSerializerOptions CreateJson()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ApiHost.Configure(o);
        return o;
    }
}
