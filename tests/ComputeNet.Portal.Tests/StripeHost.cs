using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ComputeNet.Api.Tests;
using ComputeNet.Application;
using ComputeNet.Application.Database;
using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Scenarios;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

namespace ComputeNet.Portal.Tests;

/// <summary>
/// A second real host for the tests that must move time forward or talk to Stripe, which the shared <see cref="PortalFixture"/>
/// cannot do without disturbing the other tests (its clock never goes back): the demo day replayed into a schema of its own,
/// a clock of its own starting at the same morning, and Stripe configured against <see cref="FakeStripe"/> on a loopback port
/// (publishable key included, so the invoice page mounts the Payment Element). It shares the fixture's browser.
/// </summary>
public sealed class StripeHost : IAsyncLifetime
{
    public const string OperatorKey = "portal-stripe-host-operator-key-0123456789";
    public const string PublishableKey = "pk_test_fake_0123456789";

    private static readonly string SigningKeyPath = Path.Combine(Path.GetTempPath(), "computenet-test-keys", "platform-signing-key.pem");

    private WebApplication? _app;
    private string _connection = "";

    public FakeStripe Stripe { get; private set; } = null!;
    public string Schema { get; private set; } = "";
    public Uri Address { get; private set; } = null!;
    public SettableClock Clock { get; } = new(PortalFixture.Now);
    public Dictionary<string, string> Keys { get; } = new(StringComparer.Ordinal);

    public async ValueTask InitializeAsync()
    {
        Stripe = await FakeStripe.StartAsync();
        _connection = await DatabaseConnection.ResolveAsync();
        var demo = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "demo-market-day.json"));
        var run = await new ScenarioRunner(PortalFixture.AddMediator).RunAsync(demo, new ScenarioRunOptions(_connection, KeepSchema: true,
            SigningKeyPath: SigningKeyPath));
        Schema = run.Schema;
        _app = await Api.ApiHost.BuildAsync(new Api.ApiHostOptions
        {
            Args =
            [
                "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.AspNetCore.Antiforgery=Error",
                .. Stripe.HostArgs(),
                $"--ComputeNet:Stripe:PublishableKey={PublishableKey}",
            ],
            Urls = "http://127.0.0.1:0",
            ConnectionString = _connection,
            Schema = Schema,
            OperatorKey = OperatorKey,
            Clock = Clock,
            Environment = "Production",
            SigningKeyPath = SigningKeyPath,
            AsyncDaemon = JasperFx.Events.Daemon.DaemonMode.Disabled,
        });
        await _app.StartAsync();
        Address = new Uri(_app.Urls.First());
        foreach (var party in new[] { "sme-sh-ai", "sme-cd-edu", "prov-nx" })
        {
            Keys[party] = await ApiCalls.RotateKeyAsync(Address, OperatorKey, party);
        }
    }

    public HttpClient ApiClient(string key) => ApiCalls.Client(Address, key);

    public Task<JsonNode> GetJsonAsync(string key, string path) => ApiCalls.GetJsonAsync(Address, key, path);

    /// <summary>A browser context of the shared browser at this host's address.</summary>
    public Task<IBrowserContext> NewContextAsync(PortalFixture portal, int width = 1280) =>
        portal.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Address.ToString().TrimEnd('/'),
            ViewportSize = new ViewportSize { Width = width, Height = 900 },
            Locale = "zh-CN",
            TimezoneId = "Asia/Shanghai",
        });

    public async Task<(IBrowserContext Context, IPage Page)> SignedInAsync(PortalFixture portal, string key)
    {
        var context = await NewContextAsync(portal);
        var page = await context.NewPageAsync();
        await BrowserSteps.SignInAsync(page, key);
        Assert.DoesNotContain("/signin", page.Url, StringComparison.Ordinal);
        return (context, page);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        if (Schema.Length > 0)
        {
            await ComputeNetServices.DropSchemaAsync(_connection, Schema);
        }
        if (Stripe is not null)
        {
            await Stripe.DisposeAsync();
        }
    }
}
