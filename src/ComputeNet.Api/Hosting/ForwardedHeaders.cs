using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace ComputeNet.Api.Hosting;

/// <summary>
/// Behind a reverse proxy (configuration <c>ComputeNet:ForwardedHeaders:…</c>): the client address and scheme are taken
/// from <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c>, but only on connections from the proxies named here
/// (<c>KnownProxies</c>: addresses; <c>KnownNetworks</c>: CIDR ranges), and only as many hops as <c>ForwardLimit</c>
/// (default 1: the address the nearest trusted proxy saw). With neither configured, the headers are not read at all, so a
/// client cannot choose its own address for the per-address rate limit or the metrics endpoint (ADR 0020).
/// </summary>
public sealed record ForwardedHeadersSettings
{
    public const string Section = "ComputeNet:ForwardedHeaders";

    /// <summary>Proxy addresses (e.g. <c>10.0.0.5</c>), comma-separated in one value or as a list.</summary>
    public string[] KnownProxies { get; init; } = [];
    /// <summary>Proxy networks in CIDR notation (e.g. <c>10.0.0.0/8</c>).</summary>
    public string[] KnownNetworks { get; init; } = [];
    public int ForwardLimit { get; init; } = 1;

    public bool Enabled => KnownProxies.Length > 0 || KnownNetworks.Length > 0;

    public static ForwardedHeadersSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        static string[] List(IConfigurationSection s) =>
            (s.Value is { } one ? [one] : s.GetChildren().Select(c => c.Value ?? "").ToArray())
                .SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        return new ForwardedHeadersSettings
        {
            KnownProxies = List(section.GetSection(nameof(KnownProxies))),
            KnownNetworks = List(section.GetSection(nameof(KnownNetworks))),
            ForwardLimit = section.GetValue<int?>(nameof(ForwardLimit)) ?? 1,
        };
    }

    /// <summary>The middleware's options; a malformed address or network stops the start with a message naming it.</summary>
    public ForwardedHeadersOptions ToOptions()
    {
        if (ForwardLimit < 1)
        {
            throw new InvalidOperationException($"{Section}:ForwardLimit must be at least 1 (it is {ForwardLimit})");
        }
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto,
            ForwardLimit = ForwardLimit,
        };
        // Only what is configured: not the framework's default of trusting loopback.
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in KnownProxies)
        {
            options.KnownProxies.Add(IPAddress.TryParse(proxy, out var address) ? address
                : throw new InvalidOperationException($"{Section}:KnownProxies: '{proxy}' is not an IP address"));
        }
        foreach (var network in KnownNetworks)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed) ? parsed
                : throw new InvalidOperationException($"{Section}:KnownNetworks: '{network}' is not a CIDR range (e.g. 10.0.0.0/8)"));
        }
        return options;
    }
}
