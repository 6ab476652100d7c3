using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ComputeNet.Application.Benchmarks;

/// <summary>
/// A steady order load over HTTP, sent round-robin to every host of a cluster (<c>bench cluster</c> and the failover tests), each
/// order with its own client id. A failed attempt (no answer, a 5xx) is sent again with the same id after the answer's Retry-After
/// (else 200 ms) until it is acknowledged or the load stops: an order the platform took whose answer was lost comes back as a repeat,
/// never as a second order. Answers other than 2xx, 5xx or no answer are kept as unexpected.
/// </summary>
public sealed class ClusterOrderLoad : IAsyncDisposable
{
    private readonly IReadOnlyList<string> _hosts;
    private readonly List<Trader> _traders = [];
    private readonly HttpClient _http;
    private readonly DateTimeOffset _from = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(3);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers = [];
    private readonly string _operatorKey;
    private int _next = -1;
    private int _hostTurn = -1;
    private int _serviceUnavailableWithoutRetryAfter;

    private sealed record Trader(string Party, AuthenticationHeaderValue Key, bool Buyer);

    /// <param name="hosts">The hosts' base addresses (http://127.0.0.1:port).</param>
    /// <param name="operatorKey">The operator key, to register the traders.</param>
    /// <param name="requestTimeout">How long a client waits for an answer before it repeats the order elsewhere (default 10 s);
    /// a frozen host accepts connections but never answers.</param>
    public ClusterOrderLoad(IReadOnlyList<string> hosts, string operatorKey, TimeSpan? requestTimeout = null)
    {
        _hosts = hosts;
        _operatorKey = operatorKey;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30), ConnectTimeout = TimeSpan.FromSeconds(2), MaxConnectionsPerServer = 256 })
        {
            Timeout = requestTimeout ?? TimeSpan.FromSeconds(10),
        };
    }

    /// <summary>Orders acknowledged (2xx): (party, order id) → when the acknowledged attempt was sent and when its answer came, on
    /// <see cref="Clock"/>.</summary>
    public ConcurrentDictionary<(string Party, string Id), Acknowledgement> Acknowledged { get; } = new();

    /// <param name="SentAt">When the attempt that was acknowledged was sent (earlier attempts of the same order not counted).</param>
    /// <param name="At">When its answer came.</param>
    public sealed record Acknowledgement(TimeSpan SentAt, TimeSpan At);

    /// <summary>From the first attempt to the acknowledgement, in ms, for every acknowledged order (retries included).</summary>
    public ConcurrentQueue<double> LatenciesMs { get; } = new();

    /// <summary>Every answer, by status (0: no answer: refused, reset or timed out).</summary>
    public ConcurrentDictionary<int, int> Statuses { get; } = new();

    /// <summary>4xx answers (a wrong answer for a well-formed order): id, host, status and body.</summary>
    public ConcurrentBag<string> UnexpectedAnswers { get; } = [];

    /// <summary>503 answers that did not say when to retry.</summary>
    public int ServiceUnavailableWithoutRetryAfter => _serviceUnavailableWithoutRetryAfter;

    /// <summary>Runs from <see cref="Start"/>.</summary>
    public Stopwatch Clock { get; } = new();

    /// <summary>Registers the buyers and providers (through the first host) whose keys the load uses.</summary>
    public async Task RegisterAsync(int buyers, int providers, CancellationToken ct)
    {
        for (var i = 0; i < buyers + providers; i++)
        {
            var buyer = i < buyers;
            var id = buyer ? $"load-buyer-{i}" : $"load-prov-{i - buyers}";
            object body = buyer ? new { id, roles = new[] { "buyer" }, city = "shanghai", sme = true } : new { id, roles = new[] { "provider" } };
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{_hosts[0]}/v1/parties") { Content = JsonContent.Create(body) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _operatorKey);
            using var response = await _http.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"registering {id} on {_hosts[0]}: {(int)response.StatusCode} {text}");
            }
            _traders.Add(new Trader(id, new AuthenticationHeaderValue("Bearer", JsonNode.Parse(text)!["apiKey"]!.GetValue<string>()), buyer));
        }
    }

    /// <summary>Starts <paramref name="workers"/> clients, each sending one order at a time.</summary>
    public void Start(int workers)
    {
        if (_traders.Count == 0)
        {
            throw new InvalidOperationException("register the traders first");
        }
        Clock.Start();
        for (var w = 0; w < workers; w++)
        {
            _workers.Add(Task.Run(WorkAsync));
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    /// <summary>
    /// Waits until an attempt sent after <paramref name="mark"/> (on <see cref="Clock"/>) is acknowledged and returns when its answer
    /// came. Counting only attempts sent after the mark leaves out answers already on their way from a host killed or frozen at it.
    /// </summary>
    public async Task<TimeSpan> FirstAcknowledgedAfterAsync(TimeSpan mark, TimeSpan timeout, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < timeout)
        {
            var after = Acknowledged.Values.Where(a => a.SentAt >= mark).ToList();
            if (after.Count > 0)
            {
                return after.Min(a => a.At);
            }
            await Task.Delay(20, ct);
        }
        throw new TimeoutException($"no order acknowledged within {timeout.TotalSeconds:0} s after {mark.TotalSeconds:F2} s; answers so far: {Describe()}");
    }

    public string Describe() => string.Join(", ", Statuses.OrderBy(s => s.Key).Select(s => $"{(s.Key == 0 ? "no answer" : s.Key.ToString())}: {s.Value}"));

    /// <summary>
    /// Reads for <paramref name="duration"/> from <paramref name="workers"/> clients, round-robin over the hosts: a trader's own
    /// acknowledged order (<c>GET /v1/orders/{id}</c>) and its first page of trades (<c>GET /v1/trades</c>), alternately.
    /// Returns how many answered 200 and their latencies in ms.
    /// </summary>
    public async Task<(int Reads, int Failed, double[] LatenciesMs)> ReadAsync(TimeSpan duration, int workers, CancellationToken ct)
    {
        var orders = Acknowledged.Keys.ToList();
        if (orders.Count == 0)
        {
            throw new InvalidOperationException("no acknowledged orders to read");
        }
        var latencies = new ConcurrentQueue<double>();
        var failed = 0;
        var keys = _traders.ToDictionary(t => t.Party, t => t.Key);
        var until = Stopwatch.StartNew();
        var turn = -1;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (until.Elapsed < duration && !ct.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref turn);
                var (party, id) = orders[n % orders.Count];
                var host = _hosts[n % _hosts.Count];
                using var request = new HttpRequestMessage(HttpMethod.Get, n % 2 == 0 ? $"{host}/v1/orders/{id}" : $"{host}/v1/trades?limit=20");
                request.Headers.Authorization = keys[party];
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await _http.SendAsync(request, ct);
                    await response.Content.ReadAsByteArrayAsync(ct);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        latencies.Enqueue(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        continue;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                }
                Interlocked.Increment(ref failed);
            }
        }, ct)));
        return (latencies.Count, failed, latencies.ToArray());
    }

    private async Task WorkAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var n = Interlocked.Increment(ref _next);
            var trader = _traders[n % _traders.Count];
            var id = $"o{n}";
            var started = Stopwatch.GetTimestamp();
            while (!_stop.IsCancellationRequested)
            {
                var host = _hosts[(int)((uint)Interlocked.Increment(ref _hostTurn) % _hosts.Count)];
                var status = 0;
                var sentAt = Clock.Elapsed;
                TimeSpan? retryAfter = null;
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, $"{host}{(trader.Buyer ? "/v1/bids" : "/v1/offers")}")
                    {
                        Content = JsonContent.Create(Body(trader.Buyer, id, n)),
                    };
                    request.Headers.Authorization = trader.Key;
                    using var response = await _http.SendAsync(request, _stop.Token);
                    status = (int)response.StatusCode;
                    retryAfter = response.Headers.RetryAfter?.Delta;
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable && retryAfter is null)
                    {
                        Interlocked.Increment(ref _serviceUnavailableWithoutRetryAfter);
                    }
                    if (status is >= 300 and < 500)
                    {
                        UnexpectedAnswers.Add($"{trader.Party}/{id} on {host}: {status} {await response.Content.ReadAsStringAsync()}");
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
                    Acknowledged.TryAdd((trader.Party, id), new Acknowledgement(sentAt, Clock.Elapsed));
                    LatenciesMs.Enqueue(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    break;
                }
                if (status is >= 300 and < 500)
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

    /// <summary>Bids and offers alternate over the traders, prices within one yuan of each other so about half trade.</summary>
    private object Body(bool buyer, string id, int n)
    {
        var price = (50 + n % 5 * 0.5m).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        var to = _from.AddDays(1);
        return buyer
            ? new { id, family = "intelligent", devices = 1 + n % 4, minScuPerDevice = "0", minMemoryGb = 0, from = _from, to, tier = "cross-hub", minGreen = "0", price, commitment = "on-demand", split = true, tif = "GTC" }
            : new { id, cluster = "zhongwei", resourceClass = "ai-fp16-80g", devices = 1 + n % 4, from = _from, to, price };
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }
        _http.Dispose();
        _stop.Dispose();
    }
}
