using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ComputeNet.Application.Database;
using Npgsql;

namespace ComputeNet.Application.Tests.Cluster;

/// <summary>A local cluster for one test: its own folder, hosts run from the CLI built beside the tests; disposing stops it and
/// removes the folder.</summary>
public sealed class TestCluster : IAsyncDisposable
{
    private TestCluster(LocalCluster cluster) => Cluster = cluster;

    public LocalCluster Cluster { get; }

    public LocalClusterState State => Cluster.State;

    public static HostLauncher Launcher => new("dotnet", [Cli.Path()]);

    public static async Task<TestCluster> StartAsync(int hosts, bool synchronous, CancellationToken ct, IReadOnlyDictionary<string, string>? environment = null)
    {
        var options = new LocalClusterOptions
        {
            Directory = $"{LocalCluster.DefaultDirectory()}-test-{Guid.NewGuid().ToString("N")[..8]}",
            Hosts = hosts,
            Standby = true,
            Synchronous = synchronous,
            Launcher = Launcher,
            HostEnvironment = environment ?? new Dictionary<string, string>(),
        };
        try
        {
            return new TestCluster(await LocalCluster.StartAsync(options, log: null, ct));
        }
        catch
        {
            if (LocalCluster.Open(options.Directory!) is { } started)
            {
                await started.StopAsync(clean: true, CancellationToken.None);
            }
            throw;
        }
    }

    public async ValueTask DisposeAsync() => await Cluster.StopAsync(clean: true, CancellationToken.None);
}

/// <summary>
/// A steady order load over HTTP, sent round-robin to every host of a cluster, each order with its own client id. A failed attempt
/// (no answer, a 5xx) is retried with the same id after the answer's Retry-After (else 200 ms) until it is acknowledged or the load
/// stops; so an order the platform took once but whose answer was lost comes back as a repeat, never as a second order.
/// </summary>
public sealed class ClusterLoad : IAsyncDisposable
{
    private readonly LocalClusterState _state;
    private readonly List<(string Party, HttpClient Client, bool Buyer)> _traders = [];
    private readonly HttpClient _operator;
    private readonly SocketsHttpHandler _handler = new() { PooledConnectionLifetime = TimeSpan.FromSeconds(30), ConnectTimeout = TimeSpan.FromSeconds(2) };
    private readonly DateTimeOffset _from = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(3);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers = [];
    private int _next = -1;
    private int _hostTurn = -1;

    public ClusterLoad(LocalClusterState state)
    {
        _state = state;
        _operator = Client(state.Hosts[0].Url, state.OperatorKey);
    }

    /// <summary>Orders the platform acknowledged (2xx): (party, order id) → the first acknowledgement's time since the load started.</summary>
    public ConcurrentDictionary<(string Party, string Id), TimeSpan> Acknowledged { get; } = new();

    /// <summary>Every answer seen, by status (0: no answer: refused, reset or timed out), and what a 503 said about retrying.</summary>
    public ConcurrentDictionary<int, int> Statuses { get; } = new();

    public ConcurrentBag<string> UnexpectedAnswers { get; } = [];

    public int ServiceUnavailableWithoutRetryAfter;

    public Stopwatch Clock { get; } = new();

    public async Task RegisterAsync(int buyers, int providers, CancellationToken ct)
    {
        for (var i = 0; i < buyers + providers; i++)
        {
            var buyer = i < buyers;
            var id = buyer ? $"load-buyer-{i}" : $"load-prov-{i - buyers}";
            object body = buyer ? new { id, roles = new[] { "buyer" }, city = "shanghai", sme = true } : new { id, roles = new[] { "provider" } };
            using var response = await _operator.PostAsJsonAsync("/v1/parties", body, ct);
            Assert.True(response.IsSuccessStatusCode, $"registering {id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            var key = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!["apiKey"]!.GetValue<string>();
            _traders.Add((id, Client("http://unused", key), buyer));
        }
    }

    /// <summary>Starts <paramref name="workers"/> clients, each sending one order at a time.</summary>
    public void Start(int workers)
    {
        Clock.Start();
        for (var w = 0; w < workers; w++)
        {
            _workers.Add(Task.Run(WorkAsync));
        }
    }

    /// <summary>Waits until an order sent after this call is acknowledged; returns when (on <see cref="Clock"/>).</summary>
    public async Task<TimeSpan> FirstAcknowledgedAfterAsync(TimeSpan mark, TimeSpan timeout, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < timeout)
        {
            var first = Acknowledged.Values.Where(t => t > mark).DefaultIfEmpty(TimeSpan.MaxValue).Min();
            if (first != TimeSpan.MaxValue)
            {
                return first;
            }
            await Task.Delay(20, ct);
        }
        throw new TimeoutException($"no order acknowledged within {timeout.TotalSeconds:0} s after {mark.TotalSeconds:F2} s; answers so far: {Describe()}");
    }

