using System.Globalization;
using System.Text;

namespace Supervisor.Protocol.Cgi;

/// <summary>
/// websocketd's CGI variables for one connection (RFC 3875 names): REMOTE_ADDR,
/// REMOTE_HOST, REMOTE_PORT, REMOTE_USER (when known), REQUEST_METHOD, REQUEST_URI,
/// QUERY_STRING, SCRIPT_NAME, PATH_INFO, SERVER_NAME, SERVER_PORT, SERVER_PROTOCOL,
/// SERVER_SOFTWARE, GATEWAY_INTERFACE, HTTPS ("on" when true), UNIQUE_ID, and one
/// HTTP_NAME per request header (upper-case, '-' → '_', repeated fields joined with
/// ", "), except HTTP_PROXY, which is never set (httpoxy, CVE-2016-5385). REQUEST_URI is
/// the target in origin-form, and HTTP_HOST the request's host (<see cref="RequestHead.Host"/>, or
/// <see cref="CgiRequest.ForwardedHost"/>).
/// </summary>
/// <remarks>
/// The fixed variables come first in the order above, then the headers in the order of
/// their first arrival, so the result is deterministic. A header whose name holds
/// anything but letters, digits and '-' is left out, as Apache httpd 2.4 does: "X_User"
/// and "X-User" would both become HTTP_X_USER, letting a client forge a variable a
/// proxy in front of us meant to set. AUTH_TYPE is never set. The values are what the
/// parser produced (no NUL or CR/LF), with obs-text as Latin-1 chars.
/// </remarks>
public static class CgiEnvironment
{
    /// <summary>websocketd's value; existing apps test for it.</summary>
    public const string GatewayInterface = "websocketd-CGI/0.1";

    public static List<KeyValuePair<string, string>> Build(CgiRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var head = request.Head;
        var env = new List<KeyValuePair<string, string>>(17 + head.Headers.Count);

        void Add(string name, string value) => env.Add(new(name, value));

        Add("REMOTE_ADDR", request.RemoteAddr);
        // RFC 3875 §4.1.9 allows the address when the name is not looked up; we never do
        // reverse DNS on the accept path.
        Add("REMOTE_HOST", request.RemoteAddr);
        Add("REMOTE_PORT", request.RemotePort.ToString(CultureInfo.InvariantCulture));
        if (request.RemoteUser is not null) Add("REMOTE_USER", request.RemoteUser);
        Add("REQUEST_METHOD", head.Method);
        Add("REQUEST_URI", head.Target);
        Add("QUERY_STRING", head.Query);
        Add("SCRIPT_NAME", request.ScriptName);
        Add("PATH_INFO", request.PathInfo);
        Add("SERVER_NAME", request.ServerName);
        Add("SERVER_PORT", request.ServerPort.ToString(CultureInfo.InvariantCulture));
        Add("SERVER_PROTOCOL", "HTTP/1.1");
        Add("SERVER_SOFTWARE", request.ServerSoftware);
        Add("GATEWAY_INTERFACE", GatewayInterface);
        if (request.Https) Add("HTTPS", "on");
        Add("UNIQUE_ID", request.ConnectionId);

        // RFC 3875 §4.1.18 protocol-specific variables; repeats joined per RFC 9110 §5.3.
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (name, sent) in head.Headers)
        {
            string? variable = VariableName(name);
            if (variable is null) continue;
            // RFC 9112 §3.2.2: an absolute-form target's authority replaces the Host
            // field's value, as SERVER_NAME and --sameorigin have it; a trusted proxy's
            // X-Forwarded-Host replaces both.
            string value = variable == "HTTP_HOST" && (request.ForwardedHost ?? head.Authority) is { } host ? host : sent;
            if (index.TryGetValue(variable, out int i))
            {
                env[i] = new(variable, env[i].Value + ", " + value);
            }
            else
            {
                index.Add(variable, env.Count);
                Add(variable, value);
            }
        }
        return env;
    }

    /// <summary>"Sec-WebSocket-Key" → "HTTP_SEC_WEBSOCKET_KEY"; null for a name we skip.</summary>
    private static string? VariableName(string header)
    {
        if (header.Length == 0) return null;
        var sb = new StringBuilder("HTTP_", 5 + header.Length);
        foreach (char c in header)
        {
            if (c == '-') sb.Append('_');
            else if (char.IsAsciiLetterOrDigit(c)) sb.Append(char.ToUpperInvariant(c));
            else return null;
        }
        string name = sb.ToString();
        // httpoxy: HTTP_PROXY from a client's "Proxy:" header would be read as the proxy
        // setting by many HTTP libraries the app may use.
        return name == "HTTP_PROXY" ? null : name;
    }
}
