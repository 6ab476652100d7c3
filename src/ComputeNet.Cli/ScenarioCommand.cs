using Microsoft.Extensions.DependencyInjection;
using System.CommandLine;
using ComputeNet.Application.Scenarios;
using Spectre.Console;

namespace ComputeNet.Cli;

internal static class ScenarioCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "scenario JSON file (docs/scenarios.md)" };
        var outDir = new Option<DirectoryInfo>("--out") { Description = "folder for the outputs", Required = true };
        var keep = new Option<bool>("--keep-schema") { Description = "keep the run's event-store schema for inspection" };
        var run = new Command("run", "replay a scenario through the application commands and write its outputs") { file, outDir, keep };
        run.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                return Exit.UsageError($"no scenario file at {path.FullName}");
            }
            try
            {
                var result = await Run(await File.ReadAllTextAsync(path.FullName, ct), parse.GetValue(outDir)!.FullName, null, parse.GetValue(keep), ct);
                Summary.Print(result, parse.GetValue(outDir)!.FullName);
                return 0;
            }
            catch (ScenarioFormatException e)
            {
                return Exit.UsageError($"{e.Message}");
            }
        });
        var scenario = new Command("scenario", "run scenario files (what-if analysis, regression checks, demos)");
        scenario.Subcommands.Add(run);
        return scenario;
    }

    public static async Task<ScenarioResult> Run(string json, string outFolder, string? schema, bool keepSchema, CancellationToken ct,
        Action<IServiceCollection>? policies = null)
    {
        var connection = await Hosting.ConnectionStringAsync(ct);
        var runner = new ScenarioRunner(services =>
        {
            Hosting.AddMediator(services);
            policies?.Invoke(services);
        });
        var result = await runner.RunAsync(json, new ScenarioRunOptions(connection, schema, keepSchema), ct);
        await result.WriteAsync(outFolder, ct);
        return result;
    }
}
