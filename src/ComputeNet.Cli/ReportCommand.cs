using System.CommandLine;
using System.Text.Json;
using ComputeNet.Application;
using ComputeNet.Application.Reports.GetMeteringReport;
using ComputeNet.Application.Scenarios;
using ComputeNet.Domain;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace ComputeNet.Cli;

internal static class ReportCommand
{
    public static Command Create()
    {
        var period = new Option<string>("--period") { Description = "settlement period, YYYY-MM-DD (or YYYY-MM on monthly platforms)", Required = true };
        var schema = new Option<string>("--schema") { Description = "event-store schema (default computenet; the demo writes 'demo')", DefaultValueFactory = _ => ComputeNetSettings.DefaultSchema };
        var json = new Option<bool>("--json") { Description = "print the report as JSON instead of tables" };
        var metering = new Command("metering", "SCU-hours, energy and green share per hub and cluster, utilisation beside the platform-wide figure, east→west flow")
            { period, schema, json };
        metering.SetAction(async (parse, ct) =>
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
                var report = await services.GetRequiredService<ISender>().Send(new GetMeteringReportRequest(parse.GetValue(period)!), ct);
                if (parse.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(report, ScenarioJson.Options));
                }
                else
                {
                    Summary.PrintReport(report);
                }
                return 0;
            }
            catch (RejectedException e)
            {
                return Exit.RefusedBy(e);
            }
        });
        var report = new Command("report", "reports for operators and regulators");
        report.Subcommands.Add(metering);
        return report;
    }
}
