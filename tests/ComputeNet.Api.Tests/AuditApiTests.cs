using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComputeNet.Domain.Audit;
using static ComputeNet.Api.Tests.ApiTestHost;

namespace ComputeNet.Api.Tests;

/// <summary>The regulator's audit over real HTTP: a close is checkpointed, its proof is checked offline with the published key.</summary>
public sealed class AuditApiTests
{
    [Fact]
    public async Task A_regulator_fetches_the_checkpoint_key_and_a_proof_and_checks_them_offline()
    {
        await using var host = await StartAsync(At("2026-11-30T08:00:00+08:00"));
        var regulator = (await host.RegisterAsync("ndrc", ["regulator"])).Client;
        host.Clock.Set(At("2026-12-02T01:00:00+08:00"));
        var close = (await ReadAsync(await host.Operator.PostAsync("/v1/periods/2026-12-01/close", null)))!;

        var checkpoints = (await regulator.GetFromJsonAsync<List<CheckpointSigned>>("/v1/checkpoints", Json))!;
        var checkpoint = Assert.Single(checkpoints);
        Assert.Equal(close["checkpoint"]!.GetValue<string>(), checkpoint.Hash);
        Assert.Equal(checkpoint, await regulator.GetFromJsonAsync<CheckpointSigned>("/v1/checkpoints/2026-12-01", Json), CheckpointComparer.Instance);
        Assert.Equal(HttpStatusCode.NotFound, (await regulator.GetAsync("/v1/checkpoints/2026-12-09")).StatusCode);

        var key = (await ReadAsync(await regulator.GetAsync("/v1/public-key")))!;
        var keys = Checkpoints.PublicKeys([key["publicKeyPem"]!.GetValue<string>()]);
        Assert.Equal(checkpoint.KeyId, key["keyId"]!.GetValue<string>());
        Assert.Null(Checkpoints.Check(checkpoint, keys));

        // An empty day has no transaction to prove; an unknown one is 404 with a code.
        var missing = await regulator.GetAsync("/v1/proofs?txId=cash%2Fnone");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("not-found", (await ReadAsync(missing))!["code"]!.GetValue<string>());

        var period = (await ReadAsync(await regulator.GetAsync("/v1/verify/periods/2026-12-01")))!;
        Assert.True(period["ok"]!.GetValue<bool>());
        Assert.Equal(1, period["checkpoint"]!.GetValue<int>());

        var kept = await regulator.PostAsJsonAsync("/v1/verify/checkpoints",
            new { checkpoints, publicKeys = new[] { key["publicKeyPem"]!.GetValue<string>() } }, Json);
        var report = (await ReadAsync(kept))!;
        Assert.True(report["ok"]!.GetValue<bool>(), report.ToJsonString());
        Assert.Equal(1, report["checkpoints"]!["checkpoints"]!.GetValue<int>());

        var bad = await regulator.PostAsJsonAsync("/v1/verify/checkpoints", new { checkpoints, publicKeys = new[] { "not a key" } }, Json);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("invalid", (await ReadAsync(bad))!["code"]!.GetValue<string>());
    }

    private sealed class CheckpointComparer : IEqualityComparer<CheckpointSigned?>
    {
        public static readonly CheckpointComparer Instance = new();
        public bool Equals(CheckpointSigned? x, CheckpointSigned? y) => x is not null && y is not null && Checkpoints.HashOf(x) == Checkpoints.HashOf(y) && x.Signature == y.Signature;
        public int GetHashCode(CheckpointSigned? obj) => 0;
    }
}
