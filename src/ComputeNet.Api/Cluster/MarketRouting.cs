using Microsoft.Extensions.Logging;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using ComputeNet.Application.Actions;
using ComputeNet.Application.Cluster;
using ComputeNet.Application.Market;
using ComputeNet.Domain;
using Marten;
using Mediator;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ComputeNet.Api.Cluster;

/// <summary>
/// Several hosts on one database (ADR 0030): the market's lease (<see cref="MarketLease"/>, kept by
/// <see cref="MarketOwnership"/>), the routing of order commands to the owner (<see cref="MarketRoutingBehaviour{TMessage,TResponse}"/>,
/// <see cref="MarketForwarder"/>) and the owner's internal endpoint that runs a forwarded command.
/// </summary>
public static class MarketRouting
{
    /// <summary>Where forwarded commands arrive on the owner: not part of the API (not in the OpenAPI document), cluster secret only.</summary>
    public const string InternalPath = "/internal/market/commands";
    /// <summary>The header carrying the cluster's shared secret.</summary>
    public const string SecretHeader = "X-ComputeNet-Cluster-Secret";
    /// <summary>How long a forwarded command may take, and how long a command waits for an owner to appear (a takeover), before a 503.</summary>
    public static readonly TimeSpan ForwardTimeout = TimeSpan.FromSeconds(2);
    /// <summary>The name of the shared HTTP client the forwarder uses.</summary>
    public const string ClientName = "computenet-cluster";

    private static readonly AsyncLocal<bool> _forwardedHere = new();

    /// <summary>True inside the internal endpoint: the command was forwarded here, so it runs here or is refused — never forwarded again.</summary>
    internal static bool ForwardedHere => _forwardedHere.Value;

    /// <summary>Registers the lease, the ownership service, the routing behaviour and the forwarder (with its one pooled HTTP client).</summary>
    public static IServiceCollection AddMarketCluster(this IServiceCollection services, ClusterSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton(sp => new MarketLease(sp.GetRequiredService<IDocumentStore>(), settings));
        services.AddSingleton<IMarketOwnership>(sp => sp.GetRequiredService<MarketLease>());
        services.AddSingleton<MarketOwnership>();
        services.AddHostedService(sp => sp.GetRequiredService<MarketOwnership>());
        services.AddSingleton<MarketForwarder>();
        services.AddSingleton(typeof(IPipelineBehavior<,>), typeof(MarketRoutingBehaviour<,>));
        services.AddHttpClient(ClientName, c => c.Timeout = ForwardTimeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // Few owners, many commands: keep connections open, bounded, and renewed now and then (an owner's address may move).
                MaxConnectionsPerServer = 64,
                ConnectTimeout = TimeSpan.FromSeconds(1),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            });
        return services;
    }

    /// <summary>Once the server listens: the address to advertise (configured, or the first bound address; a wildcard becomes loopback).</summary>
    public static void AdvertiseWhenStarted(WebApplication app, ClusterSettings settings, string? metricsUrl)
    {
        var lease = app.Services.GetRequiredService<MarketLease>();
        var forwarder = app.Services.GetRequiredService<MarketForwarder>();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            _ = forwarder.WarmAsync(lease, app.Lifetime.ApplicationStopping);
            if (settings.AdvertiseUrl is { } configured)
            {
                lease.SetAddress(configured);
                return;
            }
            var metricsPort = metricsUrl is not null && Uri.TryCreate(metricsUrl.Replace("+", "localhost").Replace("*", "localhost"), UriKind.Absolute, out var m) ? m.Port : -1;
            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
                .Select(a => new Uri(a.Replace("://+", "://0.0.0.0").Replace("://*", "://0.0.0.0")))
                .FirstOrDefault(u => u.Port != metricsPort) ?? throw new InvalidOperationException("the server listens on no address");
            var host = ClusterSettings.IsWildcard(bound.Host) || bound.Host == "[::]" ? "127.0.0.1" : bound.Host;
            lease.SetAddress($"{bound.Scheme}://{(host.Contains(':') && !host.StartsWith('[') ? $"[{host}]" : host)}:{bound.Port}");
        });
    }

    /// <summary>
    /// The owner's internal endpoint: runs a forwarded order command here, as the key that sent it to the forwarding host,
    /// and answers its <see cref="OrderResult"/> or its rejection as problem details. 401 without the cluster secret
    /// (compared in constant time); a host that does not own the market answers <c>market-owner-unavailable</c>.
    /// </summary>
    public static void MapMarketRouting(this IEndpointRouteBuilder app)
    {
        app.MapPost(InternalPath, async (HttpContext http, ISender sender, MarketForwarder forwarder, CancellationToken ct) =>
            {
                if (!await forwarder.IsSecretAsync(http.Request.Headers[SecretHeader].ToString(), ct))
                {
                    return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Cluster secret required",
                        detail: "this endpoint is for the platform's own hosts", extensions: new Dictionary<string, object?> { ["code"] = "unauthenticated" });
                }
                var body = await JsonSerializer.DeserializeAsync<ForwardedCommand>(http.Request.Body, ApiHost.JsonOptions, ct)
                    ?? throw RejectedException.Of(Codes.Invalid, "a forwarded command is required");
                if (!IMarketCommand.Kinds.TryGetValue(body.Kind ?? "", out var type))
                {
                    throw RejectedException.Of(Codes.Invalid, $"unknown market command kind '{body.Kind}'", "kind");
                }
                if (string.IsNullOrEmpty(body.ActorKeyId) || body.ActorKeyId.Length > Actor.MaxKeyIdLength || string.IsNullOrEmpty(body.ActorParty))
                {
                    throw RejectedException.Of(Codes.Invalid, "a forwarded command names its acting key and party", "actorKeyId");
                }
                var command = (IMarketCommand)(body.Request.Deserialize(type, ApiHost.JsonOptions)
                    ?? throw RejectedException.Of(Codes.Invalid, "the command is missing", "request"));
                _forwardedHere.Value = true;
                using (Acting.As(new Actor(body.ActorKeyId, body.ActorParty)))
                {
                    return Results.Json(await sender.Send(command, ct), ApiHost.JsonOptions);
                }
            })
            .AllowAnonymous().ExcludeFromDescription();
    }
}

