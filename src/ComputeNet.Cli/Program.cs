using System.CommandLine;
using ComputeNet.Cli;

if (Console.IsOutputRedirected)
{
    Spectre.Console.AnsiConsole.Profile.Width = 160;
}

var root = new RootCommand("ComputeNet — compute trading and settlement marketplace (东数西算). Commands: demo, scenario run, serve, db, close, export, report, verify, checkpoints, reconcile, bench, replay, documents, fuzz.");
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(ScenarioCommand.Create());
root.Subcommands.Add(DbCommand.Create());
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(ReportCommand.Create());
root.Subcommands.Add(VerifyCommand.Create());
root.Subcommands.Add(DocumentsCommand.Create());
root.Subcommands.Add(ReplayCommand.Create());
root.Subcommands.Add(CloseCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(CheckpointsCommand.Create());
root.Subcommands.Add(ReconcileCommand.Create());
root.Subcommands.Add(FuzzCommand.Create());
return await root.Parse(args).InvokeAsync();
