using System.Buffers;

namespace Supervisor.Protocol.Handshake;

/// <summary>The byte classes of RFC 9110/9112 that the head parser checks against.</summary>
internal static class HttpChars
{
    public const byte SP = (byte)' ';
    public const byte HTAB = (byte)'\t';

    // RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "."
    //                          / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    private static readonly SearchValues<byte> TChars = SearchValues.Create(
        "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    // RFC 9110 §5.5: field-value = *field-content; field-vchar = VCHAR / obs-text, with SP
    // and HTAB allowed inside. So every CTL except HTAB is out — NUL, bare CR, bare LF,
    // DEL (0x7F) included — while obs-text (0x80–0xFF) is kept (decoded as Latin-1).
    private static readonly SearchValues<byte> FieldValueForbidden = SearchValues.Create(Range(0x00, 0x1F, except: HTAB, also: 0x7F));

    // Origin-form (RFC 9112 §3.2.1) is absolute-path [ "?" query]: visible ASCII only.
    // We do not police RFC 3986's finer classes: browsers leave some of them raw.
    private static readonly SearchValues<byte> TargetChars = SearchValues.Create(Range(0x21, 0x7E));

    public static bool IsToken(ReadOnlySpan<byte> s) => !s.IsEmpty && s.IndexOfAnyExcept(TChars) < 0;

    public static bool IsTokenChar(char c) => c <= '~' && TChars.Contains((byte)c);

    public static bool IsFieldValue(ReadOnlySpan<byte> s) => s.IndexOfAny(FieldValueForbidden) < 0;

    public static bool IsOriginFormTarget(ReadOnlySpan<byte> s)
        => !s.IsEmpty && s[0] == (byte)'/' && IsTargetText(s);

    /// <summary>Visible ASCII only, or nothing: what may follow an absolute-form target's authority.</summary>
    public static bool IsTargetText(ReadOnlySpan<byte> s) => s.IndexOfAnyExcept(TargetChars) < 0;

    public static bool IsOws(byte b) => b is SP or HTAB;

    /// <summary>RFC 9110 §5.5: OWS around a field value is not part of it.</summary>
    public static ReadOnlySpan<byte> TrimOws(ReadOnlySpan<byte> s)
    {
        int start = 0, end = s.Length;
        while (start < end && IsOws(s[start])) start++;
        while (end > start && IsOws(s[end - 1])) end--;
        return s[start..end];
    }

    private static byte[] Range(int first, int last, int except = -1, int also = -1)
    {
        var bytes = new List<byte>(last - first + 2);
        for (int b = first; b <= last; b++)
        {
            if (b != except) bytes.Add((byte)b);
        }
        if (also >= 0) bytes.Add((byte)also);
        return bytes.ToArray();
    }
}
