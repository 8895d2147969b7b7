using System.Globalization;

namespace Supervisor.Protocol.Static;

/// <summary>RFC 9110 §5.6.7 IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT", which .NET's "r"
/// format writes and reads. The obsolete RFC 850 and asctime forms are not accepted: a
/// date that does not parse is treated as absent, which only costs a full response.</summary>
public static class HttpDate
{
    public static string Format(DateTimeOffset value) =>
        Truncate(value).ToString("r", CultureInfo.InvariantCulture);

    public static bool TryParse(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(text, "r", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out value);

    /// <summary>Whole seconds, as HTTP dates carry.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset value) =>
        new(value.UtcTicks - value.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
}
