namespace Supervisor.Protocol.Cgi;

/// <summary>
/// websocketd's CGI variables for one connection (RFC 3875 names): REMOTE_ADDR,
/// REMOTE_HOST, REMOTE_PORT, REMOTE_USER (when known), REQUEST_METHOD, REQUEST_URI,
/// QUERY_STRING, SCRIPT_NAME, PATH_INFO, SERVER_NAME, SERVER_PORT, SERVER_PROTOCOL,
/// SERVER_SOFTWARE, GATEWAY_INTERFACE, HTTPS ("on" when true), UNIQUE_ID, and one
/// HTTP_NAME per request header (upper-case, '-' → '_', repeated fields joined with
/// ", "), except HTTP_PROXY, which is never set (httpoxy, CVE-2016-5385).
/// </summary>
public static class CgiEnvironment
{
    public static List<KeyValuePair<string, string>> Build(CgiRequest request)
        => throw new NotImplementedException();
}
