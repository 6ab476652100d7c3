using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using ComputeNet.Domain.Market.Engine;

BenchmarkSwitcher.FromAssembly(typeof(EngineBenchmarks).Assembly).Run(args);

/// <summary>
/// The matching engine alone (no journal): a plain exchange-like stream of one market, and a multi-attribute stream
/// (3 families, 10 clusters, 20 cities, 6 resource classes, mixed windows and tiers). One invocation replays the
/// whole stream through a fresh engine; results are per operation.
/// Run: <c>dotnet run -c Release --project tests/ComputeNet.Benchmarks -- --filter '*'</c>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class EngineBenchmarks
{
    private const int Ops = 200_000;
    private ReplayOp[] _plain = [];
    private int _plainOrders;
    private SyntheticStreams.MultiStream _multi = null!;
    private readonly List<Fill> _fills = new(1_000);

    [GlobalSetup]
    public void Setup()
    {
        (_plain, _plainOrders) = SyntheticStreams.Plain(Ops, seed: 1);
        _multi = SyntheticStreams.MultiAttribute(Ops, seed: 1);
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public int PlainStream()
    {
        var replay = new OrderReplay(_plainOrders, Ops);
        replay.Run(_plain);
        return replay.Counts.Trades;
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public int MultiAttributeStream() => SyntheticStreams.Run(_multi, new MatchingCore(), _fills);
}
