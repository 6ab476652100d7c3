using ComputeNet.Application.Access;
using ComputeNet.Application.Platform;
using Mediator;
using Microsoft.AspNetCore.Components;

namespace ComputeNet.Portal.Shared;

/// <summary>
/// The base of every signed-in page: the request's <see cref="HttpContext"/>, the caller (built from the session's claims
/// exactly as the API builds it from a key, so <see cref="Caller.Scope"/> scopes reads the same way), the language and the
/// platform's time zone. Pages send the same Mediator requests as the API's endpoints; access is the page's
/// <c>[Authorize(Roles = …)]</c>, never wider than the endpoint's.
/// </summary>
public abstract class PortalPage : ComponentBase
{
    [CascadingParameter] public HttpContext HttpContext { get; set; } = default!;

    [Inject] protected ISender Sender { get; set; } = default!;

    [Inject] protected PlatformService Platform { get; set; } = default!;

    [Inject] protected NavigationManager Navigation { get; set; } = default!;

    [Inject] protected PortalSettings Settings { get; set; } = default!;

    protected Texts T { get; private set; } = Texts.Zh;

    protected Caller Caller { get; private set; } = default!;

    protected Fmt F { get; private set; } = new(NodaTime.DateTimeZoneProviders.Tzdb["Asia/Shanghai"]);

    protected CancellationToken Aborted => HttpContext.RequestAborted;

    protected override async Task OnInitializedAsync()
    {
        T = Texts.Of(HttpContext);
        Caller = Caller.From(HttpContext.User);
        F = new Fmt((await Platform.CurrentAsync(Aborted)).Calendar.Zone);
        await LoadAsync();
    }

    /// <summary>Reads what the page shows (also on a form post, before the form's handler runs).</summary>
    protected abstract Task LoadAsync();

    /// <summary>The answer is 404, as the API's for what does not exist or is someone else's: existence itself must not leak.</summary>
    /// <remarks>Blazor answers 404 with <see cref="NotFoundPage"/> (a raw 404 status set here would leave the body empty).</remarks>
    protected void NotFound()
    {
        if (HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages)
        {
            pages.Enabled = false;
        }
        Navigation.NotFound();
    }

    /// <summary>
    /// Answers with a status and this page as its body: the host's status-code pages (the API's problem details) are turned off
    /// for this response, or they would replace the page (Blazor leaves a 404's body to them).
    /// </summary>
    public static void Status(HttpContext http, int status)
    {
        if (http.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages)
        {
            pages.Enabled = false;
        }
        http.Response.StatusCode = status;
    }
}
