using System.Text.Json.Serialization;
using ComputeNet.Api.Endpoints;
using ComputeNet.Api.Errors;
using ComputeNet.Api.Hosting;
using ComputeNet.Api.Security;
using ComputeNet.Application;
using ComputeNet.Application.Database;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;
using Scalar.AspNetCore;

namespace ComputeNet.Api;

/// <summary>
/// Times in request bodies must carry their offset ("Z" or ±hh:mm): a bare local time would be read in the server's
/// time zone, so the same request could mean different instants on different machines.
/// </summary>
public sealed class ExplicitOffsetConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options)
    {
        var text = reader.GetString() ?? throw new System.Text.Json.JsonException("a time is a string");
        var parsed = NodaTime.Text.OffsetDateTimePattern.ExtendedIso.Parse(text);
        if (!parsed.Success)
        {
            throw new System.Text.Json.JsonException($"'{text}' is not an ISO-8601 time with an offset (e.g. 2026-12-01T00:00:00+08:00)");
        }
        // NodaTime reads years -9998…9999 in any offset; DateTimeOffset holds 0001-01-01T00:00Z…9999-12-31T23:59:59.9999999Z only
        // (so 9999-12-31T20:00:00-05:00, which is 10000-01-01 in UTC, does not fit). Outside that it is malformed input, not a 500.
        try
        {
            if (parsed.Value.Year is >= 1 and <= 9999)
            {
                return parsed.Value.ToDateTimeOffset();
            }
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or OverflowException or InvalidOperationException)
        {
        }
        throw new System.Text.Json.JsonException($"'{text}' is outside the times the platform holds (0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z)");
    }

    public override void Write(System.Text.Json.Utf8JsonWriter writer, DateTimeOffset value, System.Text.Json.JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>How to start the API host. Everything is optional: the defaults serve the embedded database on loopback.</summary>
public sealed record ApiHostOptions
{
    public string[] Args { get; init; } = [];
    /// <summary>Where to listen; default http://127.0.0.1:5080 (configuration key Urls overrides). Port 0 picks a free port.</summary>
    public string? Urls { get; init; }
    public string? ConnectionString { get; init; }
    public string? Schema { get; init; }
    /// <summary>The operator's key; else configuration ComputeNet:OperatorKey; else one is generated and printed at start.</summary>
    public string? OperatorKey { get; init; }
    /// <summary>A clock for tests and scenario-driven runs; the system clock otherwise.</summary>
    public IClock? Clock { get; init; }
    public string? Environment { get; init; }
    /// <summary>The checkpoint signing key (PEM); else configuration ComputeNet:SigningKeyPath; else ~/.computenet/keys/platform-signing-key.pem.</summary>
    public string? SigningKeyPath { get; init; }
    /// <summary>
    /// Marten's async daemon for the read models people list (docs/architecture.md, Read models); else configuration
    /// ComputeNet:AsyncDaemon (HotCold, Solo or Disabled); default HotCold: of several hosts on one schema, one runs it.
    /// Disabled: no daemon, and each read catches the read models up inline first (the CLI's way; the API tests use it).
    /// </summary>
    public JasperFx.Events.Daemon.DaemonMode? AsyncDaemon { get; init; }
    /// <summary>In Production, refuse to start on a short operator key, a database that checks no password or a signing key
    /// others may read (<see cref="ProductionChecks"/>). <c>serve</c> sets it; tests and benchmarks build hosts without it.</summary>
    public bool EnforceProductionChecks { get; init; }
    /// <summary>With <see cref="EnforceProductionChecks"/>: serve a trust-authenticated database (the embedded one) anyway.</summary>
    public bool AllowInsecureDatabase { get; init; }
    /// <summary>Rate limits; else configuration ComputeNet:RateLimits (<see cref="RateLimitSettings"/>).</summary>
    public RateLimitSettings? RateLimits { get; init; }
    /// <summary>
    /// A sandbox (ADR 0024): the platform runs on a test clock the operator advances (<c>/v1/sandbox/clock</c>), kept in the
    /// schema, which is marked a sandbox for good; else configuration ComputeNet:Sandbox. Without it, a sandbox schema is refused.
    /// </summary>
    public bool Sandbox { get; init; }
    /// <summary>Where a new sandbox's clock starts (else configuration ComputeNet:SandboxStart; else the real time, to the second).
    /// Ignored when the schema is a sandbox already: its clock goes on from where it stood.</summary>
    public Instant? SandboxStart { get; init; }
    /// <summary>
    /// Several hosts on one database (ADR 0030): the market's lease and the routing of order commands to its owner; else
    /// configuration ComputeNet:Cluster (<see cref="Application.Cluster.ClusterSettings"/>), on by default.
    /// </summary>
    public Application.Cluster.ClusterSettings? Cluster { get; init; }
}

/// <summary>
/// The HTTP host: authentication by API key, role and ownership checks, RFC 9457 problem details for every
/// error, OpenAPI at /openapi/v1.json (and a browsable reference at /scalar in Development). Endpoints map HTTP to
/// the same Mediator requests as the CLI and the scenario runner.
/// </summary>
public static class ApiHost
{
    public const long MaxRequestBodyBytes = 256 * 1024;
    public const string DefaultUrls = "http://127.0.0.1:5080";

    public static async Task<WebApplication> BuildAsync(ApiHostOptions options, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = options.Args,
            EnvironmentName = options.Environment,
        });
        var telemetry = TelemetrySettings.From(builder.Configuration);
        var urls = options.Urls ?? builder.Configuration["Urls"] ?? DefaultUrls;
        builder.WebHost.UseUrls(telemetry.MetricsUrl is { } metricsUrl ? $"{urls};{metricsUrl}" : urls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            k.AddServerHeader = false;
        });
        builder.Services.Configure<KestrelServerOptions>(k => k.Limits.MaxRequestBodySize = MaxRequestBodyBytes);

        var connection = options.ConnectionString
            ?? await DatabaseConnection.ResolveAsync(builder.Configuration.GetConnectionString("ComputeNet"), ct);
        var operatorKey = options.OperatorKey ?? builder.Configuration["ComputeNet:OperatorKey"];
        var signingKeyPath = options.SigningKeyPath ?? builder.Configuration[Application.Audit.FileSigningKey.ConfigurationKey];
        var cluster = options.Cluster ?? builder.Configuration.GetSection(Application.Cluster.ClusterSettings.Section).Get<Application.Cluster.ClusterSettings>()
            ?? new Application.Cluster.ClusterSettings();
        if (cluster.Enabled && cluster.Problems() is { Count: > 0 } clusterProblems)
        {
            throw new StartupRefusedException(clusterProblems, "refusing to start:");
        }
        if (options.EnforceProductionChecks && builder.Environment.IsProduction())
        {
            await RefuseInsecureProductionAsync(options, builder.Configuration, operatorKey, signingKeyPath, connection, ct,
                cluster.Enabled ? ProductionChecks.AdvertiseProblem(cluster.AdvertiseUrl, urls) : null);
        }
        var schema = options.Schema ?? builder.Configuration["ComputeNet:Schema"] ?? ComputeNetSettings.DefaultSchema;
        var daemon = options.AsyncDaemon
            ?? (Enum.TryParse<JasperFx.Events.Daemon.DaemonMode>(builder.Configuration["ComputeNet:AsyncDaemon"], true, out var configured)
                ? configured : JasperFx.Events.Daemon.DaemonMode.HotCold);
        var clock = await SandboxClockAsync(options, builder.Configuration, connection, schema, ct) ?? options.Clock;
        builder.Services.AddSingleton(new Application.Payments.RefundThroughStripe.RefundSettings(
            builder.Configuration.GetValue(Application.Payments.RefundThroughStripe.RefundSettings.AutoRefundCreditNotesKey, false)));
        builder.Services.AddComputeNet(new ComputeNetSettings(connection, schema, signingKeyPath,
            builder.Configuration.GetConnectionString("ComputeNetReads") is { Length: > 0 } reads ? reads : null), clock, daemon);
        if (cluster.Enabled)
        {
            // One owner per market; order commands reach it from any host (ADR 0030).
            Cluster.MarketRouting.AddMarketCluster(builder.Services, cluster);
        }
        if (Payments.Stripe.StripePayments.AddStripePayments(builder.Services, builder.Configuration))
        {
            // Payouts exactly once: the outbox worker finishes transfers whose outcome a crash or timeout left unknown.
            var every = double.TryParse(builder.Configuration["ComputeNet:Stripe:OutboxIntervalSeconds"], System.Globalization.CultureInfo.InvariantCulture,
                out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : Application.Payments.PayParty.PayoutOutbox.Options.Default.Interval;
            builder.Services.AddSingleton(new Application.Payments.PayParty.PayoutOutbox.Options(every));
            builder.Services.AddSingleton<Application.Payments.PayParty.PayoutOutbox>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<Application.Payments.PayParty.PayoutOutbox>());
        }
        builder.Services.AddMediator(o =>
        {
            o.ServiceLifetime = ServiceLifetime.Singleton;
            o.GenerateTypesAsInternal = true;
            o.Assemblies = [typeof(ComputeNetServices)];
        });

        var generatedKey = operatorKey is null;
        operatorKey ??= Application.Parties.ApiKeys.New().Key;
        var authentication = builder.Services.AddApiKeyAuthentication(operatorKey);
        // The portal (ADR 0023): pages at /, sessions started with the same key check as the API's.
        Portal.PortalSetup.AddComputeNetPortal<PortalKeys>(builder.Services, authentication, builder.Configuration);
        builder.Services.AddSingleton<Portal.Provider.IPortalCloudEvents, Endpoints.PortalCloudEvents>();

        builder.Services.AddApiRateLimits(options.RateLimits ?? RateLimitSettings.From(builder.Configuration));
        builder.Services.AddApiRequestTimeouts(RequestTimeoutSettings.From(builder.Configuration));
        builder.Services.AddApiHealthChecks(HealthSettings.From(builder.Configuration));
        builder.AddApiTelemetry(telemetry);

        builder.Services.ConfigureHttpJsonOptions(o => Configure(o.SerializerOptions));
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            // Authentication, authorisation and routing failures carry a code too, so clients can branch on it alone.
            if (!ctx.ProblemDetails.Extensions.ContainsKey("code"))
            {
                ctx.ProblemDetails.Extensions["code"] = ctx.ProblemDetails.Status switch
                {
                    401 => "unauthenticated",
                    403 => "forbidden",
                    404 => "not-found",
                    405 => "method-not-allowed",
                    _ => "invalid",
                };
            }
        });
        builder.Services.AddExceptionHandler<RejectionExceptionHandler>();
        builder.Services.AddOpenApi("v1", o => o.AddOperationTransformer((operation, context, _) =>
        {
            if (context.Description.RelativePath?.StartsWith("health", StringComparison.Ordinal) == true)
            {
                return Task.CompletedTask;
            }
            // Every limited answer says when to retry.
            foreach (var (status, text) in new[] { ("429", "Too many requests from this API key, or from this address without a valid key (code rate-limited)"),
                ("503", "Unavailable for now: the request timed out (timed-out), read models behind (read-models-behind), or a service not configured") })
            {
                if (operation.Responses?.TryGetValue(status, out var response) == true && response is Microsoft.OpenApi.OpenApiResponse concrete)
                {
                    concrete.Description = text;
                    concrete.Headers ??= new Dictionary<string, Microsoft.OpenApi.IOpenApiHeader>();
                    concrete.Headers["Retry-After"] = new Microsoft.OpenApi.OpenApiHeader
                    {
                        Description = "seconds to wait before retrying",
                        Schema = new Microsoft.OpenApi.OpenApiSchema { Type = Microsoft.OpenApi.JsonSchemaType.Integer },
                    };
                }
            }
            return Task.CompletedTask;
        }).AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "ComputeNet API";
            doc.Info.Version = "v1";
            doc.Info.Description = "Compute trading and settlement (东数西算). Authenticate with Authorization: Bearer <API key>. "
                + "Errors are RFC 9457 problem details with the market-rules `code` and the offending `field`. "
                + "Limits: requests per API key and per client address (429 `rate-limited` with Retry-After), a request timeout "
                + "(503 `timed-out` with Retry-After; 408 when a body arrives too slowly), body sizes (413). "
                + "Health: /health/live and /health/ready, without a key. Metrics: /metrics (Prometheus), operator only.";
            doc.Components ??= new Microsoft.OpenApi.OpenApiComponents();
            doc.Components.SecuritySchemes ??= new Dictionary<string, Microsoft.OpenApi.IOpenApiSecurityScheme>();
            doc.Components.SecuritySchemes["bearer"] = new Microsoft.OpenApi.OpenApiSecurityScheme
            {
                Type = Microsoft.OpenApi.SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "A party's API key (cnk_…), or the operator key from configuration.",
            };
            doc.Security ??= [];
            doc.Security.Add(new Microsoft.OpenApi.OpenApiSecurityRequirement
            {
                [new Microsoft.OpenApi.OpenApiSecuritySchemeReference("bearer", doc)] = [],
            });
            return Task.CompletedTask;
        }));

        var app = builder.Build();
        await app.Services.InitialiseComputeNetAsync(ct);
        if (cluster.Enabled)
        {
            Cluster.MarketRouting.AdvertiseWhenStarted(app, cluster, telemetry.MetricsUrl);
        }
        // Payout transfers in flight are given up (not recorded) when the host stops, so shutdown does not wait on Stripe.
        app.Lifetime.ApplicationStopping.Register(app.Services.GetRequiredService<Application.Payments.PayParty.PayoutAttempts>().Stop);
        app.Lifetime.ApplicationStopping.Register(app.Services.GetRequiredService<Application.Payments.RefundThroughStripe.RefundAttempts>().Stop);

        // Behind a trusted proxy only: the client's address for the per-address limit and the metrics check.
        if (ForwardedHeadersSettings.From(app.Configuration) is { Enabled: true } forwarded)
        {
            app.UseForwardedHeaders(forwarded.ToOptions());
        }
        app.UseExceptionHandler();
        app.UseSecurityHeaders();
        app.Use((http, next) =>
        {
            // Usage batches may carry up to 10,000 records; every other body keeps the small default limit.
            if (http.Request.Path.StartsWithSegments("/v1/usage") && http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = Endpoints.MeteringEndpoints.MaxBatchBodyBytes;
            }
            return next(http);
        });
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseApiRateLimits();
        app.UseRequestTimeouts();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.Use(ActAsCallerAsync);
        app.Use(RefuseNulInQueryAsync);
        app.Use(RefuseUnknownCharsetAsync);
        app.Use(ReadYourWritesAsync);
        app.MapOpenApi();
        app.MapApiHealth();
        app.MapApiMetrics(telemetry);
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference();
        }
        app.MapComputeNetEndpoints();
        if (cluster.Enabled)
        {
            Cluster.MarketRouting.MapMarketRouting(app);
        }
        Portal.PortalSetup.MapComputeNetPortal(app);

        if (generatedKey)
        {
            app.Lifetime.ApplicationStarted.Register(() =>
                Console.WriteLine($"No operator key configured (ComputeNet:OperatorKey); generated for this run: {operatorKey}"));
        }
        return app;
    }

    /// <summary>
    /// The platform's clock when it is a sandbox (ADR 0024); null otherwise. Refuses to start (<see cref="StartupRefusedException"/>)
    /// a sandbox on a schema holding a real platform's history or with a live Stripe key, and a host that is not a sandbox on a
    /// schema that is one (its times were set by a test clock).
    /// </summary>
    private static async Task<IClock?> SandboxClockAsync(ApiHostOptions options, IConfiguration configuration, string connection, string schema, CancellationToken ct)
    {
        const string heading = "refusing to start:";
        if (!options.Sandbox && !configuration.GetValue<bool>("ComputeNet:Sandbox"))
        {
            if (await Application.Sandbox.SandboxSchema.ReadAsync(connection, schema, ct) is { } at)
            {
                throw new StartupRefusedException(
                    [$"schema '{schema}' is a sandbox (its test clock reads {at}); serve it with --sandbox, or serve a schema of its own for real trading"], heading);
            }
            return null;
        }
        if (options.Clock is not null)
        {
            throw new InvalidOperationException("a sandbox runs on its own test clock; do not pass one");
        }
        if (configuration["ComputeNet:Stripe:SecretKey"] is { } secret && secret.StartsWith("sk_live_", StringComparison.Ordinal))
        {
            throw new StartupRefusedException(["a sandbox takes Stripe test keys (sk_test_…) only: its payments must not move real money"], heading);
        }
        var start = options.SandboxStart;
        if (start is null && configuration["ComputeNet:SandboxStart"] is { } text)
        {
            var parsed = NodaTime.Text.OffsetDateTimePattern.ExtendedIso.Parse(text);
            start = parsed.Success ? parsed.Value.ToInstant()
                : throw new StartupRefusedException([$"ComputeNet:SandboxStart '{text}' is not an ISO 8601 time with an offset (e.g. 2026-12-01T08:00:00+08:00)"], heading);
        }
        var now = SystemClock.Instance.GetCurrentInstant();
        var (clock, refusal) = await Application.Sandbox.SandboxSchema.OpenAsync(connection, schema,
            start ?? Instant.FromUnixTimeSeconds(now.ToUnixTimeSeconds()), ct);
        return clock ?? throw new StartupRefusedException([refusal!], heading);
    }

    private static async Task RefuseInsecureProductionAsync(ApiHostOptions options, IConfiguration configuration, string? operatorKey, string? signingKeyPath,
        string connection, CancellationToken ct, string? clusterProblem = null)
    {
        var reasons = ProductionChecks.CheckKeys(operatorKey, Application.Audit.FileSigningKey.ResolvePath(signingKeyPath));
        if (clusterProblem is not null)
        {
            reasons.Add(clusterProblem);
        }
        if (await ProductionChecks.TrustedDatabaseProblemAsync(connection, ct) is { } database)
        {
            if (options.AllowInsecureDatabase || configuration.GetValue<bool>("ComputeNet:AllowInsecureDatabase"))
            {
                Console.Error.WriteLine($"warning: --allow-insecure-database: {database}");
            }
            else
            {
                reasons.Add(database);
            }
        }
        if (reasons.Count > 0)
        {
            throw new StartupRefusedException(reasons);
        }
    }

    /// <summary>
    /// Who did what (issue 13): everything the request appends carries the key that authenticated it (event headers and the
    /// action log, <see cref="Application.Actions.ActionLog"/>).
    /// </summary>
    private static async Task ActAsCallerAsync(HttpContext http, Func<Task> next)
    {
        if (Caller.ActorOf(http.User) is not { } actor)
        {
            await next();
            return;
        }
        using (Application.Actions.Acting.As(actor))
        {
            await next();
        }
    }

    /// <summary>
    /// <c>GET …?consistent=true</c>: the read waits until the async read models (invoices, statements, claims, periods:
    /// Marten's daemon) have projected every event committed before it arrived, so a client reads its own writes (a close,
    /// then its invoices). Without it a list may lag the daemon by its poll interval (docs/api.md, Consistency). 503
    /// <c>read-models-behind</c> when the daemon has not caught up within <see cref="Application.Infrastructure.AsyncReadModels.Timeout"/>.
    /// </summary>
    private static async Task ReadYourWritesAsync(HttpContext http, Func<Task> next)
    {
        if (HttpMethods.IsGet(http.Request.Method) && http.Request.Query.TryGetValue("consistent", out var value)
            && (value == "true" || value == "1"))
        {
            var readModels = http.RequestServices.GetRequiredService<Application.Infrastructure.AsyncReadModels>();
            if (!await readModels.WaitAsync(http.RequestAborted))
            {
                await Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "read models behind",
                    detail: "the read models have not caught up with the events yet; retry", extensions: new Dictionary<string, object?> { ["code"] = "read-models-behind" })
                    .ExecuteAsync(http);
                return;
            }
        }
        await next();
    }

    /// <summary>
    /// A query value holding U+0000 (NUL, <c>%00</c>) is malformed: PostgreSQL text cannot hold it, so no id or name
    /// carries one (400 <c>invalid</c> naming the parameter). Kestrel itself refuses a NUL in the path.
    /// </summary>
    private static async Task RefuseNulInQueryAsync(HttpContext http, Func<Task> next)
    {
        foreach (var (name, values) in http.Request.Query)
        {
            if (name.Contains('\0', StringComparison.Ordinal) || values.Any(v => v?.Contains('\0', StringComparison.Ordinal) == true))
            {
                throw Domain.RejectedException.Of(Domain.Codes.Invalid, "query parameters may not contain U+0000 (NUL)", name.Replace("\0", "", StringComparison.Ordinal));
            }
        }
        await next();
    }

    /// <summary>
    /// A body whose Content-Type names a charset .NET does not know (<c>application/json; charset=nope</c>) cannot be
    /// read: 400 <c>invalid</c> naming the header, rather than the framework's InvalidOperationException (a 500).
    /// </summary>
    private static async Task RefuseUnknownCharsetAsync(HttpContext http, Func<Task> next)
    {
        if (http.Request.ContentType is { } contentType && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media)
            && media.Charset.HasValue && media.Encoding is null)
        {
            throw Domain.RejectedException.Of(Domain.Codes.Invalid, $"the Content-Type names a charset this server does not know ('{media.Charset.Value}'); send UTF-8", "Content-Type");
        }
        await next();
    }

    /// <summary>JSON options of the API, for code that reads bodies by hand.</summary>
    public static System.Text.Json.JsonSerializerOptions JsonOptions { get; } = CreateJsonOptions();

    private static System.Text.Json.JsonSerializerOptions CreateJsonOptions()
    {
        var o = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        Configure(o);
        return o;
    }

    public static void Configure(System.Text.Json.JsonSerializerOptions o)
    {
        o.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);
        o.NumberHandling = JsonNumberHandling.AllowReadingFromString;
        o.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.KebabCaseLower));
        o.Converters.Add(new ExplicitOffsetConverter());
    }

    /// <summary>Runs until stopped, printing where it listens.</summary>
    public static async Task RunAsync(ApiHostOptions options, CancellationToken ct = default)
    {
        var app = await BuildAsync(options, ct);
        var stripe = app.Services.GetRequiredService<Application.Payments.IPaymentGateway>().Configured;
        var sandbox = app.Services.GetRequiredService<IClock>() as Application.Sandbox.SandboxClock;
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            Console.WriteLine(stripe
                ? "Stripe payments configured (ComputeNet:Stripe): invoice payment intents, webhook at /v1/stripe/webhook, payouts by Connect transfer."
                : "Stripe not configured: payments and payouts are recorded offline by the operator (POST /v1/cash); Stripe endpoints answer 503 stripe-not-configured.");
            if (sandbox is not null)
            {
                Console.WriteLine($"Sandbox '{sandbox.Schema}': the platform runs on a test clock, now {sandbox.GetCurrentInstant()}; "
                    + "the operator advances it with POST /v1/sandbox/clock/advance {\"by\":\"PT1H\"} or {\"to\":\"…\"} (GET /v1/sandbox/clock reads it).");
            }
            if (app.Services.GetService<Application.Cluster.MarketLease>() is { } lease)
            {
                Console.WriteLine($"Cluster: host {lease.HostId} advertises {lease.Address}; order commands go to the market's owner "
                    + "(this host or another on the same database; GET /v1/cluster shows which).");
            }
            foreach (var url in app.Urls)
            {
                Console.WriteLine($"ComputeNet API listening on {url} (OpenAPI: {url}/openapi/v1.json{(app.Environment.IsDevelopment() ? $", reference: {url}/scalar" : "")}; portal: {url}/)");
            }
        });
        await app.RunAsync(ct);
    }
}
