using ComputeNet.Domain;
using FluentValidation;
using Mediator;

namespace ComputeNet.Application.Infrastructure;

/// <summary>
/// Runs the FluentValidation validators of a request before its handler. Validators check shape and limits
/// only (lengths, sizes, presence of what the handler cannot do without); the ordered business checks of
/// market-rules (unknown-party, wrong-role, id, fields, …) live in the domain. A failure is an `invalid`
/// rejection naming the field; nothing is changed.
/// </summary>
public sealed class ValidationBehaviour<TMessage, TResponse>(IEnumerable<IValidator<TMessage>> validators)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : IMessage
{
    private readonly IValidator<TMessage>[] _validators = validators.ToArray();

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        if (UnicodeGuard.FirstInvalid(message) is { } field)
        {
            throw RejectedException.Of(Codes.Invalid, "text must be valid Unicode (a lone surrogate is not)", field);
        }
        foreach (var validator in _validators)
        {
            var result = await validator.ValidateAsync(message, cancellationToken);
            if (!result.IsValid)
            {
                var first = result.Errors[0];
                throw RejectedException.Of(Codes.Invalid, first.ErrorMessage, ToCamel(first.PropertyName));
            }
        }
        return await next(message, cancellationToken);
    }

    private static string ToCamel(string name) =>
        string.IsNullOrEmpty(name) ? name : char.ToLowerInvariant(name[0]) + name[1..];
}

/// <summary>Shared limits for request shapes (TigerStyle: a limit on everything).</summary>
public static class RequestLimits
{
    public const int MaxIdLength = 64;
    public const int MaxListItems = 1_000;
}

/// <summary>
/// Text that is not valid Unicode (a lone surrogate) is `invalid` in every accepted string (market-rules §6). Checked
/// once, here, for every request of every entry point (HTTP, CLI, scenarios) before its validators: the request's
/// strings, and those of the records, lists and dictionaries it carries, walked by reflection (accessors cached per type).
/// </summary>
public static class UnicodeGuard
{
    private const int MaxDepth = 8;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, (string Name, Func<object, object?> Get)[]> Members = new();

    /// <summary>The path of the first string that is not valid UTF-16 (e.g. <c>records[3].id</c>), or null when all are.</summary>
    public static string? FirstInvalid(object? value) => Walk(value, "", 0);

    private static string? Walk(object? value, string path, int depth)
    {
        switch (value)
        {
            case null:
                return null;
            case string s:
                return UnicodeText.IsValid(s) ? null : path.Length == 0 ? "text" : path;
            case System.Collections.IDictionary d:
                foreach (System.Collections.DictionaryEntry e in d)
                {
                    var at = $"{path}[{e.Key}]";
                    if ((Walk(e.Key, path, depth + 1) ?? Walk(e.Value, at, depth + 1)) is { } bad)
                    {
                        return bad;
                    }
                }
                return null;
            case Array a when a.GetType().GetElementType() is { IsPrimitive: true }:
                return null;
            case System.Collections.IEnumerable list:
            {
                var i = 0;
                foreach (var item in list)
                {
                    if (Walk(item, $"{path}[{i++}]", depth + 1) is { } bad)
                    {
                        return bad;
                    }
                }
                return null;
            }
        }
        var type = value.GetType();
        if (depth >= MaxDepth || type.IsPrimitive || type.IsEnum || type.Namespace?.StartsWith("ComputeNet", StringComparison.Ordinal) != true)
        {
            return null;
        }
        foreach (var (name, get) in Members.GetOrAdd(type, Accessors))
        {
            if (Walk(get(value), path.Length == 0 ? name : $"{path}.{name}", depth + 1) is { } bad)
            {
                return bad;
            }
        }
        return null;
    }

    private static (string Name, Func<object, object?> Get)[] Accessors(Type type) =>
        type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.CanRead && Worth(p.PropertyType))
            .Select(p => (char.ToLowerInvariant(p.Name[0]) + p.Name[1..], Getter(type, p)))
            .ToArray();

    private static Func<object, object?> Getter(Type type, System.Reflection.PropertyInfo p)
    {
        var o = System.Linq.Expressions.Expression.Parameter(typeof(object));
        var body = System.Linq.Expressions.Expression.Convert(
            System.Linq.Expressions.Expression.Property(System.Linq.Expressions.Expression.Convert(o, type), p), typeof(object));
        return System.Linq.Expressions.Expression.Lambda<Func<object, object?>>(body, o).Compile();
    }

    /// <summary>Strings, collections and the project's own types can hold text; numbers, times and other framework types cannot.</summary>
    private static bool Worth(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        return t == typeof(string) || t == typeof(object) || typeof(System.Collections.IEnumerable).IsAssignableFrom(t)
            || (!t.IsPrimitive && !t.IsEnum && t.Namespace?.StartsWith("ComputeNet", StringComparison.Ordinal) == true);
    }
}
