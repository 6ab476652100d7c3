using Microsoft.Extensions.DependencyInjection.Extensions;
using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Market;
using ComputeNet.Application.Parties;
using ComputeNet.Application.Platform;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace ComputeNet.Application;

/// <summary>Where the event store lives: a connection string and the schema that isolates this platform's data.</summary>
/// <param name="SigningKeyPath">The platform's checkpoint signing key (PEM, PKCS#8), kept outside the database; null: configuration
/// <c>ComputeNet:SigningKeyPath</c> (env <c>ComputeNet__SigningKeyPath</c>), else <c>~/.computenet/keys/platform-signing-key.pem</c>.</param>
/// <param name="ReadConnectionString">Where reads that tolerate replication lag go (a standby: <c>Target Session Attributes=prefer-standby</c>;
/// <see cref="Infrastructure.StaleReads"/>); null: the primary serves them too.</param>
public sealed record ComputeNetSettings(string ConnectionString, string Schema = ComputeNetSettings.DefaultSchema, string? SigningKeyPath = null,
    string? ReadConnectionString = null)
{
    public const string DefaultSchema = "computenet";
}

/// <summary>
/// Composition of the application layer. Hosts (CLI, API, tests) call <see cref="AddComputeNet"/> and then
/// their own source-generated <c>AddMediator</c>, which finds the handlers of this assembly.
/// </summary>
public static class ComputeNetServices
{
    /// <summary>How often a host without the daemon's leadership tries to take it (Marten's default: 5,000 ms).</summary>
    public const int DaemonLeadershipPollingMs = 1_000;

    /// <summary>How often the daemon's coordinator checks its agents and restarts stopped ones (Marten's default: 5 s).</summary>
    public static readonly TimeSpan DaemonHealthCheckPolling = TimeSpan.FromSeconds(1);

    /// <param name="daemon">Runs Marten's async daemon in the host (<c>serve</c>: <see cref="JasperFx.Events.Daemon.DaemonMode.HotCold"/>);
    /// null: no daemon in this process, and readers of the async read models catch them up inline (<see cref="AsyncReadModels"/>).</param>
    public static IServiceCollection AddComputeNet(this IServiceCollection services, ComputeNetSettings settings, IClock? clock = null,
        JasperFx.Events.Daemon.DaemonMode? daemon = null)
    {
        services.AddSingleton(settings);
        if (daemon is { } mode && mode != JasperFx.Events.Daemon.DaemonMode.Disabled)
        {
            // The same store, registered through Marten's host integration so that its daemon runs as a hosted service.
            services.AddMarten(o =>
            {
                MartenSetup.Configure(o, settings.ConnectionString, settings.Schema, clock);
                // After a failover (ADR 0031) the daemon's leader lock and agents are re-established by the coordinator's
                // leadership poll and health check, 5 s each by default; the failover drill once saw its projections still
                // behind 30 s after a promotion on the loaded 2 cores. Polling every second (an advisory-lock attempt, one
                // row) brings them back sooner.
                o.Projections.LeadershipPollingTime = DaemonLeadershipPollingMs;
                o.Projections.HealthCheckPollingTime = DaemonHealthCheckPolling;
            }).AddAsyncDaemon(mode);
            services.AddSingleton(new AsyncReadModels.Options(Hosted: true));
            services.AddHostedService<ProjectionWatchdog>();
        }
        else
        {
            // The async projections are run by this process's readers (AsyncReadModels catches them up inline), which is what
            // Marten calls an externally managed daemon; it then does not warn on the console that they will never run.
            services.AddSingleton<IDocumentStore>(_ => DocumentStore.For(o =>
            {
                MartenSetup.Configure(o, settings.ConnectionString, settings.Schema, clock);
                o.Projections.AsyncMode = JasperFx.Events.Daemon.DaemonMode.ExternallyManaged;
            }));
            services.AddSingleton(new AsyncReadModels.Options(Hosted: false));
        }
        services.AddSingleton<AsyncReadModels>();
        services.AddSingleton<StaleReads>();
        services.AddSingleton(clock ?? SystemClock.Instance);
        services.AddSingleton<PlatformService>();
        services.AddSingleton<PartyDirectory>();
        services.TryAddSingleton(new MarketOptions());
        // Always the owner of the market, with no lease; serve replaces it with the market's lease (ADR 0030).
        services.TryAddSingleton<Cluster.IMarketOwnership>(Cluster.AlwaysOwner.Instance);
        services.AddSingleton<MarketService>();
        services.AddSingleton<Metering.MeteringService>();
        services.AddSingleton<Vouchers.VoucherService>();
        services.AddSingleton<Pairings.PairingService>();
        services.AddSingleton<Disputes.DisputeService>();
        services.AddSingleton<Documents.DocumentSource>();
        services.AddSingleton<Audit.ICheckpointSigner>(_ => new Audit.FileSigningKey(Audit.FileSigningKey.ResolvePath(settings.SigningKeyPath)));
        services.AddSingleton<Audit.CheckpointWriter>();
        // Offline unless a host replaces it (ComputeNet.Payments.Stripe when ComputeNet:Stripe:SecretKey is configured).
        services.AddSingleton<Payments.IPaymentGateway, Payments.OfflinePaymentGateway>();
        services.AddSingleton<Payments.PayParty.PayoutAttempts>();
        services.AddSingleton<Payments.RefundThroughStripe.RefundAttempts>();
        // A credit note posts its transaction only (market-rules §14) unless a host turns its automatic refund on (ADR 0032).
        services.TryAddSingleton(new Payments.RefundThroughStripe.RefundSettings());
        services.AddValidatorsFromAssembly(typeof(ComputeNetServices).Assembly, ServiceLifetime.Singleton, includeInternalTypes: true);
        services.AddSingleton(typeof(IPipelineBehavior<,>), typeof(ValidationBehaviour<,>));
        return services;
    }

