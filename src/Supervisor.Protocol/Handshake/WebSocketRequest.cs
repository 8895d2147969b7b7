namespace Supervisor.Protocol.Handshake;

/// <summary>A request that passed RFC 6455 §4.2.1: what the acceptor needs to answer it.</summary>
public sealed record WebSocketRequest(
    RequestHead Head,
    string Key,
    string Host,
    string? Origin,
    IReadOnlyList<string> Subprotocols,
    IReadOnlyList<string> Extensions);
