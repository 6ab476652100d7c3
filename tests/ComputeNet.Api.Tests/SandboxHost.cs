using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ComputeNet.Application;
using ComputeNet.Application.Database;
using Microsoft.AspNetCore.Builder;
using NodaTime;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>
/// A sandbox host (ADR 0024) on a free loopback port, in a schema of its own: real Kestrel, real PostgreSQL, its test clock.
/// Not <see cref="ApiTestHost"/>: that one passes a settable clock, which a sandbox refuses.
/// </summary>
internal sealed class SandboxHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _dropSchema;

    private SandboxHost(WebApplication app, string connection, string schema, bool dropSchema)
    {
        _app = app;
        Connection = connection;
        Schema = schema;
        _dropSchema = dropSchema;
        Address = new Uri(app.Urls.First());
    }

    public string Connection { get; }
    public string Schema { get; }
    public Uri Address { get; }

    public static async Task<WebApplication> BuildAsync(string connection, string schema, bool sandbox, Instant? start = null) =>
        await ApiHost.BuildAsync(new ApiHostOptions
        {
            Urls = "http://127.0.0.1:0",
            ConnectionString = connection,
            Schema = schema,
            OperatorKey = OperatorKey,
            Environment = "Production",
            SigningKeyPath = Path.Combine(Path.GetTempPath(), "computenet-test-keys", "platform-signing-key.pem"),
            AsyncDaemon = JasperFx.Events.Daemon.DaemonMode.Disabled,
            Sandbox = sandbox,
            SandboxStart = start,
        });

    public static async Task<SandboxHost> StartAsync(Instant start, string? schema = null, bool dropSchema = true)
    {
        var connection = await DatabaseConnection.ResolveAsync();
        schema ??= $"sbx_{Guid.NewGuid():N}"[..20];
        var app = await BuildAsync(connection, schema, sandbox: true, start);
        await app.StartAsync();
        return new SandboxHost(app, connection, schema, dropSchema);
    }

    /// <summary>Stops this host and starts another on the same schema (its clock read back from the schema).</summary>
    public async Task<SandboxHost> RestartAsync(Instant start)
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _disposed = true;
        var app = await BuildAsync(Connection, Schema, sandbox: true, start);
        await app.StartAsync();
        return new SandboxHost(app, Connection, Schema, _dropSchema);
    }

    public HttpClient Client(string? key = null)
    {
        var client = new HttpClient { BaseAddress = Address };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }
        return client;
    }

    public HttpClient Operator => Client(OperatorKey);

    public async Task<HttpClient> RegisterAsync(string id, string[] roles, string? city = null, bool sme = false)
    {
        var response = await Operator.PostAsJsonAsync("/v1/parties", new { id, roles, city, sme }, Json);
        var body = await ReadAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"register {id}: {(int)response.StatusCode} {body}");
        return Client(body!["apiKey"]!.GetValue<string>());
    }

    public async Task<JsonNode> ClockAsync()
    {
        var response = await Operator.GetAsync("/v1/sandbox/clock");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await ReadAsync(response))!;
    }

    public async Task<HttpResponseMessage> AdvanceAsync(object body) => await Operator.PostAsJsonAsync("/v1/sandbox/clock/advance", body, Json);

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_dropSchema)
        {
            await ComputeNetServices.DropSchemaAsync(Connection, Schema);
        }
    }
}
