using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ComputeNet.Domain.Audit;

namespace ComputeNet.Domain.Tests;

/// <summary>
/// RFC 8785 (JSON Canonicalization Scheme), checked against the reference test data of the RFC's author
/// (Vectors/rfc8785: input → expected output bytes), not against the code itself. The inputs are parsed with
/// System.Text.Json into the value trees <see cref="Canonical"/> takes; whole numbers written with a fraction
/// (56.0) are the same IEEE double as the integer, so they become integers.
/// </summary>
public class CanonicalJsonTests
{
    private static string VectorPath(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Vectors", "rfc8785", .. parts]);

    /// <summary>A JSON value as the tree Canonical takes: dictionaries, lists, strings, long, bool, null; fractional numbers as double.</summary>
    private static object? Tree(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().ToDictionary(p => p.Name, p => Tree(p.Value), StringComparer.Ordinal),
        JsonValueKind.Array => e.EnumerateArray().Select(Tree).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? l
            : e.TryGetDecimal(out var d) && d == decimal.Truncate(d) && Math.Abs(d) <= long.MaxValue ? (object)(long)d
            : (object)e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    /// <summary>Dictionary&lt;string, object?&gt; is what Canonical recognises as an object (IReadOnlyDictionary&lt;string, object?&gt;).</summary>
    private static object? Input(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(VectorPath("input", name)));
        return Normalise(Tree(doc.RootElement));
    }

    private static object? Normalise(object? v) => v switch
    {
        Dictionary<string, object?> d => d.ToDictionary(kv => kv.Key, kv => Normalise(kv.Value), StringComparer.Ordinal),
        List<object?> l => l.Select(Normalise).ToList(),
        _ => v,
    };

    private static byte[] Expected(string name) => File.ReadAllBytes(VectorPath("output", name));

    [Theory]
    [InlineData("arrays.json")]
    [InlineData("french.json")]
    [InlineData("structures.json")]
    [InlineData("unicode.json")]
    [InlineData("weird.json")]
    public void Reference_vectors_canonicalise_to_the_expected_bytes(string name)
    {
        var input = Input(name);

        Assert.Equal(Expected(name), Canonical.Utf8(input));
        Assert.Equal(Encoding.UTF8.GetString(Expected(name)), Canonical.Json(input));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Expected(name))), Canonical.Sha256(input));
    }

    [Fact]
    public void Fractional_numbers_of_the_values_vector_are_refused_and_its_strings_and_literals_match()
    {
        var input = (Dictionary<string, object?>)Input("values.json")!;

        // ComputeNet hashes only whole numbers (decimals are strings in hashed bodies): a fraction is refused, not rounded.
        Assert.Throws<ArgumentException>(() => Canonical.Json(input));
        Assert.Throws<ArgumentException>(() => Canonical.Json(new List<object?> { 4.5 }));
        Assert.Throws<ArgumentException>(() => Canonical.Json(4.5m));

        input.Remove("numbers");
        var expected = Regex.Replace(Encoding.UTF8.GetString(Expected("values.json")), "\"numbers\":\\[[^\\]]*\\],", "");
        Assert.Equal("{\"literals\":[null,true,false],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}", expected);
        Assert.Equal(expected, Canonical.Json(input));
    }

    [Fact]
    public void Whole_numbers_are_written_as_plain_integers()
    {
        Assert.Equal("[0,-1,56,2147483647,-9007199254740991,9007199254740991]",
            Canonical.Json(new List<object?> { 0, -1, 56L, int.MaxValue, -9_007_199_254_740_991L, 9_007_199_254_740_991L }));
    }

    [Fact]
    public void Every_control_character_is_escaped_with_the_short_forms_where_json_has_them()
    {
        var all = new string(Enumerable.Range(0, 0x20).Select(i => (char)i).ToArray());
        var expected = "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f"
            + "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\"";

        Assert.Equal(expected, Canonical.Json(all));
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("", "\"\"")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    [InlineData("a\\b", "\"a\\\\b\"")]
    [InlineData("\"", "\"\\\"\"")]
    [InlineData("\\", "\"\\\\\"")]
    [InlineData("/ </script> \u007f \u0080 中卫 😂", "\"/ </script> \u007f \u0080 中卫 😂\"")]
    [InlineData(" ", "\" \"")]
    public void Strings_escape_only_what_json_requires(string value, string expected) => Assert.Equal(expected, Canonical.Json(value));

    [Fact]
    public void Keys_are_sorted_by_utf16_code_units_and_escaped_like_strings()
    {
        var obj = new Dictionary<string, object?> { ["b"] = 1, ["a\n"] = 2, ["A"] = 3, ["\u00e9"] = 4, ["\ufb33"] = 5, ["😂"] = 6, ["aa"] = 7, ["a"] = 8 };

        Assert.Equal("{\"A\":3,\"a\":8,\"a\\n\":2,\"aa\":7,\"b\":1,\"\u00e9\":4,\"\ud83d\ude02\":6,\"\ufb33\":5}", Canonical.Json(obj));
    }

    [Fact]
    public void Empty_and_nested_structures_have_no_whitespace()
    {
        var tree = new Dictionary<string, object?>
        {
            ["empty"] = new Dictionary<string, object?>(), ["list"] = new List<object?>(), ["null"] = null, ["t"] = true, ["f"] = false,
            ["nested"] = new List<object?> { new List<object?> { 1, "x" }, new Dictionary<string, object?> { ["k"] = new List<object?> { null } } },
        };

        Assert.Equal("{\"empty\":{},\"f\":false,\"list\":[],\"nested\":[[1,\"x\"],{\"k\":[null]}],\"null\":null,\"t\":true}", Canonical.Json(tree));
        Assert.Equal("null", Canonical.Json(null));
        Assert.Equal("[\"a\",\"b\"]", Canonical.Json(new[] { "a", "b" }));
    }

    [Fact]
    public void Values_it_cannot_write_exactly_are_refused()
    {
        Assert.Equal("canonical JSON takes objects, arrays, strings, whole numbers, booleans and null, not DateTime",
            Assert.Throws<ArgumentException>(() => Canonical.Json(DateTime.UnixEpoch)).Message);
        Assert.Throws<ArgumentException>(() => Canonical.Json(new Dictionary<string, object?> { ["x"] = new object() }));
        Assert.Throws<ArgumentException>(() => Canonical.Json(1.0f));
    }

    [Fact]
    public void Sha256_is_lower_case_hex_of_the_utf8_bytes()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(SHA256.HashData([])));
        // SHA-256("\"中\"") with the character as 3 UTF-8 bytes.
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData([0x22, 0xE4, 0xB8, 0xAD, 0x22])), Canonical.Sha256("中"));
        Assert.Equal([0x22, 0xE4, 0xB8, 0xAD, 0x22], Canonical.Utf8("中"));
    }
}