    public string Describe() => string.Join(", ", Statuses.OrderBy(s => s.Key).Select(s => $"{(s.Key == 0 ? "no answer" : s.Key.ToString())}: {s.Value}"));

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    private async Task WorkAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var n = Interlocked.Increment(ref _next);
            var trader = _traders[n % _traders.Count];
            var id = $"o{n}";
            while (!_stop.IsCancellationRequested)
            {
                var host = _state.Hosts[(int)((uint)Interlocked.Increment(ref _hostTurn) % _state.Hosts.Count)];
                var status = 0;
                TimeSpan? retryAfter = null;
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, $"{host.Url}{(trader.Buyer ? "/v1/bids" : "/v1/offers")}")
                    {
                        Content = JsonContent.Create(Body(trader.Buyer, id, n)),
                    };
                    request.Headers.Authorization = trader.Client.DefaultRequestHeaders.Authorization;
                    using var response = await trader.Client.SendAsync(request, _stop.Token);
                    status = (int)response.StatusCode;
                    retryAfter = response.Headers.RetryAfter?.Delta;
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable && retryAfter is null)
                    {
                        Interlocked.Increment(ref ServiceUnavailableWithoutRetryAfter);
                    }
                    if (status is >= 400 and < 500)
                    {
                        UnexpectedAnswers.Add($"{id} on {host.Name}: {status} {await response.Content.ReadAsStringAsync()}");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !_stop.IsCancellationRequested)
                {
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                Statuses.AddOrUpdate(status, 1, (_, c) => c + 1);
                if (status is >= 200 and < 300)
                {
                    Acknowledged.TryAdd((trader.Party, id), Clock.Elapsed);
                    break;
                }
                if (status is >= 400 and < 500)
                {
                    break;
                }
                try
                {
                    await Task.Delay(retryAfter ?? TimeSpan.FromMilliseconds(200), _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Bids and offers alternate over the traders, prices around one level so about half of them trade.</summary>
    private object Body(bool buyer, string id, int n)
    {
        var price = (50 + n % 5 * 0.5m).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        var to = _from.AddDays(1);
        return buyer
            ? new { id, family = "intelligent", devices = 1 + n % 4, minScuPerDevice = "0", minMemoryGb = 0, from = _from, to, tier = "cross-hub", minGreen = "0", price, commitment = "on-demand", split = true, tif = "GTC" }
            : new { id, cluster = "zhongwei", resourceClass = "ai-fp16-80g", devices = 1 + n % 4, from = _from, to, price };
    }

    private HttpClient Client(string baseUrl, string key) => new(_handler, disposeHandler: false)
    {
        BaseAddress = new Uri(baseUrl),
        Timeout = TimeSpan.FromSeconds(10),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", key) },
    };

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }
        _handler.Dispose();
        _stop.Dispose();
    }
}

/// <summary>What the market journal holds, read with SQL from the market stream's blocks on the current primary.</summary>
public static class MarketJournal
{
    /// <summary>How many times each order was placed (BidPlaced / OfferListed) across every journal block.</summary>
    public static async Task<Dictionary<(string Party, string Id), int>> PlacementsAsync(string connectionString, string schema, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var query = new NpgsqlCommand($"""
            select e->>'party', coalesce(e->>'bidId', e->>'offerId'), count(*)::int
            from "{schema}".mt_events m cross join lateral jsonb_array_elements(m.data->'events') e
            where m.stream_id = 'market' and e->>'$type' in ('bid_placed', 'offer_listed')
            group by 1, 2
            """, connection);
        await using var reader = await query.ExecuteReaderAsync(ct);
        var placements = new Dictionary<(string, string), int>();
        while (await reader.ReadAsync(ct))
        {
            placements[(reader.GetString(0), reader.GetString(1))] = reader.GetInt32(2);
        }
        return placements;
    }

    /// <summary>Every trade sequence in the journal, in journal order.</summary>
    public static async Task<List<long>> TradeSequencesAsync(string connectionString, string schema, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var query = new NpgsqlCommand($"""
            select (e->'terms'->>'tradeSeq')::bigint
            from "{schema}".mt_events m cross join lateral jsonb_array_elements(m.data->'events') with ordinality as x(e, i)
            where m.stream_id = 'market' and e->>'$type' = 'trade_executed'
            order by m.version, x.i
            """, connection);
        await using var reader = await query.ExecuteReaderAsync(ct);
        var sequences = new List<long>();
        while (await reader.ReadAsync(ct))
        {
            sequences.Add(reader.GetInt64(0));
        }
        return sequences;
    }
}
