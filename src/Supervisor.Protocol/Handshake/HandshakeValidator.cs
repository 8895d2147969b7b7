namespace Supervisor.Protocol.Handshake;

/// <summary>
/// RFC 6455 §4.2.1 over a parsed head. Returns a reason instead of throwing; the
/// acceptor turns the reason into a response in one place.
/// Token lists are token lists: "Connection: keep-alive, Upgrade" passes.
/// </summary>
public static class HandshakeValidator
{
    public static RejectionReason Validate(RequestHead head, out WebSocketRequest? request)
        => throw new NotImplementedException();
}
