using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Caching.Memory;

namespace ComputeNet.Portal.Sessions;

/// <summary>
/// Server-side session tickets, in this host's memory, at most <c>maxSessions</c> of them (the oldest unused go first when
/// full), each gone at its expiry. The browser holds only a random 256-bit id (in the data-protected cookie). A restarted
/// host forgets its sessions: people sign in again (docs/adr/0023-portal-blazor-ssr-and-server-side-sessions.md).
/// </summary>
public sealed class PortalSessionStore(int maxSessions) : ITicketStore, IDisposable
{
    private readonly MemoryCache _tickets = new(new MemoryCacheOptions { SizeLimit = maxSessions });

    public int Count => _tickets.Count;

    public Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        if (_tickets.Count >= maxSessions)
        {
            // Full: drop the expired and the least recently used twentieth, so a new sign-in is never silently lost.
            _tickets.Compact(0.05);
        }
        Put(id, ticket);
        return Task.FromResult(id);
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        Put(key, ticket);
        return Task.CompletedTask;
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key) =>
        Task.FromResult(_tickets.TryGetValue(key, out AuthenticationTicket? ticket) ? ticket : null);

    public Task RemoveAsync(string key)
    {
        _tickets.Remove(key);
        return Task.CompletedTask;
    }

    private void Put(string id, AuthenticationTicket ticket) =>
        _tickets.Set(id, ticket, new MemoryCacheEntryOptions
        {
            Size = 1,
            AbsoluteExpiration = ticket.Properties.ExpiresUtc ?? DateTimeOffset.UtcNow.AddHours(8),
        });

    public void Dispose() => _tickets.Dispose();
}
