using Supervisor.Protocol.Cgi;

namespace Supervisor.Acceptor;

/// <summary>
/// The app's whole environment: the CGI variables, then our own, then the --passenv
/// variables from the acceptor's environment. Nothing else of the acceptor's reaches
/// the app (websocketd's rule), and a --passenv name never overrides a CGI one.
/// </summary>
public static class AppEnvironment
{
    public const string ConnectionIdVariable = "WS_CONNECTION_ID";

    public static List<string> Build(CgiRequest request, IReadOnlyList<string> passEnv)
    {
        var variables = CgiEnvironment.Build(request);
        variables.Add(new(ConnectionIdVariable, request.ConnectionId));

        var names = new HashSet<string>(variables.Select(v => v.Key));
        foreach (string name in passEnv)
        {
            if (names.Contains(name) || Environment.GetEnvironmentVariable(name) is not { } value)
                continue;
            variables.Add(new(name, value));
            names.Add(name);
        }
        return variables.Select(v => $"{v.Key}={v.Value}").ToList();
    }
}