    /// <summary>
    /// A complete service provider for one platform instance (one schema). <paramref name="addMediator"/> is the
    /// host's source-generated <c>AddMediator</c> call.
    /// </summary>
    public static ServiceProvider Compose(ComputeNetSettings settings, IClock? clock, Action<IServiceCollection> addMediator)
    {
        var services = new ServiceCollection();
        services.AddComputeNet(settings, clock);
        addMediator(services);
        return services.BuildServiceProvider();
    }

    /// <summary>Whether a schema exists (read-only commands refuse to run against a schema that was never written).</summary>
    public static async Task<bool> SchemaExistsAsync(string connectionString, string schema, CancellationToken ct = default)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "select exists (select 1 from pg_namespace where nspname = @schema)";
        command.Parameters.AddWithValue("schema", schema);
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Drops a schema and everything in it (scenario runs and tests clean up after themselves).</summary>
    public static async Task DropSchemaAsync(string connectionString, string schema, CancellationToken ct = default)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"DROP SCHEMA IF EXISTS \"{schema.Replace("\"", "")}\" CASCADE";
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Applies the schema (tables, functions, projections' documents) before first use.</summary>
    public static async Task InitialiseComputeNetAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        var store = services.GetRequiredService<IDocumentStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var settings = services.GetRequiredService<ComputeNetSettings>();
        await CompressEventsWithLz4Async(settings.ConnectionString, settings.Schema, ct);
        await SettlementReadModels.EnsureUsageIndexAsync(settings.ConnectionString, settings.Schema, ct);
        await Market.OrderIndexes.EnsureAsync(settings.ConnectionString, settings.Schema, ct);
        // A schema written before the usage record table existed gets its rows from the usage events, once (its check
        // reads the index above).
        await Metering.UsageRecordTable.BackfillAsync(store, ct);
        // A schema written with one stream for every programme gets one stream per programme (once; before any rebuild below,
        // which then replays the programme streams, not the archived single stream).
        await Vouchers.VoucherStreamsUpgrade.EnsureAsync(store, Console.Error.WriteLine, ct);
        // Likewise one stream per party for a schema written with the single 'parties' stream.
        await Parties.PartyStreamsUpgrade.EnsureAsync(store, Console.Error.WriteLine, ct);
        await Pairings.PairingStreamsUpgrade.EnsureAsync(store, Console.Error.WriteLine, ct);
        // And one stream per invoice and per payee for a schema written with the single 'payments' stream.
        await Payments.PaymentStreamsUpgrade.EnsureAsync(store, Console.Error.WriteLine, ct);
        // A schema written before the settlement read models existed is brought up to date from its events (once).
        await SettlementReadModels.EnsureAsync(store, force: false, Console.Error.WriteLine, ct);
    }

    /// <summary>
    /// Market journal blocks are large (tens of KB): PostgreSQL's default TOAST compression (pglz) costs a third of a
    /// block's insert; lz4 costs a fraction of it (ADR 0015). Changed once per schema, only where the server supports it.
    /// </summary>
    private static async Task CompressEventsWithLz4Async(string connectionString, string schema, CancellationToken ct)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var check = connection.CreateCommand();
        check.CommandText = """
            select a.attcompression from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = $1 and c.relname = 'mt_events' and a.attname = 'data'
            """;
        check.Parameters.Add(new Npgsql.NpgsqlParameter { Value = schema });
        if (await check.ExecuteScalarAsync(ct) is char method && method == 'l')
        {
            return;
        }
        await using var alter = connection.CreateCommand();
        alter.CommandText = $"alter table \"{schema}\".mt_events alter column data set compression lz4";
        try
        {
            await alter.ExecuteNonQueryAsync(ct);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState is "0A000" or "22023")
        {
            // A server built without lz4 keeps pglz: slower blocks, same data.
        }
    }
}
