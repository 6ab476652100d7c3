using ComputeNet.Api.Security;
using ComputeNet.Application.Cluster.GetCluster;
using Mediator;

namespace ComputeNet.Api.Endpoints;

/// <summary>The cluster as operators and regulators see it (ADR 0030): hosts, each market's owner, recent takeovers.</summary>
public static class ClusterEndpoints
{
    public static void MapCluster(this RouteGroupBuilder v1)
    {
        v1.MapGet("/cluster", async (ISender sender, CancellationToken ct) => await sender.Send(new GetClusterRequest(), ct))
            .WithTags("Operations").For(Role.Operator, Role.Regulator).WithName("GetCluster")
            .WithSummary("Operator, regulator: the hosts seen (id, address, start, last heartbeat), each market's owner (host, address, epoch, since, "
                + "lease expiry, live) and the recent takeovers (epoch, host, journal version of the fencing block), all on PostgreSQL's clock; "
                + "answeredBy names the host that answered");
    }
}
