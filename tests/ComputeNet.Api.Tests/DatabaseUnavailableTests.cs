using ComputeNet.Api.Errors;
using Npgsql;

namespace ComputeNet.Api.Tests;

/// <summary>Which database errors the API answers as 503 with Retry-After (retry later) rather than 500.</summary>
public sealed class DatabaseUnavailableTests
{
    [Theory]
    [InlineData("08006", true)] // connection failure
    [InlineData("57P01", true)] // admin shutdown
    [InlineData("57P03", true)] // cannot connect now (starting up, or in recovery)
    [InlineData("53300", true)] // too many connections
    [InlineData("25006", true)] // read-only transaction: the write reached a standby during a failover
    [InlineData("23505", false)] // a unique violation is a bug or a rule, never "retry later"
    [InlineData("40001", false)] // serialisation failures are retried inside, never surfaced as unavailable
    public void Classifies_postgres_errors(string sqlState, bool unavailable)
    {
        var error = new PostgresException("test", "ERROR", "ERROR", sqlState);
        Assert.Equal(unavailable, RejectionExceptionHandler.DatabaseUnavailable(error));
        Assert.Equal(unavailable, RejectionExceptionHandler.DatabaseUnavailable(new InvalidOperationException("wrapped", error)));
    }
}
