using System.CommandLine;
using ComputeNet.Fuzz;

namespace ComputeNet.Cli;

/// <summary>
/// <c>computenet fuzz</c>: requests generated from the OpenAPI document (CsCheck) against an in-process host (default)
/// or a running <c>serve</c>; prints requests sent, answers per status, the 5xx seen and every failure with its request.
/// </summary>
internal static class FuzzCommand
{
    public static Command Create()
    {
        var requests = new Option<long>("--requests") { Description = "requests to send (default 100000)", DefaultValueFactory = _ => 100_000 };
        var seed = new Option<string?>("--seed") { Description = "CsCheck seed to replay a run (as a failing run prints it); default: random" };
        var url = new Option<string?>("--url") { Description = "a running serve to fuzz (default: an in-process host on a schema of its own, dropped afterwards)" };
        var operatorKey = new Option<string?>("--operator-key") { Description = "the operator key of --url (default: configuration ComputeNet:OperatorKey / env ComputeNet__OperatorKey)" };
        var schema = new Option<string?>("--schema") { Description = "with --url: the schema it serves, so that refused writes are checked to change nothing in the database" };
        var byOperation = new Option<bool>("--by-operation") { Description = "also print each operation's answers by status and problem code, and the first answer of each" };
        var noShrink = new Option<bool>("--no-shrink") { Description = "keep sending every request after a failure (CsCheck otherwise tries only smaller ones, to find the smallest)" };
        var command = new Command("fuzz", "send generated requests to every endpoint under every role; fails on a 5xx, a 4xx that is not a problem with a code, or a refused write that changed something")
        {
            requests, seed, url, operatorKey, schema, noShrink, byOperation,
        };
        command.SetAction(async (parse, ct) =>
        {
            var target = parse.GetValue(url) is { } address
                ? await FuzzTarget.ConnectAsync(new Uri(address, UriKind.Absolute), parse.GetValue(operatorKey) ?? Environment.GetEnvironmentVariable("ComputeNet__OperatorKey")
                    ?? throw new ArgumentException("--url needs --operator-key (or ComputeNet__OperatorKey)"), parse.GetValue(schema), ct: ct)
                : await FuzzTarget.StartInProcessAsync(ct: ct);
            await using var _ = target;
            Console.WriteLine($"fuzzing {target.Address} ({(target.CanFingerprint ? $"schema {target.Schema}: refused writes checked in the database" : "answers only")}); {parse.GetValue(requests):N0} requests");
            var report = await Fuzzer.RunAsync(target, new FuzzOptions
            {
                Requests = parse.GetValue(requests),
                Seed = parse.GetValue(seed),
                Log = Console.WriteLine,
                Shrink = !parse.GetValue(noShrink),
            }, ct);
            Console.Write(report.Summary());
            if (parse.GetValue(byOperation))
            {
                Console.WriteLine("answers per operation:");
                Console.WriteLine(report.ByOperationTable());
                Console.WriteLine("first answer of each kind:");
                foreach (var ((operation, answer), body) in report.FirstAnswer.OrderBy(a => a.Key.Operation, StringComparer.Ordinal).ThenBy(a => a.Key.Answer, StringComparer.Ordinal))
                {
                    Console.WriteLine($"{operation} {answer}: {body}");
                }
            }
            return report.FailureCount == 0 ? 0 : 1;
        });
        return command;
    }
}
