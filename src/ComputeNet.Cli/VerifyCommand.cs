using System.CommandLine;
using ComputeNet.Application;
using ComputeNet.Application.Audit.Verify;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace ComputeNet.Cli;

internal static class VerifyCommand
{
    public static Command Create()
    {
        var schema = new Option<string>("--schema") { Description = "event-store schema (default computenet; the demo writes 'demo')", DefaultValueFactory = _ => ComputeNetSettings.DefaultSchema };
        var verify = new Command("verify", "recompute every statement hash, chain link and period Merkle root from stored history; exit 1 and name what fails") { schema };
        verify.SetAction(async (parse, ct) =>
        {
            var connection = await Hosting.ConnectionStringAsync(ct);
            if (!await ComputeNetServices.SchemaExistsAsync(connection, parse.GetValue(schema)!, ct))
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] no schema '{parse.GetValue(schema)}' in this database (the demo writes 'demo')");
                return 2;
            }
            await using var services = ComputeNetServices.Compose(new ComputeNetSettings(connection, parse.GetValue(schema)!), null, Hosting.AddMediator);
            await services.InitialiseComputeNetAsync(ct);
            var report = await services.GetRequiredService<ISender>().Send(new VerifyHistoryRequest(), ct);
            foreach (var p in report.PeriodResults)
            {
                AnsiConsole.MarkupLine((p.Ok ? "[green]ok[/]   " : "[red]FAIL[/] ") + Markup.Escape($"{p.Period}: {p.Statements} statements, {p.Transactions} transactions, Merkle root {p.MerkleRoot}"));
            }
            foreach (var f in report.Failures)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]{f}[/]");
            }
            AnsiConsole.MarkupLine((report.Ok ? "[green]verified[/]" : "[red]verification failed[/]")
                + Markup.Escape($": {report.Periods} periods, {report.Statements} statements, {report.Transactions} transactions"));
            return report.Ok ? 0 : 1;
        });
        return verify;
    }
}
