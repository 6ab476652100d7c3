using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using ComputeNet.Domain;

namespace ComputeNet.Api.Errors;

/// <summary>
/// Two shapes of input no use case can take, refused as `invalid` naming the field before the use case runs (each failed
/// a request with a 500): text holding U+0000 (NUL), which PostgreSQL's text and jsonb cannot store, so a name or id
/// carrying one could be neither stored nor looked up; and `null` as an element of a list (`"routes": [null]`).
/// An endpoint filter looks through every bound argument (bodies with their nested records, lists and dictionary keys;
/// path and query strings). A filter rather than a JSON converter for strings: such a converter would also turn every
/// string of the OpenAPI document into an untyped schema.
/// </summary>
public static class BoundInputCheck
{
    private const int MaxDepth = 8;
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var parameters = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<MethodInfo>()?.GetParameters();
        for (var i = 0; i < context.Arguments.Count; i++)
        {
            var name = parameters is not null && i < parameters.Length ? parameters[i].Name ?? "" : "";
            if (Find(context.Arguments[i], "", 0) is { } found)
            {
                var field = found.Path.Length == 0 ? name : found.Path;
                throw RejectedException.Of(Codes.Invalid, $"'{field}' {found.Why}", field);
            }
        }
        return await next(context);
    }

    private const string HoldsNul = "may not contain U+0000 (NUL)";

    /// <summary>The path of the first text holding a NUL or list element that is null ("" for the value itself), or null.</summary>
    public static (string Path, string Why)? Find(object? value, string path, int depth)
    {
        switch (value)
        {
            case null:
                return null;
            case string text:
                return text.Contains('\0', StringComparison.Ordinal) ? (path, HoldsNul) : null;
            case HttpContext or CancellationToken or IServiceProvider or System.Security.Claims.ClaimsPrincipal or Stream:
                return null;
            case IDictionary dictionary when depth < MaxDepth:
                foreach (DictionaryEntry entry in dictionary)
                {
                    var key = entry.Key as string ?? "";
                    var at = Join(path, key.Replace("\0", "", StringComparison.Ordinal));
                    if (key.Contains('\0', StringComparison.Ordinal))
                    {
                        return (at, HoldsNul);
                    }
                    if (Find(entry.Value, at, depth + 1) is { } found)
                    {
                        return found;
                    }
                }
                return null;
            case IEnumerable items when depth < MaxDepth:
                var index = 0;
                foreach (var item in items)
                {
                    var at = $"{path}[{index++}]";
                    if (item is null)
                    {
                        return (at, "is null: a list holds values, not nulls");
                    }
                    if (Find(item, at, depth + 1) is { } found)
                    {
                        return found;
                    }
                }
                return null;
        }
        var type = value.GetType();
        if (depth >= MaxDepth || type.IsPrimitive || type.IsEnum || type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true
            || type.Namespace?.StartsWith("NodaTime", StringComparison.Ordinal) == true || type.Namespace?.StartsWith("Microsoft", StringComparison.Ordinal) == true)
        {
            return null;
        }
        foreach (var property in Properties.GetOrAdd(type, t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                     .Where(p => p.GetIndexParameters().Length == 0 && p.CanRead).ToArray()))
        {
            if (Find(property.GetValue(value), Join(path, char.ToLowerInvariant(property.Name[0]) + property.Name[1..]), depth + 1) is { } found)
            {
                return found;
            }
        }
        return null;
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
