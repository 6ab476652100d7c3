using System.Text;

namespace ComputeNet.Fuzz;

/// <summary>
/// One generated request. <see cref="Caller"/> names whose key goes in the Authorization header (a seed party's role,
/// "operator", "none", or "raw" with <see cref="RawAuthorization"/> as written: unknown keys, other schemes);
/// the key itself is looked up when the request is sent, so a rotated seed key is still used.
/// <see cref="Target"/> is the path and query exactly as they go on the wire.
/// </summary>
public sealed record FuzzRequest(string Operation, string Caller, string? RawAuthorization, string Method, string Target,
    string? ContentType, byte[]? Body, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public bool IsWrite => Method is not "GET" and not "HEAD";

    /// <summary>A readable account of the request (body cut at <paramref name="maxBody"/> characters), for reports.</summary>
    public string Describe(int maxBody = 600)
    {
        var b = new StringBuilder();
        b.Append(Method).Append(' ').Append(Target.Length > 400 ? Target[..400] + $"…({Target.Length} chars)" : Target)
            .Append("  [operation ").Append(Operation).Append(", as ").Append(Caller);
        if (RawAuthorization is not null)
        {
            b.Append(" (Authorization: ").Append(RawAuthorization.Length > 80 ? RawAuthorization[..80] + "…" : RawAuthorization).Append(')');
        }
        b.Append(']');
        foreach (var (name, value) in Headers)
        {
            b.Append("\n  ").Append(name).Append(": ").Append(value);
        }
        if (ContentType is not null)
        {
            b.Append("\n  Content-Type: ").Append(ContentType);
        }
        if (Body is not null)
        {
            var text = Encoding.UTF8.GetString(Body);
            b.Append("\n  body (").Append(Body.Length).Append(" bytes): ").Append(text.Length > maxBody ? text[..maxBody] + "…" : text);
        }
        return b.ToString();
    }

    public override string ToString() => Describe();
}
