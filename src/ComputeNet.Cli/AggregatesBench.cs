using System.CommandLine;
using System.Diagnostics;
using ComputeNet.Application;
using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Parties;
using ComputeNet.Application.Parties.ManageApiKeys;
using ComputeNet.Application.Parties.RegisterParty;
using ComputeNet.Application.Vouchers.CreateProgramme;
using ComputeNet.Application.Vouchers.GrantVoucher;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Spectre.Console;

namespace ComputeNet.Cli;

/// <summary>
/// Streams per aggregate (issue 12): a grant's latency with one programme on the platform and with N, and an API key's
/// authentication (unknown key: one indexed read; known key: the cache) with few and with many parties. The figures with
/// one and with N should be the same: a grant reads its own programme's stream, a key one index entry.
/// </summary>
internal static class AggregatesBench
{
    private static readonly Instant Start = Instant.FromUtc(2026, 11, 30, 0, 0);

    public static Command Create()
    {
        var programmes = new Option<int>("--programmes") { Description = "programmes on the platform at the second measurement", DefaultValueFactory = _ => 10_000 };
        var parties = new Option<int>("--parties") { Description = "buyers registered before the second measurement", DefaultValueFactory = _ => 2_000 };
        var samples = new Option<int>("--samples") { Description = "timed operations per figure", DefaultValueFactory = _ => 200 };
        var command = new Command("aggregates", "grant latency with 1 and with N programmes; API key authentication (unknown and known key) with few and many parties")
        {
            programmes, parties, samples,
        };
        command.SetAction(async (parse, ct) =>
        {
            await RunAsync(Math.Max(2, parse.GetValue(programmes)), Math.Max(1, parse.GetValue(parties)), Math.Max(10, parse.GetValue(samples)), ct);
            return 0;
        });
        return command;
    }

    private static async Task RunAsync(int programmeCount, int partyCount, int samples, CancellationToken ct)
    {
        const string schema = "bench_aggregates";
        var connection = await Hosting.ConnectionStringAsync(ct);
        await ComputeNetServices.DropSchemaAsync(connection, schema, ct);
        var clock = new SettableClock(Start);
        var services = ComputeNetServices.Compose(new ComputeNetSettings(connection, schema), clock, Hosting.AddMediator);
        await services.InitialiseComputeNetAsync(ct);
        var sender = services.GetRequiredService<ISender>();
        await sender.Send(new RegisterPartyRequest("bench-gov", ["issuer"]), ct);
        var buyer = await sender.Send(new RegisterPartyRequest("bench-sme-0", ["buyer"], "shanghai", Sme: true, IssueApiKey: true), ct);
        var table = new Table().AddColumns("figure", "median ms", "p99 ms");

        async Task Programme(int i) => await sender.Send(new CreateProgrammeRequest("bench-gov", $"p{i:D5}", "compute", 3000, 1_000_000_000_000,
            1_000_000_000_000, Start.Plus(Duration.FromDays(1)), Start.Plus(Duration.FromDays(30))), ct);
        var grants = 0;
        async Task MeasureAsync(string label)
        {
            var grantTimes = new List<double>();
            for (var i = 0; i < samples; i++)
            {
                var watch = Stopwatch.StartNew();
                await sender.Send(new GrantVoucherRequest("bench-gov", $"g{grants++}", "p00000", "bench-sme-0", 100), ct);
                grantTimes.Add(watch.Elapsed.TotalMilliseconds);
            }
            var unknown = new List<double>();
            var known = new List<double>();
            for (var i = 0; i < samples; i++)
            {
                var key = ApiKeys.New().Key;
                var watch = Stopwatch.StartNew();
                await sender.Send(new AuthenticateApiKeyRequest(key), ct);
                unknown.Add(watch.Elapsed.TotalMilliseconds);
                watch.Restart();
                await sender.Send(new AuthenticateApiKeyRequest(buyer.ApiKey!), ct);
                known.Add(watch.Elapsed.TotalMilliseconds);
            }
            Row(table, $"grant ({label})", grantTimes);
            Row(table, $"authenticate, unknown key ({label})", unknown);
            Row(table, $"authenticate, known key ({label})", known);
        }

        await Programme(0);
        await MeasureAsync("1 programme, 2 parties");
        var setup = Stopwatch.StartNew();
        for (var i = 1; i < programmeCount; i++)
        {
            await Programme(i);
        }
        for (var i = 1; i <= partyCount; i++)
        {
            await sender.Send(new RegisterPartyRequest($"bench-sme-{i}", ["buyer"], "shanghai", Sme: true, IssueApiKey: true), ct);
        }
        AnsiConsole.MarkupLine($"[grey]{programmeCount - 1} programmes and {partyCount} parties added in {setup.Elapsed.TotalSeconds:0.0} s[/]");
        await MeasureAsync($"{programmeCount} programmes, {partyCount + 2} parties");
        AnsiConsole.Write(table);
        await services.DisposeAsync();
        await ComputeNetServices.DropSchemaAsync(connection, schema, ct);
    }

    private static void Row(Table table, string label, List<double> times)
    {
        times.Sort();
        table.AddRow(label, $"{times[times.Count / 2]:0.00}", $"{times[Math.Min(times.Count - 1, (int)(times.Count * 0.99))]:0.00}");
    }
}
