using System.Text.Json.Nodes;

namespace ComputeNet.Fuzz;

/// <summary>A parameter of an operation as the OpenAPI document declares it (in: path or query).</summary>
public sealed record ApiParameter(string Name, string In, JsonNode? Schema);

/// <summary>One operation (path + method) of the OpenAPI document, with its parameters and its body's schema.</summary>
public sealed record ApiOperation(string Method, string PathTemplate, IReadOnlyList<ApiParameter> Parameters,
    IReadOnlyList<string> BodyContentTypes, JsonNode? BodySchema, string Summary = "")
{
    /// <summary>The roles the summary names ("Provider: list capacity…", "Regulator, operator: …"); empty when it names none.</summary>
    public IReadOnlyList<string> RolesNamed(IEnumerable<string> roles) =>
        roles.Where(r => Summary.Contains(r, StringComparison.OrdinalIgnoreCase)).ToList();

    public string Name => $"{Method} {PathTemplate}";
    public bool IsWrite => Method is not "GET" and not "HEAD";
    public override string ToString() => Name;
}

/// <summary>The operations of an OpenAPI 3.x document and its component schemas, with <c>$ref</c> resolution.</summary>
public sealed class ApiOperations
{
    private readonly JsonNode _doc;

    private ApiOperations(JsonNode doc, IReadOnlyList<ApiOperation> operations)
    {
        _doc = doc;
        All = operations;
    }

    public IReadOnlyList<ApiOperation> All { get; }

    public static ApiOperations Parse(string json)
    {
        var doc = JsonNode.Parse(json) ?? throw new ArgumentException("empty OpenAPI document");
        var operations = new List<ApiOperation>();
        foreach (var (path, item) in doc["paths"]!.AsObject())
        {
            foreach (var (method, op) in item!.AsObject())
            {
                if (method is "parameters" or "summary" or "description" || op is not JsonObject)
                {
                    continue;
                }
                var parameters = (op["parameters"] as JsonArray ?? [])
                    .Select(p => new ApiParameter(p!["name"]!.GetValue<string>(), p["in"]!.GetValue<string>(), p["schema"]))
                    .ToList();
                var content = op["requestBody"]?["content"] as JsonObject;
                var types = content?.Select(c => c.Key).ToList() ?? [];
                var schema = content?.Select(c => c.Value?["schema"]).FirstOrDefault(s => s is not null);
                operations.Add(new ApiOperation(method.ToUpperInvariant(), path, parameters, types, schema, op["summary"]?.GetValue<string>() ?? ""));
            }
        }
        return new ApiOperations(doc, operations);
    }

    /// <summary>The schema a <c>$ref</c> points at (only local component references occur in the document).</summary>
    public JsonNode? Resolve(JsonNode? schema)
    {
        for (var hops = 0; hops < 16 && schema?["$ref"]?.GetValue<string>() is { } reference; hops++)
        {
            schema = reference.StartsWith("#/", StringComparison.Ordinal)
                ? reference[2..].Split('/').Aggregate<string, JsonNode?>(_doc, (node, part) => node?[part.Replace("~1", "/").Replace("~0", "~")])
                : null;
        }
        return schema;
    }

    /// <summary>The JSON types a schema allows ("null", "string", "integer", "number", "boolean", "array", "object").</summary>
    public static IReadOnlyList<string> TypesOf(JsonNode? schema) => schema?["type"] switch
    {
        JsonValue v => [v.GetValue<string>()],
        JsonArray a => a.Select(t => t!.GetValue<string>()).ToList(),
        _ => [],
    };
}
