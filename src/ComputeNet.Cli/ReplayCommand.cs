using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ComputeNet.Domain.Market;
using ComputeNet.Domain.Market.Engine;

namespace ComputeNet.Cli;

/// <summary>
/// <c>replay --orders FILE --trades OUT</c>: runs an order stream of one market through the matching engine that
/// serves the API and writes its trades; <c>replay generate</c> writes such a stream (an exchange-like mix).
/// </summary>
internal static class ReplayCommand
{
    public const string Header = "op,order_id,party,side,price,quantity,tif";

    public static Command Create()
    {
        var orders = new Option<FileInfo>("--orders") { Description = "order stream (CSV: " + Header + ")", Required = true };
        var trades = new Option<FileInfo>("--trades") { Description = "where to write the trades (CSV: taker,maker,price,quantity)", Required = true };
        var runs = new Option<int>("--runs") { Description = "timed runs; the best is reported", DefaultValueFactory = _ => 3 };
        var replay = new Command("replay", "replay an order stream through the matching engine; prints {ops, trades, seconds, ops_per_s} as its last line")
        {
            orders, trades, runs,
        };
        replay.SetAction(parse => Run(parse.GetValue(orders)!, parse.GetValue(trades)!, Math.Max(1, parse.GetValue(runs))));

        var count = new Option<int>("--count") { Description = "operations to write", DefaultValueFactory = _ => 1_000_000 };
        var output = new Option<FileInfo>("--out") { Description = "the CSV file to write", Required = true };
        var seed = new Option<int>("--seed") { Description = "random seed (same seed, same file)", DefaultValueFactory = _ => 1 };
        var generate = new Command("generate", "write an exchange-like order stream: ~85 % limit orders near the touch, ~10 % cancels, a few IOC/FOK bids")
        {
            count, output, seed,
        };
        generate.SetAction(parse =>
        {
            var file = parse.GetValue(output)!;
            var sw = Stopwatch.StartNew();
            var written = Generate(file.FullName, parse.GetValue(count), parse.GetValue(seed));
            Console.WriteLine($"wrote {written:N0} operations to {file.FullName} in {sw.Elapsed.TotalSeconds:F1} s");
            return 0;
        });
        replay.Subcommands.Add(generate);
        return replay;
    }

