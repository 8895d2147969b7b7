namespace Supervisor.Protocol.Handshake;

/// <summary>One HTTP/1.1 request head as it arrived: the request line and the header
/// fields in order, names as sent (compare them case-insensitively).</summary>
public sealed class RequestHead
{
    public RequestHead(string method, string target, string version, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        Method = method;
        Target = target;
        Version = version;
        Headers = headers;
    }

    public string Method { get; }

    /// <summary>The request-target exactly as sent, e.g. "/chat/room?x=1".</summary>
    public string Target { get; }

    /// <summary>"HTTP/1.1".</summary>
    public string Version { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The value of the first field with this name (case-insensitive), or null.
    /// Field values are trimmed of leading and trailing whitespace.</summary>
    public string? Get(string name) => throw new NotImplementedException();

    /// <summary>All values of fields with this name, joined with ", " as RFC 9110 §5.3
    /// allows, or null when there is none.</summary>
    public string? GetCombined(string name) => throw new NotImplementedException();

    /// <summary>The path part of <see cref="Target"/> (before '?'), still percent-encoded.</summary>
    public string RawPath => throw new NotImplementedException();

    /// <summary>The query part of <see cref="Target"/> without '?', or "".</summary>
    public string Query => throw new NotImplementedException();
}
