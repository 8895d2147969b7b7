using Supervisor.Protocol.Handshake;
using static Supervisor.Protocol.Handshake.OriginPolicy;

namespace Supervisor.Acceptor.Admission;

/// <summary>--origin and --sameorigin at the handshake: null to let the request on, else
/// the detail for the 403's body and log line (which Origin, or that there was none).</summary>
public static class OriginCheck
{
    public static string? Refusal(OriginPolicy policy, WebSocketRequest request, bool requestIsHttps) =>
        policy.Check(request.Head, requestIsHttps) switch
        {
            OriginVerdict.Allowed => null,
            OriginVerdict.Missing => "(no Origin header; a client that is not a browser must send one here)",
            OriginVerdict.Repeated => "(more than one Origin header)",
            OriginVerdict.NotSameOrigin => $"{request.Origin} (not the origin of Host {request.Host})",
            _ => request.Origin,
        };
}
