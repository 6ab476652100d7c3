using System.Security.Claims;
using ComputeNet.Application;
using ComputeNet.Portal.Sessions;
using Microsoft.AspNetCore.Authentication;
using Npgsql;
using static ComputeNet.Portal.Tests.BrowserSteps;

namespace ComputeNet.Portal.Tests;

/// <summary>
/// Sessions and the cookie key ring in PostgreSQL: a session survives its host's restart and works on every host of the
/// schema; sign-out on one host ends it on all; the table keeps no session id and stays bounded.
/// </summary>
public sealed class SessionStorageTests(PortalFixture portal)
{
    private PortalSessionStore Store(int maxPerParty) =>
        new(new PortalTables(new ComputeNetSettings(portal.Connection, portal.Schema)), maxPerParty);

    private static AuthenticationTicket Ticket(string party, TimeSpan life) => new(
        new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, party), new Claim(ClaimTypes.Role, "buyer")], "t")),
        new AuthenticationProperties { ExpiresUtc = DateTimeOffset.UtcNow.Add(life) }, PortalSessions.Scheme);

    [Fact]
    public async Task A_session_is_kept_by_the_hash_of_its_id_and_forgotten_at_sign_out()
    {
        var store = Store(10);
        var id = await store.StoreAsync(Ticket("store-test-a", TimeSpan.FromHours(1)));
        Assert.True(id.Length >= 43, "session ids carry 256 random bits");
        var back = await store.RetrieveAsync(id);
        Assert.Equal("store-test-a", back!.Principal.FindFirstValue(ClaimTypes.NameIdentifier));
        Assert.Equal("buyer", back.Principal.FindFirstValue(ClaimTypes.Role));

        await using (var connection = new NpgsqlConnection(portal.Connection))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"select count(*) from \"{portal.Schema}\".{PortalSessionStore.Table} where encode(id_hash, 'escape') like '%' || $1 || '%' or encode(ticket, 'escape') like '%' || $1 || '%'", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = id });
            Assert.Equal(0L, await command.ExecuteScalarAsync()); // the table holds the id's hash, never the id
        }

        await store.RemoveAsync(id);
        Assert.Null(await store.RetrieveAsync(id));
        Assert.Null(await store.RetrieveAsync("not-a-session"));
        Assert.Null(await store.RetrieveAsync(new string('x', 5000)));
    }

    [Fact]
    public async Task Expired_sessions_are_not_read_and_a_party_holds_at_most_its_bound()
    {
        var store = Store(3);
        var expired = await store.StoreAsync(Ticket("store-test-b", TimeSpan.FromSeconds(-1)));
        Assert.Null(await store.RetrieveAsync(expired));

        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add(await store.StoreAsync(Ticket("store-test-c", TimeSpan.FromHours(1) + TimeSpan.FromSeconds(i))));
            Assert.True(await store.CountAsync("store-test-c") <= 3, "a party holds at most its bound");
        }
        Assert.Equal(3, await store.CountAsync("store-test-c"));
        Assert.NotNull(await store.RetrieveAsync(ids[^1]));
        Assert.Null(await store.RetrieveAsync(ids[0])); // the oldest went first
        Assert.Equal(10, ids.Distinct().Count());
    }

    [Fact]
    public async Task A_session_outlives_its_host_and_works_on_another_host_of_the_schema()
    {
        var (context, page) = await SignedInAsync(portal, portal.Keys["sme-bj-render"]);
        await using var _ = context;

        // Another host on the same schema (a second machine, or this one restarted): the same cookie is the same session.
        var other = await portal.StartHostAsync();
        try
        {
            var otherAddress = other.Urls.First().TrimEnd('/');
            var answer = await page.GotoAsync($"{otherAddress}/buyer/orders");
            Assert.Equal(200, answer!.Status);
            Assert.Equal("/buyer/orders", Path(page));
            Assert.Contains("sme-bj-render", await page.Locator("#who").InnerTextAsync(), StringComparison.Ordinal);

            // Sign-out there ends the session here too.
            await page.ClickAsync("#sign-out");
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/signin");
        }
        finally
        {
            await other.StopAsync();
            await other.DisposeAsync();
        }
        await page.GotoAsync($"{portal.Address.ToString().TrimEnd('/')}/buyer/orders");
        Assert.Equal("/signin", Path(page));
    }
}
