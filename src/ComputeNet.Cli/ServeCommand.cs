using System.CommandLine;
using ComputeNet.Api;
using ComputeNet.Api.Hosting;

namespace ComputeNet.Cli;

internal static class ServeCommand
{
    /// <summary>Exit code when Production refuses the configuration (a short operator key, a trust-authenticated database, an exposed signing key).</summary>
    public const int RefusedExitCode = 78;

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
        var schema = new Option<string?>("--schema") { Description = "event-store schema to serve (default computenet; 'demo' serves what the demo wrote)" };
        var serve = new Command("serve", "run the HTTP API on the embedded database (or COMPUTENET_DB); the operator key comes from ComputeNet__OperatorKey")
        {
            urls, environment, insecureDatabase, schema,
        };
        serve.SetAction(async (parse, ct) =>
        {
            try
            {
                await ApiHost.RunAsync(new ApiHostOptions
                {
                    Urls = parse.GetValue(urls),
                    Environment = parse.GetValue(environment),
                    Schema = parse.GetValue(schema),
                    EnforceProductionChecks = true,
                    AllowInsecureDatabase = parse.GetValue(insecureDatabase),
                }, ct);
                return 0;
            }
            catch (StartupRefusedException e)
            {
                Console.Error.WriteLine(e.Message);
                Console.Error.WriteLine("(--environment Development skips these checks, for a machine of your own)");
                return RefusedExitCode;
            }
        });
        return serve;
    }
}
