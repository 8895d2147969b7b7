namespace Supervisor.Protocol.Handshake;

/// <summary>One HTTP/1.1 request head as it arrived: the request line and the header
/// fields in order, names as sent (compare them case-insensitively).</summary>
public sealed class RequestHead
{
    /// <param name="target">The target in origin-form.</param>
    /// <param name="authority">The authority of an absolute-form target, else null.</param>
    public RequestHead(string method, string target, string version, IReadOnlyList<KeyValuePair<string, string>> headers,
        string? authority = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(headers);
        Method = method;
        Target = target;
        Version = version;
        Headers = headers;
        Authority = authority;

        // RFC 9112 §3.2.1: origin-form = absolute-path [ "?" query ]; the first '?' splits.
        int q = target.IndexOf('?');
        RawPath = q < 0 ? target : target[..q];
        Query = q < 0 ? "" : target[(q + 1)..];
    }

    public string Method { get; }

    /// <summary>The request-target in origin-form, e.g. "/chat/room?x=1": as sent, or
    /// what an absolute-form target ("GET ws://host/chat/room?x=1") has after its
    /// authority, as nginx's $request_uri is. REQUEST_URI, routing and logs use it.</summary>
    public string Target { get; }

    /// <summary>The authority ("host:port") of an absolute-form target, or null.</summary>
    public string? Authority { get; }

    /// <summary>
    /// The host the request is for: <see cref="Authority"/> when the target had one, else
    /// the Host field (null when there is none). RFC 9112 §3.2.2: a server that receives
    /// an absolute-form target "MUST ignore the received Host header field (if any) and
    /// instead use the host information of the request-target". SERVER_NAME, HTTP_HOST
    /// and --sameorigin all go by this, so they never disagree.
    /// </summary>
    public string? Host => Authority ?? Get("Host");

    /// <summary>"HTTP/1.1".</summary>
    public string Version { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The value of the first field with this name (case-insensitive), or null.
    /// Field values are trimmed of leading and trailing whitespace.</summary>
    public string? Get(string name)
    {
        foreach (var (n, v) in Headers)
        {
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) return Trim(v);
        }
        return null;
    }

    /// <summary>All values of fields with this name, joined with ", " as RFC 9110 §5.3
    /// allows, or null when there is none.</summary>
    public string? GetCombined(string name)
    {
        string? first = null;
        List<string>? all = null;
        foreach (var (n, v) in Headers)
        {
            if (!string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) continue;
            if (first is null)
            {
                first = Trim(v);
            }
            else
            {
                all ??= [first];
                all.Add(Trim(v));
            }
        }
        return all is null ? first : string.Join(", ", all);
    }

    /// <summary>How many fields carry this name; RFC 9112 §3.2 and RFC 6455 §11.3.1 care
    /// about repeats (Host, Sec-WebSocket-Key) that <see cref="Get"/> would hide.</summary>
    public int Count(string name)
    {
        int count = 0;
        foreach (var (n, _) in Headers)
        {
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) count++;
        }
        return count;
    }

    /// <summary>The path part of <see cref="Target"/> (before '?'), still percent-encoded.</summary>
    public string RawPath { get; }

    /// <summary>The query part of <see cref="Target"/> without '?', or "".</summary>
    public string Query { get; }

    // The parser already trims; heads built by hand (tests, other callers) may not.
    // Trim returns the same instance when there is nothing to remove.
    private static string Trim(string value) => value.Trim(' ', '\t');
}
