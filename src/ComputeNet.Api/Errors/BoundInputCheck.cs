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

    /// <summary>A readable member of a type that can hold text or a list, with a compiled getter and its JSON name.</summary>
    private sealed record Member(string Name, Func<object, object?> Get);

    /// <summary>Per type, the members worth looking into (numbers, times, enums and the like are skipped once, here).</summary>
    private static readonly ConcurrentDictionary<Type, Member[]> Plans = new();

    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        for (var i = 0; i < context.Arguments.Count; i++)
        {
            if (Find(context.Arguments[i], 0) is { } found)
            {
                // Only a refusal pays for the parameter names.
                var parameters = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<MethodInfo>()?.GetParameters();
                var name = parameters is not null && i < parameters.Length ? parameters[i].Name ?? "" : "";
                var field = found.Path.Length == 0 ? name : found.Path;
                throw RejectedException.Of(Codes.Invalid, $"'{field}' {found.Why}", field);
            }
        }
        return await next(context);
    }

    private const string HoldsNul = "may not contain U+0000 (NUL)";

    /// <summary>The path (under <paramref name="path"/>) of the first text holding a NUL or list element that is null, or null.</summary>
    public static (string Path, string Why)? Find(object? value, string path, int depth) =>
        Find(value, depth) is { } found ? (Under(path, found.Path), found.Why) : null;

    /// <summary>
    /// The path, relative to <paramref name="value"/> ("" for the value itself), of the first text holding a NUL or list
    /// element that is null, or null. Paths are built only on the way back from a find, so an accepted value costs no
    /// allocation.
    /// </summary>
    private static (string Path, string Why)? Find(object? value, int depth)
    {
        switch (value)
        {
            case null:
                return null;
            case string text:
                return text.Contains('\0', StringComparison.Ordinal) ? ("", HoldsNul) : null;
            case HttpContext or CancellationToken or IServiceProvider or System.Security.Claims.ClaimsPrincipal or Stream:
                return null;
            case IDictionary dictionary when depth < MaxDepth:
                foreach (DictionaryEntry entry in dictionary)
                {
                    var key = entry.Key as string ?? "";
                    if (key.Contains('\0', StringComparison.Ordinal))
                    {
                        return (key.Replace("\0", "", StringComparison.Ordinal), HoldsNul);
                    }
                    if (Find(entry.Value, depth + 1) is { } found)
                    {
                        return (Under(key, found.Path), found.Why);
                    }
                }
                return null;
            case IEnumerable items when depth < MaxDepth:
                var index = 0;
                foreach (var item in items)
                {
                    if (item is null)
                    {
                        return ($"[{index}]", "is null: a list holds values, not nulls");
                    }
                    if (Find(item, depth + 1) is { } found)
                    {
                        return (Under($"[{index}]", found.Path), found.Why);
                    }
                    index++;
                }
                return null;
        }
        if (depth >= MaxDepth)
        {
            return null;
        }
        foreach (var member in Plans.GetOrAdd(value.GetType(), PlanOf))
        {
            if (Find(member.Get(value), depth + 1) is { } found)
            {
                return (Under(member.Name, found.Path), found.Why);
            }
        }
        return null;
    }

    /// <summary><paramref name="inner"/> under <paramref name="outer"/>: <c>a.b</c>, <c>a[0]</c>, or either alone.</summary>
    private static string Under(string outer, string inner) =>
        outer.Length == 0 ? inner : inner.Length == 0 ? outer : inner[0] == '[' ? outer + inner : $"{outer}.{inner}";

    private static Member[] PlanOf(Type type)
    {
        if (!MayHold(type) || type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true
            || type.Namespace?.StartsWith("Microsoft", StringComparison.Ordinal) == true)
        {
            return [];
        }
        return [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.CanRead && MayHold(p.PropertyType))
            .Select(p => new Member(char.ToLowerInvariant(p.Name[0]) + p.Name[1..], Getter(p)))];
    }

    /// <summary>False for types that can hold neither text nor a list: numbers, enums, times, ids of NodaTime.</summary>
    private static bool MayHold(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return !(t.IsPrimitive || t.IsEnum || t == typeof(decimal) || t == typeof(DateTimeOffset) || t == typeof(DateTime) || t == typeof(TimeSpan)
            || t == typeof(Guid) || t.Namespace?.StartsWith("NodaTime", StringComparison.Ordinal) == true);
    }

    private static Func<object, object?> Getter(PropertyInfo property)
    {
        var instance = System.Linq.Expressions.Expression.Parameter(typeof(object));
        var body = System.Linq.Expressions.Expression.Convert(
            System.Linq.Expressions.Expression.Property(System.Linq.Expressions.Expression.Convert(instance, property.DeclaringType!), property), typeof(object));
        return System.Linq.Expressions.Expression.Lambda<Func<object, object?>>(body, instance).Compile();
    }
}