/// <summary>A command forwarded to the market's owner: its kind (<see cref="IMarketCommand.Kinds"/>), the request, and who acted.</summary>
public sealed record ForwardedCommand(string? Kind, JsonElement Request, string? ActorKeyId, string? ActorParty);

/// <summary>
/// Runs each order command (<see cref="IMarketCommand"/>) on the market's owner: here when this host owns the market;
/// otherwise forwarded to the owner's advertised address. While no host owns it (a takeover under way) the command waits
/// up to <see cref="MarketRouting.ForwardTimeout"/> for one, then is refused with <c>market-owner-unavailable</c> (503,
/// Retry-After: 1). Other requests pass through.
/// </summary>
public sealed class MarketRoutingBehaviour<TMessage, TResponse>(MarketLease lease, MarketForwarder forwarder) : IPipelineBehavior<TMessage, TResponse>
    where TMessage : IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken ct)
    {
        if (message is not IMarketCommand command)
        {
            return await next(message, ct);
        }
        if (MarketRouting.ForwardedHere)
        {
            return await lease.EnsureMayWriteAsync(ct) ? await next(message, ct) : throw MarketService.NotOwner();
        }
        var waitUntil = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(MarketRouting.ForwardTimeout.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        while (true)
        {
            if (await lease.EnsureMayWriteAsync(ct))
            {
                return await next(message, ct);
            }
            if (lease.KnownOwner is { Live: true } owner && owner.Host != lease.HostId)
            {
                return (TResponse)(object)await forwarder.ForwardAsync(command, owner.Address, ct);
            }
            if (System.Diagnostics.Stopwatch.GetTimestamp() > waitUntil)
            {
                throw MarketService.NotOwner();
            }
            await Task.Delay(25, ct);
            // A takeover under way: look for the new owner (one shared read at most every 100 ms), rather than wait for
            // this host's next poll — or for none, on a host that is stopping.
            try
            {
                await lease.RefreshOwnerAsync(TimeSpan.FromMilliseconds(100), ct);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                // The database is away: the deadline above ends the wait.
            }
        }
    }
}

/// <summary>Forwards order commands to the market's owner over HTTP (one pooled client) with the cluster secret.</summary>
public sealed class MarketForwarder(IHttpClientFactory clients, IDocumentStore store, Microsoft.Extensions.Logging.ILogger<MarketForwarder> log)
{
    private Task<byte[]>? _secret;

    /// <summary>The secret, read once (read again after a failed read: the database may have been away).</summary>
    private Task<byte[]> SecretAsync()
    {
        var secret = _secret;
        if (secret is null || secret.IsFaulted || secret.IsCanceled)
        {
            secret = _secret = ReadAsync();
        }
        return secret;

        async Task<byte[]> ReadAsync() => System.Text.Encoding.UTF8.GetBytes(await MarketLease.SecretAsync(store, CancellationToken.None));
    }

