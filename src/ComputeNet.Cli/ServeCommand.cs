using System.CommandLine;
using ComputeNet.Api;
using ComputeNet.Api.Hosting;

namespace ComputeNet.Cli;

internal static class ServeCommand
{
    /// <summary>Exit code when Production refuses the configuration (a short operator key, a trust-authenticated database, an exposed signing key).</summary>
    public const int RefusedExitCode = 78;

    /// <summary>The schema <c>serve --sandbox</c> serves unless <c>--schema</c> names another.</summary>
    public const string SandboxSchemaName = "sandbox";

    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = $"where to listen (default {ApiHost.DefaultUrls})", DefaultValueFactory = _ => ApiHost.DefaultUrls };
        var environment = new Option<string?>("--environment")
        {
            Description = "Production (default, unless ASPNETCORE_ENVIRONMENT says otherwise) refuses an operator key under 32 characters, a database "
                + "that checks no password and a signing key readable by others; Development skips those checks and serves a browsable API reference at /scalar",
        };
        var insecureDatabase = new Option<bool>("--allow-insecure-database")
        {
            Description = "in Production, serve a database that checks no password (the embedded cluster, trust-authenticated) anyway, with a warning",
        };
        var schema = new Option<string?>("--schema")
        {
            Description = $"event-store schema to serve (default computenet, with --sandbox '{SandboxSchemaName}'; 'demo' serves what the demo wrote)",
        };
        var sandbox = new Option<bool>("--sandbox")
        {
            Description = "run the platform on a test clock the operator advances (POST /v1/sandbox/clock/advance), in a schema marked a sandbox for good "
                + $"(default '{SandboxSchemaName}'); a plain serve refuses a sandbox schema, and --sandbox refuses a schema with real history",
        };
        var clockStart = new Option<string?>("--clock-start")
        {
            Description = "with --sandbox: where a new sandbox's clock starts, ISO 8601 with offset (default: now); a sandbox that exists goes on from its clock",
        };
        var serve = new Command("serve", "run the HTTP API on the embedded database (or COMPUTENET_DB); the operator key comes from ComputeNet__OperatorKey")
        {
            urls, environment, insecureDatabase, schema, sandbox, clockStart,
        };
        serve.SetAction(async (parse, ct) =>
        {
            NodaTime.Instant? start = null;
            if (parse.GetValue(clockStart) is { } text)
            {
                if (!parse.GetValue(sandbox))
                {
                    return Exit.UsageError("--clock-start sets a sandbox's test clock: give --sandbox too");
                }
                var parsed = NodaTime.Text.OffsetDateTimePattern.ExtendedIso.Parse(text);
                if (!parsed.Success)
                {
                    return Exit.UsageError($"--clock-start '{text}' is not an ISO 8601 time with an offset (e.g. 2026-12-01T08:00:00+08:00)");
                }
                start = parsed.Value.ToInstant();
            }
            try
            {
                await ApiHost.RunAsync(new ApiHostOptions
                {
                    Urls = parse.GetValue(urls),
                    Environment = parse.GetValue(environment),
                    Schema = parse.GetValue(schema) ?? (parse.GetValue(sandbox) ? SandboxSchemaName : null),
                    EnforceProductionChecks = true,
                    AllowInsecureDatabase = parse.GetValue(insecureDatabase),
                    Sandbox = parse.GetValue(sandbox),
                    SandboxStart = start,
                }, ct);
                return 0;
            }
            catch (StartupRefusedException e)
            {
                Console.Error.WriteLine(e.Message);
                if (e.Message.StartsWith("refusing to start in Production", StringComparison.Ordinal))
                {
                    Console.Error.WriteLine("(--environment Development skips these checks, for a machine of your own)");
                }
                return RefusedExitCode;
            }
        });
        return serve;
    }
}
