using System.CommandLine;
using ComputeNet.Application.Database;
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
        db.Subcommands.Add(start);
        db.Subcommands.Add(stop);
        db.Subcommands.Add(status);
        return db;
    }
}
