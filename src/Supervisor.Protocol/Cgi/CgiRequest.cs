namespace Supervisor.Protocol.Cgi;

/// <summary>What the CGI environment is built from; all decided by the acceptor.</summary>
public sealed record CgiRequest(
    Handshake.RequestHead Head,
    string ScriptName,      // "/chat" under --dir, "/" for a single app
    string PathInfo,        // the rest of the path after ScriptName, "" if none
    string RemoteAddr,
    int RemotePort,
    string ServerName,      // the host the request is for, without port (ServerAddress)
    int ServerPort,         // that host's port, or the scheme's default
    bool Https,
    string ConnectionId,
    string? RemoteUser,
    string ServerSoftware)
{
    /// <summary>A trusted proxy's X-Forwarded-Host, validated: HTTP_HOST then says it, as
    /// SERVER_NAME and --sameorigin do. Null when no trusted proxy gave one.</summary>
    public string? ForwardedHost { get; init; }
}
