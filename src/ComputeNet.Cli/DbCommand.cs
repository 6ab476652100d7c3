using System.CommandLine;
using ComputeNet.Application;
using ComputeNet.Application.Database;
using ComputeNet.Application.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace ComputeNet.Cli;

internal static class DbCommand
{
    public static Command Create()
    {
        var db = new Command("db", "the embedded PostgreSQL cluster (used when COMPUTENET_DB is not set)");
        var start = new Command("start", "create (first time) and start the embedded cluster; print its connection string");
        start.SetAction(async (_, ct) =>
        {
            var pg = new EmbeddedPostgres();
            var cs = await pg.EnsureStartedAsync(ct);
            AnsiConsole.MarkupLineInterpolated($"running: {cs}");
            AnsiConsole.MarkupLineInterpolated($"data folder: {pg.DataDirectory}");
            return 0;
        });
        var stop = new Command("stop", "stop the embedded cluster (the demo leaves it running for the next command)");
        stop.SetAction(async (_, ct) =>
        {
            var pg = new EmbeddedPostgres();
            var stopped = await pg.StopAsync(ct);
            AnsiConsole.MarkupLine(stopped ? $"stopped the embedded cluster on port {pg.Port}" : "the embedded cluster was not running");
            return 0;
        });
        var status = new Command("status", "say whether the embedded cluster is running");
        status.SetAction(async (_, ct) =>
        {
            var pg = new EmbeddedPostgres();
            var running = await pg.IsRunningAsync(ct);
            AnsiConsole.MarkupLineInterpolated($"{(running ? "running" : "stopped")} — port {pg.Port}, data folder {pg.DataDirectory}");
            return 0;
        });
        var schema = new Option<string>("--schema") { Description = "event-store schema (default computenet; the demo writes 'demo')", DefaultValueFactory = _ => ComputeNetSettings.DefaultSchema };
        var rebuild = new Command("rebuild-projections",
            "rebuild the settlement read models (inline: closed periods, chain heads, checkpoints, ledger balances, transactions and log; async: invoices, statements, claims, periods and ledger lines) from a schema's events; stop the serve hosts of the schema first") { schema };
        rebuild.SetAction(async (parse, ct) =>
        {
            var connection = await Hosting.ConnectionStringAsync(ct);
            var name = parse.GetValue(schema)!;
            if (!await ComputeNetServices.SchemaExistsAsync(connection, name, ct))
            {
                return Exit.UsageError($"no schema '{name}' in this database");
            }
            await using var services = ComputeNetServices.Compose(new ComputeNetSettings(connection, name), null, Hosting.AddMediator);
            await services.InitialiseComputeNetAsync(ct);
            await SettlementReadModels.EnsureAsync(services.GetRequiredService<Marten.IDocumentStore>(), force: true, m => AnsiConsole.MarkupLineInterpolated($"{m}"), ct);
            return 0;
        });
        var sandboxSchema = new Option<string>("--schema") { Description = "the sandbox's schema", Required = true };
        var dropSandbox = new Command("drop-sandbox", "drop a sandbox's schema and everything in it (refused for a schema that is not a sandbox); stop its serve first")
            { sandboxSchema };
        dropSandbox.SetAction(async (parse, ct) =>
        {
            var connection = await Hosting.ConnectionStringAsync(ct);
            var name = parse.GetValue(sandboxSchema)!;
            if (await Application.Sandbox.SandboxSchema.ReadAsync(connection, name, ct) is not { } clock)
            {
                return Exit.UsageError($"schema '{name}' is not a sandbox (or does not exist): only sandboxes are dropped by this command");
            }
            await ComputeNetServices.DropSchemaAsync(connection, name, ct);
            AnsiConsole.MarkupLineInterpolated($"dropped sandbox '{name}' (its clock stood at {clock})");
            return 0;
        });
        db.Subcommands.Add(start);
        db.Subcommands.Add(dropSandbox);
        db.Subcommands.Add(rebuild);
        db.Subcommands.Add(stop);
        db.Subcommands.Add(status);
        return db;
    }
}