    /// <summary>Whether <paramref name="presented"/> is the cluster's secret (constant-time comparison).</summary>
    public async Task<bool> IsSecretAsync(string presented, CancellationToken ct)
    {
        var secret = await SecretAsync().WaitAsync(ct);
        return presented.Length > 0 && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(presented), secret);
    }

    /// <summary>
    /// Takes a forwarding host's cold start off its first client (2.5–4.9 s measured on a loaded machine): reads the
    /// cluster secret, builds the JSON contracts of the forwarded commands and their results, and — when another host
    /// owns the market — opens the pooled connection to it with a <c>GET /health/live</c>. Best effort: a failure here is
    /// met again, and answered, by the first forwarded command.
    /// </summary>
    public async Task WarmAsync(MarketLease lease, CancellationToken ct)
    {
        try
        {
            await SecretAsync().WaitAsync(ct);
            foreach (var type in IMarketCommand.Kinds.Values.Append(typeof(ForwardedCommand)).Append(typeof(OrderResult)))
            {
                // Serialising null resolves (and caches) the type's contract, as the first real command would.
                JsonSerializer.Serialize((object?)null, type, ApiHost.JsonOptions);
            }
            // A loaded owner may answer its first request slowly: a few tries, each allowed longer than a forwarded command.
            for (var attempt = 1; attempt <= WarmAttempts && !Warmed; attempt++)
            {
                if (await lease.RefreshOwnerAsync(TimeSpan.Zero, ct) is not { Live: true } owner || owner.Host == lease.HostId
                    || owner.Address is not { Length: > 0 } address)
                {
                    return;
                }
                try
                {
                    using var client = clients.CreateClient(MarketRouting.ClientName);
                    client.Timeout = WarmTimeout;
                    using var response = await client.GetAsync(address + "/health/live", ct);
                    Warmed = response.IsSuccessStatusCode;
                }
                catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
                {
                    log.LogInformation("the forwarder's warm-up, try {Attempt} of {Attempts}: {Reason}", attempt, WarmAttempts, e.Message);
                }
            }
        }
        catch (Exception e)
        {
            // Nothing lost: the first forwarded command pays the cold start instead, as before.
            log.LogInformation("the forwarder's warm-up at start did not complete: {Reason}", e.Message);
        }
    }

    private const int WarmAttempts = 3;
    private static readonly TimeSpan WarmTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Whether <see cref="WarmAsync"/> reached another host that owned the market (shown by the demo).</summary>
    public bool Warmed { get; private set; }

    /// <summary>
    /// Sends <paramref name="command"/> to the owner at <paramref name="address"/>: its result, or the owner's rejection
    /// rethrown with the same code, field and reason. An owner that does not answer within
    /// <see cref="MarketRouting.ForwardTimeout"/> (or cannot be reached) is <c>market-owner-unavailable</c>.
    /// </summary>
    public async Task<OrderResult> ForwardAsync(IMarketCommand command, string address, CancellationToken ct)
    {
        var actor = Acting.Current;
        var forwarded = new ForwardedCommand(IMarketCommand.KindOf(command), JsonSerializer.SerializeToElement(command, command.GetType(), ApiHost.JsonOptions),
            actor.KeyId, actor.Party);
        using var request = new HttpRequestMessage(HttpMethod.Post, address + MarketRouting.InternalPath)
        {
            Content = JsonContent.Create(forwarded, options: ApiHost.JsonOptions),
        };
        request.Headers.Add(MarketRouting.SecretHeader, System.Text.Encoding.UTF8.GetString(await SecretAsync().WaitAsync(ct)));
        HttpResponseMessage response;
        try
        {
            response = await clients.CreateClient(MarketRouting.ClientName).SendAsync(request, ct);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            throw RejectedException.Of(Codes.MarketOwnerUnavailable,
                $"the market's owner ({address}) did not answer in time: repeat the command with the same order id after the Retry-After seconds");
        }
        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return (await response.Content.ReadFromJsonAsync<OrderResult>(ApiHost.JsonOptions, ct))!;
            }
            var problem = await ReadProblemAsync(response, ct);
            if (problem is { Code: { } code } && (int)response.StatusCode is not (500 or 401))
            {
                throw RejectedException.Of(code, problem.Detail ?? code, problem.Field);
            }
            throw new InvalidOperationException($"the market's owner ({address}) answered {(int)response.StatusCode} to a forwarded command: {problem?.Detail}");
        }
    }

    private sealed record Problem(string? Code, string? Detail, string? Field);

    private static async Task<Problem?> ReadProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<Problem>(ApiHost.JsonOptions, ct);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
