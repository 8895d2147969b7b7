using Supervisor.Protocol.Handshake;

namespace Supervisor.Protocol.Static;

/// <summary>
/// websocketd's rule for --staticdir: a request that does not ask to upgrade to a
/// WebSocket is a plain web request. Decided before the RFC 6455 validator, which would
/// answer a HEAD with 405 and a plain GET with 400.
/// </summary>
public static class StaticRequest
{
    /// <summary>GET or HEAD, one Host field and a host (<see cref="RequestHead.Host"/>), no
    /// "websocket" in Upgrade and no Sec-WebSocket-Key (a half-made handshake still goes to
    /// the validator, which says what is missing). A request without a valid Host is left
    /// to the validator's 400.</summary>
    public static bool IsPlainGetOrHead(RequestHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        if (head.Method is not ("GET" or "HEAD"))
            return false;
        if (string.IsNullOrEmpty(head.Host) || head.Count("Host") != 1)
            return false;
        return !TokenList.Contains(head.GetCombined("Upgrade"), "websocket")
               && head.Count("Sec-WebSocket-Key") == 0;
    }

    /// <summary>RFC 9110 §13.1.3: a GET/HEAD with If-Modified-Since at or after the file's
    /// time (HTTP dates have whole seconds) gets 304. An unparsable date is ignored.</summary>
    public static bool IsNotModified(RequestHead head, DateTimeOffset lastModified)
    {
        ArgumentNullException.ThrowIfNull(head);
        if (head.Get("If-Modified-Since") is not { } since || !HttpDate.TryParse(since, out var date))
            return false;
        return HttpDate.Truncate(lastModified) <= date;
    }

    /// <summary>RFC 9110 §13.1.2: If-None-Match with "*" or a list holding
    /// <paramref name="etag"/> (weak comparison: a "W/" prefix is ignored) gets 304 on a
    /// GET or HEAD. An unquoted element matches nothing, as a malformed validator should.</summary>
    /// <param name="etag">The current entity-tag, with its quotes.</param>
    public static bool MatchesETag(RequestHead head, string etag)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(etag);
        if (head.GetCombined("If-None-Match") is not { } list)
            return false;
        string opaque = WithoutWeak(etag);
        foreach (string element in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (element == "*" || WithoutWeak(element) == opaque)
                return true;
        }
        return false;
    }

    private static string WithoutWeak(string tag) => tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag;
}
