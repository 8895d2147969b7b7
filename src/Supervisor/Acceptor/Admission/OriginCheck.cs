using Supervisor.Protocol.Handshake;
using static Supervisor.Protocol.Handshake.OriginPolicy;

namespace Supervisor.Acceptor.Admission;

/// <summary>--origin and --sameorigin at the handshake: null to let the request on, else
/// the detail for the 403's body and log line (which Origin, or that there was none).</summary>
public static class OriginCheck
{
    /// <param name="host">The host the request is for: a trusted proxy's X-Forwarded-Host, else <see cref="WebSocketRequest.Host"/>.</param>
    public static string? Refusal(OriginPolicy policy, WebSocketRequest request, string host, bool requestIsHttps) =>
        policy.Check(request.Head, host, requestIsHttps) switch
        {
            OriginVerdict.Allowed => null,
            OriginVerdict.Missing => "(no Origin header; a client that is not a browser must send one here)",
            OriginVerdict.Repeated => "(more than one Origin header)",
            OriginVerdict.NotSameOrigin => $"{request.Origin} (not the origin of Host {host})",
            _ => request.Origin,
        };
}
