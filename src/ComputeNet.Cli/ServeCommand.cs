using System.CommandLine;
using ComputeNet.Api;

namespace ComputeNet.Cli;

internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = $"where to listen (default {ApiHost.DefaultUrls})", DefaultValueFactory = _ => ApiHost.DefaultUrls };
        var environment = new Option<string>("--environment") { Description = "Development serves a browsable API reference at /scalar", DefaultValueFactory = _ => "Development" };
        var schema = new Option<string?>("--schema") { Description = "event-store schema to serve (default computenet; 'demo' serves what the demo wrote)" };
        var serve = new Command("serve", "run the HTTP API on the embedded database (or COMPUTENET_DB); the operator key comes from ComputeNet__OperatorKey") { urls, environment, schema };
        serve.SetAction(async (parse, ct) =>
        {
            await ApiHost.RunAsync(new ApiHostOptions { Urls = parse.GetValue(urls), Environment = parse.GetValue(environment), Schema = parse.GetValue(schema) }, ct);
            return 0;
        });
        return serve;
    }
}
