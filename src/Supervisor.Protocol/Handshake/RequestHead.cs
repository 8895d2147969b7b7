namespace Supervisor.Protocol.Handshake;

/// <summary>One HTTP/1.1 request head as it arrived: the request line and the header
/// fields in order, names as sent (compare them case-insensitively).</summary>
public sealed class RequestHead
{
    public RequestHead(string method, string target, string version, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(headers);
        Method = method;
        Target = target;
        Version = version;
        Headers = headers;

        // RFC 9112 §3.2.1: origin-form = absolute-path [ "?" query ]; the first '?' splits.
        int q = target.IndexOf('?');
        RawPath = q < 0 ? target : target[..q];
        Query = q < 0 ? "" : target[(q + 1)..];
    }

    public string Method { get; }

    /// <summary>The request-target exactly as sent, e.g. "/chat/room?x=1".</summary>
    public string Target { get; }

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
