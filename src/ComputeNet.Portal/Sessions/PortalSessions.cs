using System.Security.Claims;
using ComputeNet.Application.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;

namespace ComputeNet.Portal.Sessions;

/// <summary>A valid key's holder as the host's key check found it (the API's own check: <see cref="IPortalKeys"/>).</summary>
/// <param name="KeyHash">SHA-256 of the key: the session keeps it (server-side) to check the key again on every request; the key itself is never kept.</param>
public sealed record PortalIdentity(string PartyId, IReadOnlyList<string> Roles, string KeyId, string KeyHash, string? Name, string? NameEn);

/// <summary>
/// The host's API-key check, given to the portal by the host (the API implements it with the code its own authentication
/// runs), so a key the API refuses is refused here too, with the same rate limits.
/// </summary>
public interface IPortalKeys
{
    /// <summary>The holder of <paramref name="key"/>, or null for an unknown, rotated or revoked key.</summary>
    Task<PortalIdentity?> IdentifyAsync(HttpContext http, string key);

    /// <summary>Whether the key a session was started with (by its hash) still belongs to <paramref name="partyId"/>.</summary>
    Task<bool> StillValidAsync(HttpContext http, string partyId, string keyHash);
}

/// <summary>
/// Portal sessions: ASP.NET Core cookie authentication whose ticket stays on the server (<see cref="PortalSessionStore"/>, in PostgreSQL);
/// the cookie holds only a protected random session id (HttpOnly, SameSite=Strict, Secure over https). Each request checks
/// the session's key again, so a rotated or revoked key ends the session on its next request.
/// </summary>
public static class PortalSessions
{
    public const string Scheme = "PortalSession";
    public const string CookieName = "cn_session";
    public const string SignInPath = "/signin";
    public const string SignOutPath = "/signout";
    public const string DeniedPath = "/denied";
    public const string KeyHashClaim = "computenet:key-hash";
    public const string NameClaim = "computenet:name";
    public const string NameEnClaim = "computenet:name-en";

    public static AuthenticationBuilder AddPortalSessions(this AuthenticationBuilder auth, PortalSettings settings)
    {
        // Sessions and the key ring that protects their cookies live in PostgreSQL: they survive a restart and are shared by
        // every host of the schema.
        auth.Services.AddSingleton<PortalTables>();
        auth.Services.AddSingleton(sp => new PortalSessionStore(sp.GetRequiredService<PortalTables>(), settings.MaxSessionsPerParty));
        auth.Services.AddDataProtection().SetApplicationName("ComputeNet");
        auth.Services.AddOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>()
            .Configure<PortalTables>((o, tables) => o.XmlRepository = new PortalKeyRing(tables));
        auth.AddCookie(Scheme, o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.IsEssential = true;
            o.LoginPath = SignInPath;
            o.LogoutPath = SignOutPath;
            o.AccessDeniedPath = DeniedPath;
            o.ReturnUrlParameter = "returnUrl";
            o.ExpireTimeSpan = TimeSpan.FromHours(settings.SessionHours);
            o.SlidingExpiration = true;
            o.Events.OnValidatePrincipal = ValidateAsync;
        });
        auth.Services.AddOptions<CookieAuthenticationOptions>(Scheme).Configure<PortalSessionStore>((o, store) => o.SessionStore = store);
        return auth;
    }

    /// <summary>Starts a session for a key's holder: a new server-side ticket, and the cookie naming it.</summary>
    public static Task SignInAsync(HttpContext http, PortalIdentity holder)
    {
        var claims = Caller.Claims(holder.PartyId, holder.Roles, holder.KeyId);
        claims.Add(new Claim(KeyHashClaim, holder.KeyHash));
        if (holder.Name is { } name)
        {
            claims.Add(new Claim(NameClaim, name));
        }
        if (holder.NameEn is { } nameEn)
        {
            claims.Add(new Claim(NameEnClaim, nameEn));
        }
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, ClaimTypes.NameIdentifier, ClaimTypes.Role));
        return http.SignInAsync(Scheme, principal, new AuthenticationProperties { IsPersistent = false, AllowRefresh = true });
    }

    /// <summary>Every request: the session's key must still be its party's (not rotated, not revoked); else the session ends here.</summary>
    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var user = context.Principal;
        var party = user?.FindFirstValue(ClaimTypes.NameIdentifier);
        var hash = user?.FindFirstValue(KeyHashClaim);
        var keys = context.HttpContext.RequestServices.GetRequiredService<IPortalKeys>();
        if (party is null || hash is null || !await keys.StillValidAsync(context.HttpContext, party, hash))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }

    /// <summary>A return address the portal may redirect to: a local path only (never another site, never "//host").</summary>
    public static string LocalOr(string? url, string fallback) =>
        url is { Length: > 0 and < 2048 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Contains('\n') && !url.Contains('\r')
            ? url : fallback;
}
