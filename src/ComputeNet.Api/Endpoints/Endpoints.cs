using ComputeNet.Api.Hosting;
using ComputeNet.Api.Security;

namespace ComputeNet.Api.Endpoints;

public static class EndpointMap
{
    /// <summary>Every endpoint of API v1. Each requires an API key; roles and ownership are checked per endpoint.</summary>
    public static IEndpointRouteBuilder MapComputeNetEndpoints(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").RequireAuthorization().ProducesProblem(400).ProducesProblem(401).ProducesProblem(403)
            .ProducesProblem(429).ProducesProblem(503).WithLongTimeoutsWhereDue()
            .AddEndpointFilter(Errors.BoundInputCheck.FilterAsync);
        v1.MapReference();
        v1.MapParties();
        v1.MapMarket();
        v1.MapMetering();
        v1.MapSettlement();
        v1.MapVouchers();
        v1.MapAudit();
        v1.MapPayments();
        v1.MapSandbox();
        v1.MapAnalytics();
        v1.MapDisputes();
        v1.MapCluster();
        app.MapStripeWebhook();
        return app;
    }

    /// <summary>Only callers holding one of the roles may call the endpoint (403 otherwise).</summary>
    public static RouteHandlerBuilder For(this RouteHandlerBuilder endpoint, params string[] roles) =>
        endpoint.RequireAuthorization(p => p.RequireRole(roles));
}
