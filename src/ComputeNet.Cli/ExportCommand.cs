using System.CommandLine;
using System.Text;
using ComputeNet.Application;
using ComputeNet.Application.Exports.ExportFocus;
using ComputeNet.Domain;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace ComputeNet.Cli;

/// <summary>Exports for buyers' and regulators' own tools.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var period = new Option<string>("--period") { Description = "closed settlement period, YYYY-MM-DD (or YYYY-MM on monthly platforms)", Required = true };
        var schema = new Option<string>("--schema") { Description = "event-store schema (default computenet; the demo writes 'demo')", DefaultValueFactory = _ => ComputeNetSettings.DefaultSchema };
        var buyer = new Option<string?>("--buyer") { Description = "only this buyer's invoice lines (default: every buyer's)" };
        var outFile = new Option<FileInfo>("--out") { Description = "CSV file to write", Required = true };
        var focus = new Command("focus", "invoice lines of a closed period as a FinOps FOCUS 1.2 CSV (docs/focus.md)") { period, schema, buyer, outFile };
        focus.SetAction(async (parse, ct) =>
        {
            var connection = await Hosting.ConnectionStringAsync(ct);
            if (!await ComputeNetServices.SchemaExistsAsync(connection, parse.GetValue(schema)!, ct))
            {
                return Exit.UsageError($"no schema '{parse.GetValue(schema)}' in this database (the demo writes 'demo')");
            }
            await using var services = ComputeNetServices.Compose(new ComputeNetSettings(connection, parse.GetValue(schema)!), null, Hosting.AddMediator);
            await services.InitialiseComputeNetAsync(ct);
            try
            {
                var dataset = await services.GetRequiredService<ISender>().Send(new ExportFocusRequest(parse.GetValue(period), parse.GetValue(buyer)), ct);
                var file = parse.GetValue(outFile)!;
                file.Directory?.Create();
                await File.WriteAllTextAsync(file.FullName, dataset.Csv, new UTF8Encoding(false), ct);
                AnsiConsole.MarkupLineInterpolated($"FOCUS 1.2: {dataset.Rows.Count} rows (invoice lines) of {parse.GetValue(period)} → {file.FullName}");
                return 0;
            }
            catch (RejectedException e)
            {
                return Exit.RefusedBy(e);
            }
        });
        var export = new Command("export", "export settlement data in standard formats");
        export.Subcommands.Add(focus);
        return export;
    }
}
