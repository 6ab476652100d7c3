using System.CommandLine;
using ComputeNet.Cli;

if (Console.IsOutputRedirected)
{
    Spectre.Console.AnsiConsole.Profile.Width = 160;
}

var root = new RootCommand("ComputeNet — compute trading and settlement marketplace (东数西算). Commands: demo, scenario run, serve, cluster, db, close, export, report, verify, checkpoints, reconcile, bench, replay, documents, fuzz.");
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(ScenarioCommand.Create());
root.Subcommands.Add(DbCommand.Create());
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(ClusterCommand.Create());
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
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // Exit codes (Exit.cs): a wrong call is a usage error (2), never confused with a failed check (1).
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine(error.Message);
    }
    Console.Error.WriteLine("Run with --help for the commands and their options.");
    return Exit.Usage;
}
try
{
    // Who did what: what the operator's commands append is logged as the CLI's user; `serve` acts as each request's key.
    if (parsed.CommandResult.Command.Name is "serve")
    {
        return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }
    using (ComputeNet.Application.Actions.Acting.As(ComputeNet.Application.Actions.Actor.Cli()))
    {
        return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}
catch (Exception e)
{
    Console.Error.WriteLine($"failed: {e.GetType().Name}: {e.Message}");
    Console.Error.WriteLine(e.StackTrace);
    return Exit.Failed;
}
