using ComputeNet.Application.Access;
using ComputeNet.Portal.Issuer;
using ComputeNet.Portal.Regulator;
using ComputeNet.Portal.Provider;
using ComputeNet.Portal.Sessions;
using Mediator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace ComputeNet.Portal;

/// <summary>
/// How a host serves the portal: <see cref="AddComputeNetPortal"/> (Razor components, sessions, antiforgery) and
/// <see cref="MapComputeNetPortal"/> (the pages at /, plus the few plain endpoints: sign-out, language, assets, the live
/// chart's fragment, PDF downloads). The host gives it its API-key check (<see cref="IPortalKeys"/>) and puts
/// <c>UseAntiforgery()</c> after authorization. Nothing here is part of the API's OpenAPI document.
/// </summary>
public static class PortalSetup
{
    public static IServiceCollection AddComputeNetPortal<TKeys>(this IServiceCollection services, AuthenticationBuilder auth, IConfiguration configuration)
        where TKeys : class, IPortalKeys
    {
        var settings = PortalSettings.From(configuration);
        services.AddSingleton(settings);
        services.AddSingleton<IPortalKeys, TKeys>();
        services.AddRazorComponents();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "cn_csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        auth.AddPortalSessions(settings);
        return services;
    }

    public static IEndpointRouteBuilder MapComputeNetPortal(this IEndpointRouteBuilder app)
    {
        app.MapRazorComponents<App>().Add(e => e.Metadata.Add(new ExcludeFromDescriptionAttribute()));

        var portal = app.MapGroup("").ExcludeFromDescription();
        portal.MapPost(PortalSessions.SignOutPath, async ([FromForm(Name = "returnUrl")] string? returnUrl, HttpContext http) =>
        {
            await http.SignOutAsync(PortalSessions.Scheme);
            return Results.Redirect(PortalSessions.SignInPath);
        });

        portal.MapPost("/language", ([FromForm(Name = "lang")] string? lang, [FromForm(Name = "returnUrl")] string? returnUrl, HttpContext http) =>
        {
            http.Response.Cookies.Append(Shared.Texts.CookieName, lang == "en" ? "en" : "zh", new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = http.Request.IsHttps,
                MaxAge = TimeSpan.FromDays(365),
                IsEssential = true,
            });
            return Results.Redirect(PortalSessions.LocalOr(returnUrl, "/"));
        });

        portal.MapGet("/assets/{name}", (string name, HttpContext http) =>
        {
            if (!PortalAssets.All.TryGetValue(name, out var asset))
            {
                return Results.NotFound();
            }
            http.Response.Headers.CacheControl = http.Request.Query["v"] == asset.Version ? "public, max-age=31536000, immutable" : "no-cache";
            return Results.Bytes(asset.Content, asset.ContentType, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{asset.Version}\""));
        });

        // The live depth chart's fragment: the same request and roles as GET /v1/book/{family}.
        portal.MapGet("/buyer/market/chart", async (string? family, string? cluster, HttpContext http, ISender sender, Application.Platform.PlatformService platform,
                CancellationToken ct) =>
            {
                var book = await sender.Send(new Application.Market.GetBookDepth.GetBookDepthRequest(family ?? "", string.IsNullOrEmpty(cluster) ? null : cluster, 20), ct);
                var zone = (await platform.CurrentAsync(ct)).Calendar.Zone;
                return new RazorComponentResult<Buyer.DepthChart>(new Dictionary<string, object?>
                {
                    [nameof(Buyer.DepthChart.Book)] = book,
                    [nameof(Buyer.DepthChart.T)] = Shared.Texts.Of(http),
                    [nameof(Buyer.DepthChart.F)] = new Shared.Fmt(zone),
                });
            })
            .RequireAuthorization(p => p.RequireRole(Role.Buyer, Role.Provider, Role.Carrier, Role.Issuer, Role.Regulator, Role.Operator));

        // A buyer's own invoice as PDF: the request and scope of GET /v1/invoices/{id}/pdf.
        portal.MapGet("/buyer/invoices/{invoiceId}/pdf", async (string invoiceId, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var file = await sender.Send(new Application.Documents.GetInvoicePdf.GetInvoicePdfRequest(invoiceId, Caller.From(http.User).Scope(null)), ct);
                return file is null ? Results.NotFound() : Results.File(file.Content, "application/pdf", file.FileName);
            })
            .RequireAuthorization(p => p.RequireRole(Role.Buyer));

        portal.MapIssuerDownloads();
        Shared.CreditNoteDownloads.MapCreditNoteDownloads(portal);
        portal.MapRegulatorDownloads();
        // The provider's and the carrier's statement PDFs.
        app.MapPayeePortal();
        return app;
    }
}
