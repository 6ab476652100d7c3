using ComputeNet.Api.Security;
using ComputeNet.Application.Audit.GetProof;
using ComputeNet.Application.Audit.ListCheckpoints;
using ComputeNet.Application.Audit.Verify;
using ComputeNet.Application.Audit.VerifyItem;
using ComputeNet.Domain;
using ComputeNet.Domain.Audit;
using Mediator;

namespace ComputeNet.Api.Endpoints;

/// <summary>The regulator's audit API: signed checkpoints, the public key, inclusion proofs, and verification of one item or of kept checkpoints.</summary>
public static class AuditEndpoints
{
    /// <summary>Checkpoints a regulator kept, the public keys (PEM) to check them with, and optionally the leaf manifests it kept with them.</summary>
    public sealed record KeptCheckpointsBody(IReadOnlyList<CheckpointSigned>? Checkpoints, IReadOnlyList<string>? PublicKeys,
        IReadOnlyDictionary<string, IReadOnlyList<LeafEntry>>? Manifests);

    public static void MapAudit(this RouteGroupBuilder v1)
    {
        var g = v1.MapGroup("").WithTags("Audit");
        string[] readers = [Role.Regulator, Role.Operator];

        g.MapGet("/checkpoints", async (ISender sender, CancellationToken ct) => await sender.Send(new ListCheckpointsRequest(), ct))
            .For(readers).WithName("ListCheckpoints")
            .WithSummary("Regulator, operator: every signed checkpoint (period, Merkle root and size, chain heads, ledger-log root, previous checkpoint hash, key id, ECDSA P-256 signature), in close order");

        g.MapGet("/checkpoints/{period}", async (string period, ISender sender, CancellationToken ct) => await sender.Send(new GetCheckpointRequest(period), ct))
            .For(readers).WithName("GetCheckpoint").WithSummary("Regulator, operator: the signed checkpoint of one closed period").ProducesProblem(404);

        g.MapGet("/public-key", async (ISender sender, CancellationToken ct) => await sender.Send(new GetPublicKeyRequest(), ct))
            .For(Role.Buyer, Role.Provider, Role.Carrier, Role.Issuer, Role.Regulator, Role.Operator).WithName("GetPublicKey")
            .WithSummary("Every party: the platform's checkpoint-signing public key (PEM, SPKI), its key id (SHA-256 of the SPKI) and retired keys");

        g.MapGet("/actions", async (string? party, string? period, long? after, int? limit, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                // Who did what: regulators and operators read any party's actions (or all, or a period's); a party its own.
                var l = limit ?? Paging.DefaultLimit;
                var actions = await sender.Send(new Application.Actions.ListActions.ListActionsRequest(
                    Caller.From(http.User).Scope(party), period, after ?? 0, l), ct);
                if (actions.Count == l)
                {
                    var query = http.Request.Query.Where(p => p.Key != "after").Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value.ToString())}")
                        .Append($"after={actions[^1].Id}");
                    http.Response.Headers.Link = $"<{http.Request.PathBase}{http.Request.Path}?{string.Join('&', query)}>; rel=\"next\"";
                }
                return actions;
            })
            .For(Role.Buyer, Role.Provider, Role.Carrier, Role.Issuer, Role.Regulator, Role.Operator).WithName("ListActions")
            .WithSummary("Who did what. Regulator, operator: the accepted commands by or about ?party=, within settlement ?period=, or all; "
                + "every other party: its own. Each with the acting key id (never the key), the acting party, the party it concerns, the first "
                + "event's type, its target and event count; in time order, up to ?limit= (default 100, at most 1000) after the action ?after=; "
                + "a Link header (rel=next) names the next page");

        g.MapGet("/proofs", async (string? txId, ISender sender, CancellationToken ct) =>
                await sender.Send(new GetProofRequest(PartiesEndpoints.Required(txId, "txId")), ct))
            .For(readers).WithName("GetInclusionProof")
            .WithSummary("Regulator, operator: RFC 6962 inclusion proof of a ledger transaction (?txId=) with leaf index, tree size, root and the signed checkpoint — checkable offline")
            .ProducesProblem(404).ProducesProblem(409);

        g.MapGet("/verify/statements/{period}/{kind}/{party}", async (string period, string kind, string party, ISender sender, CancellationToken ct) =>
                await sender.Send(new VerifyStatementRequest(period, kind, party), ct))
            .For(readers).WithName("VerifyStatement")
            .WithSummary("Regulator, operator: one statement (kind invoice, provider, carrier, issuer or region) — hash, link, and the head its signed checkpoint holds")
            .ProducesProblem(404);

        g.MapGet("/verify/chains/{kind}/{party}", async (string kind, string party, ISender sender, CancellationToken ct) =>
                await sender.Send(new VerifyChainRequest(kind, party), ct))
            .For(readers).WithName("VerifyChain").WithSummary("Regulator, operator: one party's statement chain of one kind, statement by statement, against the signed checkpoints")
            .ProducesProblem(404);

        g.MapGet("/verify/periods/{period}", async (string period, ISender sender, CancellationToken ct) =>
                await sender.Send(new VerifyPeriodRequest(period), ct))
            .For(readers).WithName("VerifyPeriodRoot").WithSummary("Regulator, operator: one period's Merkle root recomputed from its stored transactions, against the close and its signed checkpoint")
            .ProducesProblem(404);

        g.MapPost("/verify/checkpoints", async (KeptCheckpointsBody b, ISender sender, CancellationToken ct) =>
            {
                IReadOnlyDictionary<string, byte[]> keys;
                try
                {
                    keys = Checkpoints.PublicKeys(b.PublicKeys ?? []);
                }
                catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException)
                {
                    throw RejectedException.Of(Codes.Invalid, "publicKeys must be PEM public keys (-----BEGIN PUBLIC KEY-----)", "publicKeys");
                }
                return await sender.Send(new VerifyAgainstCheckpointsRequest(new KeptCheckpoints(b.Checkpoints ?? [], keys, b.Manifests)), ct);
            })
            .For(readers).WithName("VerifyAgainstCheckpoints")
            .WithSummary("Regulator, operator: verify all stored history against checkpoints kept outside the platform (sent in the body, with the public keys); names what fails. Reads only.");
    }
}
