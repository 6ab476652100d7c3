using System.Globalization;
using NodaTime;

namespace ComputeNet.Portal.Shared;

/// <summary>
/// Amounts and times as the portal shows them: fen as yuan with the fen exact (integer arithmetic only: ¥17,517.17),
/// prices as the decimal yuan the rules hold, instants in the platform's time zone (Asia/Shanghai unless configured).
/// </summary>
public sealed class Fmt(DateTimeZone zone)
{
    public DateTimeZone Zone { get; } = zone;

    /// <summary>E.g. 1751717 → "¥17,517.17"; −175172 → "-¥1,751.72".</summary>
    public static string Yuan(long fen)
    {
        var text = Documents.Yuan.Format(fen);
        return text.StartsWith('-') ? "-¥" + text[1..] : "¥" + text;
    }

    /// <summary>A price in yuan (per SCU-hour, per GB): two places at least, up to four, e.g. "¥58.00", "¥0.4945".</summary>
    public static string Price(decimal yuan) =>
        (yuan < 0 ? "-¥" : "¥") + Math.Abs(yuan).ToString("#,0.00##", CultureInfo.InvariantCulture);

    public static string Number(decimal value) => value.ToString("#,0.####", CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary>Basis points as a percentage, e.g. 3000 → "30%", 9650 → "96.5%".</summary>
    public static string Percent(int bp) => (bp / 100m).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    public string Time(Instant t) => t.InZone(Zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public string Window(Instant from, Instant to) => $"{Time(from)} – {Time(to)}";

    /// <summary>A value for &lt;input type="datetime-local"&gt; in the platform's zone.</summary>
    public string LocalInput(Instant t) => t.InZone(Zone).LocalDateTime.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);

    /// <summary>Reads an &lt;input type="datetime-local"&gt; value as a time in the platform's zone; null when it is not one.</summary>
    public Instant? ParseLocal(string? text)
    {
        var parsed = NodaTime.Text.LocalDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd'T'HH:mm").Parse(text ?? "");
        if (!parsed.Success)
        {
            parsed = NodaTime.Text.LocalDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd'T'HH:mm:ss").Parse(text ?? "");
        }
        return parsed.Success ? parsed.Value.InZoneLeniently(Zone).ToInstant() : null;
    }
}