    private static int Run(FileInfo ordersFile, FileInfo tradesFile, int runs)
    {
        if (!ordersFile.Exists)
        {
            return Exit.UsageError($"no such file: {ordersFile.FullName}");
        }
        Stream stream;
        try
        {
            stream = Read(ordersFile.FullName);
        }
        catch (FormatException e)
        {
            return Exit.UsageError($"{ordersFile.Name}: {e.Message}");
        }

        OrderReplay? best = null;
        var bestSeconds = double.MaxValue;
        string? firstHash = null;
        for (var run = 0; run < runs; run++)
        {
            var replay = new OrderReplay(stream.OrderIds.Count, stream.Ops.Length);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            replay.Run(stream.Ops);
            var seconds = sw.Elapsed.TotalSeconds;
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            var hash = OrderReplay.TradeHash(replay.Trades);
            if (firstHash is not null && hash != firstHash)
            {
                Console.Error.WriteLine("two runs of the same stream gave different trades: the engine is not deterministic");
                return 1;
            }
            firstHash = hash;
            var c = replay.Counts;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"run {run + 1}: {seconds:F3} s, {c.Ops / seconds:N0} ops/s, {allocated / (double)c.Ops:F1} bytes allocated per op"));
            if (seconds < bestSeconds)
            {
                (best, bestSeconds) = (replay, seconds);
            }
        }

        var counts = best!.Counts;
        WriteTrades(tradesFile.FullName, best.Trades, stream.OrderIds);
        Console.Error.WriteLine($"accepted {counts.Accepted:N0}, repeats {counts.Repeats:N0}, rejected {counts.Rejected:N0}, cancelled {counts.Cancelled:N0}, " +
            $"resting at the end {best.Resting:N0}; trades {counts.Trades:N0} (SHA-256 {firstHash![..16]}…) written to {tradesFile.FullName}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"ops\":{counts.Ops},\"trades\":{counts.Trades},\"seconds\":{bestSeconds:F4},\"ops_per_s\":{Math.Round(counts.Ops / bestSeconds)}}}"));
        return 0;
    }

    private sealed record Stream(ReplayOp[] Ops, List<string> OrderIds);

    /// <summary>Reads and interns the stream (not timed). A malformed line is a <see cref="FormatException"/> naming it.</summary>
    private static Stream Read(string path)
    {
        var orderNumbers = new Dictionary<string, int>(StringComparer.Ordinal);
        var orderIds = new List<string>();
        var parties = new Dictionary<string, int>(StringComparer.Ordinal);
        var ops = new List<ReplayOp>();
        using var reader = new StreamReader(path, Encoding.UTF8);
        var header = reader.ReadLine();
        if (header?.Trim() != Header)
        {
            throw new FormatException($"line 1: the header must be '{Header}'");
        }
        var lineNo = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (line.Length == 0)
            {
                continue;
            }
            var f = line.Split(',');
            if (f.Length != 7)
            {
                throw new FormatException($"line {lineNo}: expected 7 fields, found {f.Length}");
            }
            if (f[1].Length == 0)
            {
                throw new FormatException($"line {lineNo}: order_id is empty");
            }
            if (!orderNumbers.TryGetValue(f[1], out var order))
            {
                order = orderNumbers[f[1]] = orderIds.Count;
                orderIds.Add(f[1]);
            }
            switch (f[0])
            {
                case "cancel":
                    ops.Add(new ReplayOp(ReplayOpKind.Cancel, order, 0, default, 0, 0, default));
                    break;
                case "limit":
                {
                    if (f[2].Length == 0)
                    {
                        throw new FormatException($"line {lineNo}: party is empty");
                    }
                    if (!parties.TryGetValue(f[2], out var party))
                    {
                        party = parties[f[2]] = parties.Count;
                    }
                    var side = f[3] switch
                    {
                        "buy" => OrderSide.Bid,
                        "sell" => OrderSide.Offer,
                        _ => throw new FormatException($"line {lineNo}: side must be buy or sell, not '{f[3]}'"),
                    };
                    if (!decimal.TryParse(f[4], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var price)
                        || decimal.Round(price, 4) != price)
                    {
                        throw new FormatException($"line {lineNo}: price '{f[4]}' is not a price in yuan with at most 4 decimals");
                    }
                    if (!int.TryParse(f[5], NumberStyles.None, CultureInfo.InvariantCulture, out var quantity))
                    {
                        throw new FormatException($"line {lineNo}: quantity '{f[5]}' is not a whole number of devices");
                    }
                    if (!MarketSlugs.TryParseTif(f[6], out var tif))
                    {
                        throw new FormatException($"line {lineNo}: tif must be GTC, IOC or FOK, not '{f[6]}'");
                    }
                    ops.Add(new ReplayOp(ReplayOpKind.Limit, order, party, side, PriceTicks.Of(price), quantity, tif));
                    break;
                }
                default:
                    throw new FormatException($"line {lineNo}: op must be limit or cancel, not '{f[0]}'");
            }
        }
        return new Stream(ops.ToArray(), orderIds);
    }

    private static void WriteTrades(string path, ReadOnlySpan<ReplayTrade> trades, List<string> orderIds)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        writer.Write("taker,maker,price,quantity\n");
        foreach (var t in trades)
        {
            writer.Write(orderIds[t.Taker]);
            writer.Write(',');
            writer.Write(orderIds[t.Maker]);
            writer.Write(',');
            writer.Write(Price(t.PriceTicks));
            writer.Write(',');
            writer.Write(t.Quantity.ToString(CultureInfo.InvariantCulture));
            writer.Write('\n');
        }
    }

    private static string Price(long ticks) => PriceTicks.ToYuan(ticks).ToString("0.00##", CultureInfo.InvariantCulture);

    /// <summary>Writes <see cref="SyntheticStreams.Plain"/> as replay CSV.</summary>
    internal static int Generate(string path, int count, int seed)
    {
        var (ops, _) = SyntheticStreams.Plain(count, seed);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        writer.Write(Header + "\n");
        foreach (var op in ops)
        {
            if (op.Kind == ReplayOpKind.Cancel)
            {
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"cancel,o{op.Order},,,,,\n"));
                continue;
            }
            var side = op.Side == OrderSide.Bid ? "buy" : "sell";
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"limit,o{op.Order},p{op.Party},{side},{Price(op.PriceTicks)},{op.Quantity},{op.Tif}\n"));
        }
        return ops.Length;
    }
}
