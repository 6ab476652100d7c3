using System.Runtime.CompilerServices;

namespace ComputeNet.Application.Tests;

internal static class TestKey
{
    /// <summary>Scenario runs in tests sign with the test key too (the runner falls back to env ComputeNet__SigningKeyPath).</summary>
#pragma warning disable CA2255 // a test assembly sets its environment once, before any test
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void UseTestKey() => Environment.SetEnvironmentVariable("ComputeNet__SigningKeyPath", TestDatabase.SigningKeyPath);
}
