using ComputeNet.Application.Database;
using Microsoft.Extensions.DependencyInjection;

namespace ComputeNet.Cli;

/// <summary>What every CLI command shares: the database location and the source-generated mediator registration.</summary>
internal static class Hosting
{
    /// <summary>The host's Mediator registration; the generator finds the handlers in the Application assembly.</summary>
    public static void AddMediator(IServiceCollection services) =>
        services.AddMediator(options =>
        {
            options.ServiceLifetime = ServiceLifetime.Singleton;
            options.Assemblies = [typeof(ComputeNet.Application.ComputeNetServices)];
        });

    /// <summary>COMPUTENET_DB if set, else the embedded PostgreSQL cluster (created and started on first use).</summary>
    public static Task<string> ConnectionStringAsync(CancellationToken ct) =>
        DatabaseConnection.ResolveAsync(Environment.GetEnvironmentVariable("ConnectionStrings__ComputeNet"), ct);
}
