namespace Supervisor.Protocol.Cgi;

/// <summary>What the CGI environment is built from; all decided by the acceptor.</summary>
public sealed record CgiRequest(
    Handshake.RequestHead Head,
    string ScriptName,      // "/chat" under --dir, "/" for a single app
    string PathInfo,        // the rest of the path after ScriptName, "" if none
    string RemoteAddr,
    int RemotePort,
    string ServerName,      // the request's host (RequestHead.Host) without port, or the listen address
    int ServerPort,
    bool Https,
    string ConnectionId,
    string? RemoteUser,
    string ServerSoftware);
