using Supervisor.Options;
using Supervisor.Protocol.Cgi;

namespace Supervisor.Acceptor;

/// <summary>
/// The app's whole environment: the CGI variables, then our own (the connection id, the
/// user id, where the bus is, this binary), then the --passenv variables from the acceptor's
/// environment. Nothing else of the acceptor's reaches the app (websocketd's rule), and
/// a --passenv name never overrides one set here.
/// </summary>
public static class AppEnvironment
{
    public const string ConnectionIdVariable = "WS_CONNECTION_ID";
    public const string UserVariable = "WS_USER";
    public const string FifoVariable = "WS_FIFO";
    public const string ControlSocketVariable = "WS_CONTROL_SOCKET";

    /// <summary>This server's own binary, so a bash app can run `"$WS_SUPERVISOR" status`
    /// or `broadcast` without a unix-socket client of its own.</summary>
    public const string BinaryVariable = "WS_SUPERVISOR";

    private static readonly string? SelfPath = Environment.ProcessPath;

    public static List<string> Build(CgiRequest request, ServerOptions options)
    {
        var (cgi, ours) = Variables(request, options);
        return cgi.Concat(ours).Select(v => $"{v.Key}={v.Value}").ToList();
    }

    /// <summary>The same variables as the bytes the app gets: request bytes as they arrived,
    /// the rest UTF-8 (see <see cref="EnvironmentEncoding"/>).</summary>
    public static List<byte[]> BuildBytes(CgiRequest request, ServerOptions options)
    {
        var (cgi, ours) = Variables(request, options);
        return cgi.Select(v => EnvironmentEncoding.Cgi(v.Key, v.Value))
            .Concat(ours.Select(v => EnvironmentEncoding.Utf8(v.Key, v.Value)))
            .ToList();
    }

    private static (List<KeyValuePair<string, string>> Cgi, List<KeyValuePair<string, string>> Ours) Variables(
        CgiRequest request, ServerOptions options)
    {
        var cgi = CgiEnvironment.Build(request);
        var variables = new List<KeyValuePair<string, string>>();
        variables.Add(new(ConnectionIdVariable, request.ConnectionId));
        if (request.RemoteUser is { } user)
            variables.Add(new(UserVariable, user));
        if (options.Bus.FifoPath is { } fifo)
            variables.Add(new(FifoVariable, fifo));
        if (options.Bus.ControlPath is { } control)
            variables.Add(new(ControlSocketVariable, control));
        if (SelfPath is { } self)
            variables.Add(new(BinaryVariable, self));

        var names = new HashSet<string>(cgi.Concat(variables).Select(v => v.Key));
        foreach (string name in options.App.PassEnv)
        {
            if (names.Contains(name) || Environment.GetEnvironmentVariable(name) is not { } value)
                continue;
            variables.Add(new(name, value));
            names.Add(name);
        }
        return (cgi, variables);
    }
}
