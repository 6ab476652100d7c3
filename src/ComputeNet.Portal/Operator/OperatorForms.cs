using System.Globalization;
using ComputeNet.Domain;

namespace ComputeNet.Portal.Operator;

/// <summary>What the operator's forms share: lists typed with commas, fresh client ids, numbers read with the field named (yuan: <see cref="Shared.YuanInput"/>).</summary>
public static class OperatorForms
{
    /// <summary>"a, b,,c" → [a, b, c].</summary>
    public static IReadOnlyList<string> List(string? text) =>
        (text ?? "").Split([',', '，', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A client id for a form's first showing (prefix, UTC time, random), so a repeated submit is a no-op, not a second action.</summary>
    public static string NewId(string prefix, NodaTime.Instant now) =>
        $"{prefix}-{now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";

    public static RejectedException Invalid(string reason, string field) => RejectedException.Of(Codes.Invalid, reason, field);

    /// <summary>A whole number from a form field, or a rejection naming the field.</summary>
    public static int Int(string? text, string field) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw Invalid("a whole number is needed", field);
}
