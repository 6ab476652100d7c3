using ComputeNet.Domain.Audit;

namespace ComputeNet.Domain.Tests;

/// <summary>RFC 8785 §3.2.2.2: a quote or a backslash alone (no control character) is escaped too.</summary>
public class CanonicalEscapeTests
{
    [Theory]
    [InlineData("a\"b", "\"a\\\"b\"")]
    [InlineData("a\\b", "\"a\\\\b\"")]
    [InlineData("中卫 plain", "\"中卫 plain\"")]
    [InlineData("\u001f\u007f", "\"\\u001f\u007f\"")]
    public void Quotes_and_backslashes_are_escaped_even_without_a_control_character(string value, string json)
    {
        Assert.Equal(json, Canonical.Json(value));
        Assert.Equal("{" + json + ":" + json + "}", Canonical.Json(new Dictionary<string, object?> { [value] = value }));
    }
}
