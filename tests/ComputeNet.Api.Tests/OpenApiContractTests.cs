using System.Text.Json.Nodes;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>
/// The OpenAPI document served by the host is the one committed under contracts/openapi/. Any change to the API
/// shows up as a diff there. To accept a change: COMPUTENET_UPDATE_CONTRACTS=1 dotnet test, then review and commit.
/// </summary>
public sealed class OpenApiContractTests
{
    private static string CommittedPath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ComputeNet.sln")))
        {
            dir = dir.Parent;
        }
        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("checkout not found"), "contracts", "openapi", "v1.json");
    }

    [Fact]
    public async Task Served_document_equals_the_committed_contract()
    {
        await using var host = await StartAsync(At("2026-11-30T08:00:00+08:00"));
        var served = JsonNode.Parse(await host.Client().GetStringAsync("/openapi/v1.json"))!;
        Assert.Equal("ComputeNet API", served["info"]!["title"]!.GetValue<string>());
        Assert.NotNull(served["paths"]!["/v1/bids"]);
        // The server URL differs per run (random port); it is not part of the contract.
        served.AsObject().Remove("servers");
        var text = served.ToJsonString(new System.Text.Json.JsonSerializerOptions
        {
            WriteIndented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }) + "\n";

        var path = CommittedPath();
        if (Environment.GetEnvironmentVariable("COMPUTENET_UPDATE_CONTRACTS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, text);
        }
        Assert.True(File.Exists(path), $"no committed OpenAPI document at {path}; run COMPUTENET_UPDATE_CONTRACTS=1 dotnet test");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(await File.ReadAllTextAsync(path)), JsonNode.Parse(text)),
            $"the served OpenAPI document differs from {path}; if the change is intended, run COMPUTENET_UPDATE_CONTRACTS=1 dotnet test and commit the file");
    }
}
