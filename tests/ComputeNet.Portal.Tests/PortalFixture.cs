using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ComputeNet.Application;
using ComputeNet.Application.Database;
using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Scenarios;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NodaTime;
using NodaTime.Text;

[assembly: AssemblyFixture(typeof(ComputeNet.Portal.Tests.PortalFixture))]

namespace ComputeNet.Portal.Tests;

/// <summary>
/// One real host (Kestrel on a free loopback port, PostgreSQL in a schema of its own) with the demo day replayed into it
/// through the application requests, the morning after (2026-12-02 10:30 Shanghai); a key for each demo party the tests
/// sign in as; and Debian's Chromium driven by Playwright. Shared by every test of the assembly; disposing stops the
/// browser and the host and drops the schema.
/// </summary>
public sealed class PortalFixture : IAsyncLifetime
{
    public const string OperatorKey = "portal-test-operator-key-0123456789";
    public const string BankPayee = "算力网平台运营有限公司";
    public const string BankName = "中国工商银行上海分行";
    public const string BankAccount = "1001 2345 6789 0000 123";
    public static readonly Instant Now = OffsetDateTimePattern.ExtendedIso.Parse("2026-12-02T10:30:00+08:00").GetValueOrThrow().ToInstant();

    /// <summary>Debian's chromium (apt-get install chromium); CHROMIUM_PATH overrides. Playwright's own browser download is not used.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private static readonly string SigningKeyPath = Path.Combine(Path.GetTempPath(), "computenet-test-keys", "platform-signing-key.pem");

    private WebApplication? _app;
    private string _connection = "";

    public string Connection => _connection;
    private IPlaywright? _playwright;

    public string Schema { get; private set; } = "";
    public Uri Address { get; private set; } = null!;
    public SettableClock Clock { get; } = new(Now);
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The keys issued to the demo's parties for these tests, by party id.</summary>
    public Dictionary<string, string> Keys { get; } = new(StringComparer.Ordinal);

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"no Chromium at {ChromiumPath}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH");
        }
        _connection = await DatabaseConnection.ResolveAsync();
        var demo = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "demo-market-day.json"));
        var run = await new ScenarioRunner(AddMediator).RunAsync(demo, new ScenarioRunOptions(_connection, KeepSchema: true,
            SigningKeyPath: SigningKeyPath));
        Schema = run.Schema;
        _app = await StartHostAsync();
        Address = new Uri(_app.Urls.First());
        foreach (var party in new[] { "sme-sh-ai", "sme-bj-render", "sme-gz-bio", "sme-cd-edu", "prov-nx", "carrier-west", "sh-gov", "regulator-ndrc" })
        {
            Keys[party] = await RotateKeyAsync(party);
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
    }

    /// <summary>
    /// A host on this fixture's schema and clock (a free loopback port), started: the fixture's own, or another one beside it
    /// (a second machine, or the same one after a restart); the caller stops and disposes another one.
    /// </summary>
    public async Task<WebApplication> StartHostAsync()
    {
        var app = await Api.ApiHost.BuildAsync(new Api.ApiHostOptions
        {
            Args =
            [
                "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.AspNetCore.Antiforgery=Error",
                // The platform's collection account, shown on an invoice when Stripe is not configured (BuyerMoneyPageTests).
                $"--ComputeNet:Portal:BankTransfer:Payee={BankPayee}", $"--ComputeNet:Portal:BankTransfer:Bank={BankName}",
                $"--ComputeNet:Portal:BankTransfer:Account={BankAccount}",
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
        await app.StartAsync();
        return app;
    }

    /// <summary>A new key for the party, issued by the operator over the API; the party's previous key stops working at once.</summary>
    public Task<string> RotateKeyAsync(string party) => ApiCalls.RotateKeyAsync(Address, OperatorKey, party);

    /// <summary>An HTTP client of the API (not the portal) holding a key.</summary>
    public HttpClient ApiClient(string key) => ApiCalls.Client(Address, key);

    public Task<JsonNode> GetJsonAsync(string key, string path) => ApiCalls.GetJsonAsync(Address, key, path);

    /// <summary>A fresh browser context (its own cookies) at the portal's address, 1280 px wide unless told.</summary>
    public Task<IBrowserContext> NewContextAsync(int width = 1280, int height = 900) =>
        Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Address.ToString().TrimEnd('/'),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            AcceptDownloads = true,
            Locale = "zh-CN",
            TimezoneId = "Asia/Shanghai",
        });

    public static void AddMediator(IServiceCollection services) =>
        services.AddMediator(options =>
        {
            options.ServiceLifetime = ServiceLifetime.Singleton;
            options.Assemblies = [typeof(ComputeNetServices)];
        });

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        if (Schema.Length > 0)
        {
            await ComputeNetServices.DropSchemaAsync(_connection, Schema);
        }
    }

    /// <summary>docs/portal/ of this checkout (found by walking up to ComputeNet.sln), where the tests put their screenshots.</summary>
    public static string ScreenshotFolder
    {
        get
        {
            foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            {
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                {
                    if (File.Exists(Path.Combine(dir.FullName, "ComputeNet.sln")))
                    {
                        var folder = Path.Combine(dir.FullName, "docs", "portal");
                        Directory.CreateDirectory(folder);
                        return folder;
                    }
                }
            }
            throw new InvalidOperationException("ComputeNet.sln not found above the working directory");
        }
    }
}
