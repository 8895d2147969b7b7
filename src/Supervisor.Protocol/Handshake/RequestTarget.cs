using System.Text;

namespace Supervisor.Protocol.Handshake;

/// <summary>
/// RFC 9112 §3.2: the two request-target forms a handshake may use. origin-form
/// (§3.2.1, absolute-path [ "?" query ]) is what clients send to a server; absolute-form
/// (§3.2.2, absolute-URI) is what they send to a proxy, and "a server MUST accept" it,
/// and RFC 6455 §4.1 lets a handshake's target be "an absolute http/https URI". We take
/// http, https, ws and wss (RFC 3986 §3.1: schemes compare case-insensitively).
/// Authority-form (CONNECT) and asterisk-form (OPTIONS *) never start a WebSocket.
/// </summary>
internal static class RequestTarget
{
    private static readonly string[] Schemes = ["http", "https", "ws", "wss"];

    /// <summary>Splits a target into the authority of an absolute-form target (empty for
    /// origin-form) and the rest: for origin-form the whole target; for absolute-form
    /// path-abempty [ "?" query ], which may be empty or start with '?'.</summary>
    /// <returns>False for any other form, another scheme, userinfo, an empty or invalid host.</returns>
    public static bool TrySplit(ReadOnlySpan<byte> target, out ReadOnlySpan<byte> authority, out ReadOnlySpan<byte> rest)
    {
        authority = default;
        rest = default;
        if (HttpChars.IsOriginFormTarget(target))
        {
            rest = target;
            return true;
        }

        int colon = target.IndexOf((byte)':');
        if (colon <= 0 || !IsKnownScheme(target[..colon]) || !target[(colon + 1)..].StartsWith("//"u8))
            return false;
        var afterSlashes = target[(colon + 3)..];
        int end = afterSlashes.IndexOfAny((byte)'/', (byte)'?');
        var a = end < 0 ? afterSlashes : afterSlashes[..end];
        var r = end < 0 ? default : afterSlashes[end..];

        // RFC 9110 §4.2.1: an http URI with an empty host "MUST" be rejected as invalid
        // (RFC 6455 §3 gives ws URIs a host as well); RFC 9110 §4.2.4: userinfo is an error.
        if (!HostSyntax.IsHostAndPort(a) || !HttpChars.IsTargetText(r))
            return false;
        authority = a;
        rest = r;
        return true;
    }

    /// <summary>
    /// What the request line's grammar lets through but no resource can be named by:
    /// RFC 3986 §2.1, a '%' in the path that does not start "%" HEXDIG HEXDIG (taken
    /// literally, "/50%.sh" would name a file the client never encoded, and every server
    /// on the way may read it differently); and '#', which starts a fragment, never part of
    /// a request target (RFC 9112 §3.2, RFC 3986 §3.5: the client keeps it). The query's
    /// '%' is the app's to read (QUERY_STRING), as it arrived.
    /// </summary>
    /// <param name="target">A target <see cref="TrySplit"/> accepted.</param>
    public static RejectionReason Check(ReadOnlySpan<byte> target)
    {
        if (target.Contains((byte)'#'))
            return RejectionReason.InvalidTarget;
        TrySplit(target, out _, out var rest);
        int query = rest.IndexOf((byte)'?');
        var path = query < 0 ? rest : rest[..query];
        for (int i = path.IndexOf((byte)'%'); i >= 0; i = path.IndexOf((byte)'%'))
        {
            if (i + 2 >= path.Length || !char.IsAsciiHexDigit((char)path[i + 1]) || !char.IsAsciiHexDigit((char)path[i + 2]))
                return RejectionReason.InvalidTarget;
            path = path[(i + 3)..];
        }
        return RejectionReason.None;
    }

    /// <summary>The origin-form of what <see cref="TrySplit"/> left after the authority:
    /// RFC 9112 §3.2.1, an empty path is sent as "/".</summary>
    public static string OriginForm(ReadOnlySpan<byte> rest) =>
        rest.IsEmpty || rest[0] == (byte)'?' ? "/" + Encoding.ASCII.GetString(rest) : Encoding.ASCII.GetString(rest);

    private static bool IsKnownScheme(ReadOnlySpan<byte> scheme)
    {
        foreach (string known in Schemes)
        {
            if (Ascii.EqualsIgnoreCase(scheme, known)) return true;
        }
        return false;
    }
}
