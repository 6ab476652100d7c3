using ComputeNet.Application.Database;
using ComputeNet.Application.Infrastructure;
using ComputeNet.Application.Scenarios;
using Marten;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace ComputeNet.Application.Tests;

/// <summary>The real database for tests: COMPUTENET_DB if set, else this checkout's embedded cluster.</summary>
public static class TestDatabase
{
    private static readonly Lazy<Task<string>> Connection = new(() => DatabaseConnection.ResolveAsync());

    public static Task<string> ConnectionStringAsync() => Connection.Value;

    public static void AddMediator(IServiceCollection services) =>
        services.AddMediator(options =>
        {
            options.ServiceLifetime = ServiceLifetime.Singleton;
            options.Assemblies = [typeof(ComputeNetServices)];
        });

    public static ScenarioRunner Runner() => new(AddMediator);

    /// <summary>A runner whose platform refunds a credit note's buyer credit by itself (ADR 0032; off by default).</summary>
    public static ScenarioRunner RunnerRefundingCreditNotes() => new(services =>
    {
        AddMediator(services);
        services.AddSingleton(new Application.Payments.RefundThroughStripe.RefundSettings(AutoRefundCreditNotes: true));
    });

    /// <summary>Tests sign checkpoints with a key of their own under the temp folder, never the user's platform key.</summary>
    public static readonly string SigningKeyPath = Path.Combine(Path.GetTempPath(), "computenet-test-keys", "platform-signing-key.pem");

    public static string ScenarioPath(string relative) => Path.Combine(AppContext.BaseDirectory, "Scenarios", relative);
}

/// <summary>
/// One platform instance in a schema of its own, on a settable clock: what a test class or a single test uses.
/// The schema is dropped on dispose.
/// </summary>
public sealed class TestPlatform : IAsyncDisposable
{
    private TestPlatform(string connectionString, string schema, SettableClock clock, ServiceProvider services)
    {
        ConnectionString = connectionString;
        Schema = schema;
        Clock = clock;
        Services = services;
    }

    public string ConnectionString { get; }
    public string Schema { get; }
    public SettableClock Clock { get; }
    public ServiceProvider Services { get; }
    public ISender Sender => Services.GetRequiredService<ISender>();
    public IDocumentStore Store => Services.GetRequiredService<IDocumentStore>();

    /// <param name="configure">Registrations after the platform's own (they win), e.g. a signer that fails once.</param>
    public static async Task<TestPlatform> StartAsync(Instant now, string? schema = null, Action<IServiceCollection>? configure = null)
    {
        var cs = await TestDatabase.ConnectionStringAsync();
        schema ??= $"t_{Guid.NewGuid():N}"[..20];
        var clock = new SettableClock(now);
        var services = ComputeNetServices.Compose(new ComputeNetSettings(cs, schema, TestDatabase.SigningKeyPath), clock, s =>
        {
            TestDatabase.AddMediator(s);
            configure?.Invoke(s);
        });
        await services.InitialiseComputeNetAsync();
        return new TestPlatform(cs, schema, clock, services);
    }

    /// <summary>
    /// Runs SQL straight against this platform's schema (<c>{schema}</c> in <paramref name="sql"/>), bypassing the
    /// application, as someone tampering with the database would; asserts it changed something.
    /// </summary>
    public async Task TamperAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql.Replace("{schema}", Schema);
        Assert.True(await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken) > 0, "the tampering statement changed nothing");
    }

    /// <summary>A second, independent instance on the same schema — as another process would be.</summary>
    public async Task<TestPlatform> SecondProcessAsync(Action<IServiceCollection>? configure = null)
    {
        var services = ComputeNetServices.Compose(new ComputeNetSettings(ConnectionString, Schema, TestDatabase.SigningKeyPath), Clock, s =>
        {
            TestDatabase.AddMediator(s);
            configure?.Invoke(s);
        });
        await services.InitialiseComputeNetAsync();
        return new TestPlatform(ConnectionString, Schema, Clock, services) { _ownsSchema = false };
    }

    /// <summary>
    /// Stops this instance (every singleton and its in-memory state goes) and starts a new one on the same schema, as a
    /// restarted host would; the new instance owns the schema from then on.
    /// </summary>
    public async Task<TestPlatform> RestartAsync()
    {
        _ownsSchema = false;
        await Services.DisposeAsync();
        var services = ComputeNetServices.Compose(new ComputeNetSettings(ConnectionString, Schema, TestDatabase.SigningKeyPath), Clock, TestDatabase.AddMediator);
        await services.InitialiseComputeNetAsync();
        return new TestPlatform(ConnectionString, Schema, Clock, services);
    }

    private bool _ownsSchema = true;

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        if (_ownsSchema)
        {
            await ComputeNetServices.DropSchemaAsync(ConnectionString, Schema);
        }
    }
}
