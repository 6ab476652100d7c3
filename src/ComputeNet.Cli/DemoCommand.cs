using System.CommandLine;
using Spectre.Console;

namespace ComputeNet.Cli;

internal static class DemoCommand
{
    public const string DemoSchema = "demo";

    public static Command Create()
    {
        var outDir = new Option<DirectoryInfo>("--out") { Description = "folder for the demo's outputs", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("out", "demo")) };
        var demo = new Command("demo", "run a realistic small market day end to end on the embedded database and print what happened") { outDir };
        demo.SetAction(async (parse, ct) =>
        {
            await using var stream = typeof(DemoCommand).Assembly.GetManifestResourceStream("Demo.demo-market-day.json")
                ?? throw new InvalidOperationException("the built-in demo scenario is missing from the assembly");
            var json = await new StreamReader(stream).ReadToEndAsync(ct);
            var folder = parse.GetValue(outDir)!.FullName;
            AnsiConsole.MarkupLine("[bold]ComputeNet demo[/] — one market day (2026-12-01, Asia/Shanghai): providers in eastern and western hubs, SME buyers in five cities.");
            AnsiConsole.MarkupLine("Replaying [grey]demo-market-day.json[/] through the application commands against PostgreSQL (schema [grey]demo[/], kept for inspection)…");
            var result = await ScenarioCommand.Run(json, folder, DemoSchema, keepSchema: true, ct);
            Summary.Print(result, folder);
            return result.Ledger.TrialBalanceFen == 0 ? 0 : 1;
        });
        return demo;
    }
}
