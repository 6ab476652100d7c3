using System.CommandLine;
using System.Diagnostics;
using ComputeNet.Application;
using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Settlement.ClosePeriod;
using ComputeNet.Domain;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;

namespace ComputeNet.Cli;

/// <summary>The operator's period close from the command line: the same <see cref="ClosePeriodRequest"/> as <c>POST /v1/periods/{period}/close</c>.</summary>
internal static class CloseCommand
{
    public static Command Create()
    {
        var period = new Option<string>("--period") { Description = "settlement period, YYYY-MM-DD (or YYYY-MM on monthly platforms)", Required = true };
        var schema = new Option<string>("--schema") { Description = "event-store schema (default computenet; the demo writes 'demo')", DefaultValueFactory = _ => ComputeNetSettings.DefaultSchema };
        var at = new Option<string?>("--at")
        {
            Description = "the instant the close records as its time, ISO 8601, not in the future (default: now). For replays, backfills and crash tests, so that a repeated close of an identical fixture gives identical hashes",
        };
        var close = new Command("close", "close an ended settlement period: rate it, issue invoices and statements, post the ledger; closing again changes nothing")
            { period, schema, at };
        close.SetAction(async (parse, ct) =>
        {
            Instant? closeAt = null;
            if (parse.GetValue(at) is { } text)
            {
                var parsed = InstantPattern.ExtendedIso.Parse(text);
                if (!parsed.Success)
                {
                    return Exit.UsageError($"--at '{text}' is not an ISO 8601 UTC instant (e.g. 2026-12-02T02:00:00Z)");
                }
                closeAt = parsed.Value;
            }
            var connection = await Hosting.ConnectionStringAsync(ct);
            if (!await ComputeNetServices.SchemaExistsAsync(connection, parse.GetValue(schema)!, ct))
            {
                return Exit.UsageError($"no schema '{parse.GetValue(schema)}' in this database (the demo writes 'demo')");
            }
            // The platform's one clock: a sandbox's test clock (ADR 0024), else the real one.
            var clock = await Application.Sandbox.SandboxSchema.ClockForAsync(connection, parse.GetValue(schema)!, ct);
            if (closeAt is { } dated)
            {
                if (dated > clock.GetCurrentInstant())
                {
                    // A period may be closed only after its end on the platform's clock: a close dated in the future would issue
                    // invoices dated then and turn the period's later usage late.
                    return Exit.UsageError($"--at {parse.GetValue(at)} lies in the future: --at dates a close of a past period (tests, backfills); a period closes only after its end");
                }
                clock = new SettableClock(dated);
            }
            await using var services = ComputeNetServices.Compose(new ComputeNetSettings(connection, parse.GetValue(schema)!), clock, Hosting.AddMediator);
            await services.InitialiseComputeNetAsync(ct);
            // Crash tests read these two lines to time their kills: the first once the process is ready, the second once committed.
            Console.WriteLine($"closing {parse.GetValue(period)}");
            var watch = Stopwatch.StartNew();
            try
            {
                var summary = await services.GetRequiredService<ISender>().Send(new ClosePeriodRequest(parse.GetValue(period)!), ct);
                Console.WriteLine($"{(summary.AlreadyClosed ? "already closed" : "closed")} {summary.Period}: {summary.Invoices} invoices, {summary.Lines} lines, " +
                    $"{summary.Transactions} transactions in {watch.Elapsed.TotalSeconds:0.00} s");
                return 0;
            }
            catch (RejectedException e)
            {
                return Exit.RefusedBy(e);
            }
        });
        return close;
    }
}
