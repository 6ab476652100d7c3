using ComputeNet.Api.Security;
using ComputeNet.Application.Parties.ListParties;
using ComputeNet.Application.Parties.ListRoutes;
using ComputeNet.Application.Parties.ManageApiKeys;
using ComputeNet.Application.Parties.RegisterParty;
using ComputeNet.Domain;
using ComputeNet.Domain.Parties;
using Mediator;

namespace ComputeNet.Api.Endpoints;

public static class PartiesEndpoints
{
    public sealed record RouteBody(IReadOnlyList<string>? Cities, IReadOnlyList<string>? Clusters);
    public sealed record RegisterPartyBody(string? Id, IReadOnlyList<string>? Roles, string? City, bool? Sme, IReadOnlyList<RouteBody>? Routes, string? DisplayName,
        string? DisplayNameEn = null);

    public static void MapParties(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("").WithTags("Parties and keys");
        g.MapPost("/parties", async (RegisterPartyBody body, ISender sender, CancellationToken ct) =>
            {
                var routes = (body.Routes ?? []).Select(r => new RouteSet(r.Cities ?? [], r.Clusters ?? [])).ToList();
                var result = await sender.Send(new RegisterPartyRequest(Required(body.Id, "id"), body.Roles ?? [], body.City, body.Sme ?? false,
                    routes, body.DisplayName, IssueApiKey: true, DisplayNameEn: body.DisplayNameEn), ct);
                return result.Created
                    ? Results.Created($"/v1/parties/{result.Party.Id}", result)
                    : Results.Ok(result);
            })
            .For(Role.Operator).WithName("RegisterParty")
            .WithSummary("Operator: register a party; the answer to the first registration carries its API key, shown only once")
            .Produces<RegisteredParty>(201).Produces<RegisteredParty>(200).ProducesProblem(409);

        g.MapGet("/parties", async (int? offset, int? limit, ISender sender, CancellationToken ct) =>
                Paging.Of(await sender.Send(new ListPartiesRequest(), ct), offset, limit))
            .For(Role.Operator, Role.Regulator).WithName("ListParties").WithSummary("Operator, regulator: every party, in registration order");

        g.MapGet("/parties/me", async (HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var caller = Caller.From(http.User);
                var party = (await sender.Send(new ListPartiesRequest(), ct)).FirstOrDefault(p => p.Id == caller.PartyId);
                return party is null ? Results.Ok(new PartyView(caller.PartyId, 0, caller.Roles.ToList(), null, false, "platform operator")) : Results.Ok(party);
            })
            .WithName("GetOwnParty").WithSummary("The calling party").Produces<PartyView>();

        g.MapGet("/parties/{partyId}", async (string partyId, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var caller = Caller.From(http.User);
                if (!caller.ReadsAll && caller.PartyId != partyId)
                {
                    return MarketEndpoints.NotFound("party", partyId);
                }
                var party = (await sender.Send(new ListPartiesRequest(), ct)).FirstOrDefault(p => p.Id == partyId);
                return party is null ? MarketEndpoints.NotFound("party", partyId) : Results.Ok(party);
            })
            .WithName("GetParty").WithSummary("A party: itself, or any for operators and regulators").Produces<PartyView>().ProducesProblem(404);

        g.MapPost("/parties/{partyId}/keys", async (string partyId, ISender sender, CancellationToken ct) =>
                Results.Created($"/v1/parties/{partyId}", await sender.Send(new RotateApiKeyRequest(partyId), ct)))
            .For(Role.Operator).WithName("RotateApiKey")
            .WithSummary("Operator: issue a new API key (shown once); the party's previous key stops working").Produces<IssuedApiKey>(201);

        g.MapDelete("/parties/{partyId}/keys", async (string partyId, ISender sender, CancellationToken ct) =>
            {
                await sender.Send(new RevokeApiKeysRequest(partyId), ct);
                return Results.NoContent();
            })
            .For(Role.Operator).WithName("RevokeApiKeys").WithSummary("Operator: revoke every key of a party").Produces(204);

        g.MapGet("/routes", async (int? offset, int? limit, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var caller = Caller.From(http.User);
                return Paging.Of(await sender.Send(new ListRoutesRequest(caller.Scope(null)), ct), offset, limit);
            })
            .For(Role.Carrier, Role.Regulator, Role.Operator).WithName("ListRoutes")
            .WithSummary("Carrier: its city–cluster routes; regulator, operator: all");
    }

    public static string Required(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw RejectedException.Of(Codes.Invalid, $"'{field}' is required", field) : value;

    public static T Required<T>(T? value, string field) where T : struct =>
        value ?? throw RejectedException.Of(Codes.Invalid, $"'{field}' is required", field);
}
