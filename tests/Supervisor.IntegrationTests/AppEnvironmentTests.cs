using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>The app's environment is the CGI variables, our WS_* variables and the --passenv
/// variables, and nothing else of the server's (websocketd's rule; httpoxy excluded).</summary>
public sealed class AppEnvironmentTests
{
    private const string Marker = "WS_IT_SECRET_MARKER";
    private const string MarkerValue = "not-for-apps-7f3a";

    // What bash itself puts in the environment of the env(1) it runs.
    private static readonly HashSet<string> SetByBash = ["PWD", "SHLVL", "_", "OLDPWD"];

    private static readonly HashSet<string> CgiNames =
    [
        "REMOTE_ADDR", "REMOTE_HOST", "REMOTE_PORT", "REMOTE_USER", "REQUEST_METHOD", "REQUEST_URI", "QUERY_STRING",
        "SCRIPT_NAME", "PATH_INFO", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "SERVER_SOFTWARE",
        "GATEWAY_INTERFACE", "HTTPS", "UNIQUE_ID", "WS_CONNECTION_ID", "WS_FIFO", "WS_CONTROL_SOCKET", "WS_SUPERVISOR",
    ];

    [Fact]
    public async Task AppEnvironment_Default_CgiVariablesAndNothingElseOfTheServers()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start([Paths.Script("env.sh")], new Dictionary<string, string> { [Marker] = MarkerValue });

        var (env, clientPort) = await RunEnvAsync(server, "/env/x?a=1&b=two", ["X-Test-Header: hello there", "Proxy: http://evil.example:3128"], cts.Token);

        Assert.Equal("127.0.0.1", env["REMOTE_ADDR"]);
        Assert.Equal("a=1&b=two", env["QUERY_STRING"]);
        Assert.Equal("/env/x?a=1&b=two", env["REQUEST_URI"]);
        Assert.Equal("80", env["SERVER_PORT"]); // the Host has no port: websocketd's default, not the listening port
        Assert.Equal("HTTP/1.1", env["SERVER_PROTOCOL"]);
        Assert.Equal("hello there", env["HTTP_X_TEST_HEADER"]);
        Assert.Equal("websocket", env["HTTP_UPGRADE"]);
        Assert.Equal("127.0.0.1", env["HTTP_HOST"]);
        Assert.False(env.ContainsKey("HTTP_PROXY"), "HTTP_PROXY reached the app (httpoxy)");
        Assert.Equal(clientPort.ToString(), env["REMOTE_PORT"]);

        var (_, _, connectionId) = await server.WaitForOpenedAsync("/env/x?a=1&b=two", TimeSpan.FromSeconds(5));
        Assert.Equal(connectionId, env["WS_CONNECTION_ID"]);

        Assert.False(env.ContainsKey(Marker), $"{Marker} from the server's environment reached the app");
        Assert.Equal(Environment.GetEnvironmentVariable("PATH"), env.GetValueOrDefault("PATH"));
        var foreign = env.Keys
            .Where(k => !CgiNames.Contains(k) && !k.StartsWith("HTTP_", StringComparison.Ordinal))
            .Where(k => k is not ("PATH" or "LD_LIBRARY_PATH") && !SetByBash.Contains(k))
            .ToList();
        Assert.True(foreign.Count == 0, $"variables that are neither CGI nor --passenv: {string.Join(", ", foreign)}");
    }

    [Theory]
    // Host sent → SERVER_NAME, SERVER_PORT: the port the browser asked for, as websocketd
    // gives it, never the port this server listens on (behind a proxy, the backend's).
    [InlineData("example.org:1234", "example.org", "1234")]
    [InlineData("example.org", "example.org", "80")]
    [InlineData("[2001:db8::1]:8443", "[2001:db8::1]", "8443")]
    [InlineData("example.org:", "example.org", "80")]
    public async Task AppEnvironment_HostPort_IsServerPort(string host, string serverName, string serverPort)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("env.sh"));

        string request = RawHttp.UpgradeHead("/env").Replace("Host: 127.0.0.1\r\n", $"Host: {host}\r\n");
        var (env, _) = await RunEnvAsync(server, request, cts.Token);

        Assert.Equal(serverName, env["SERVER_NAME"]);
        Assert.Equal(serverPort, env["SERVER_PORT"]);
        Assert.Equal(host, env["HTTP_HOST"]);
    }

    [Fact]
    public async Task AppEnvironment_HeaderPastExecveStringLimit_431AtTheHandshake()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        // Linux's MAX_ARG_STRLEN is 131072 bytes with the NUL: "HTTP_X_BIG=" + value + NUL.
        using var server = SupervisorProcess.Start("--max-head=1M", Paths.Script("echo.sh"));
        using var held = await WsClient.ConnectAsync(server.Url("/held"), cts.Token);

        var tooBig = await RawHttp.ExchangeAsync(server.Port, RawHttp.UpgradeHead("/big", "X-Big: " + new string('x', 131072 - 12 + 1)), cts.Token);
        using var fits = await Upgrades.ConnectAsync(server.Port, "/fits", ["X-Big: " + new string('x', 131072 - 12)], cts.Token);

        Assert.Equal("HTTP/1.1 431 Request Header Fields Too Large", tooBig.StatusLine);
        Assert.Contains("HTTP_X_BIG would be 131073 bytes, and Linux passes at most 131072.", tooBig.Body);
        await fits.AssertEchoesAsync("a header just under the limit reaches the app", cts.Token);
        await held.AssertEchoesAsync("still here", cts.Token);
    }

    [Fact]
    public async Task AppEnvironment_Passenv_NamedVariablePassed()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start([$"--passenv=PATH,{Marker}", Paths.Script("env.sh")],
            new Dictionary<string, string> { [Marker] = MarkerValue });

        var (env, _) = await RunEnvAsync(server, "/", [], cts.Token);

        Assert.Equal(MarkerValue, env.GetValueOrDefault(Marker));
        Assert.Equal(Environment.GetEnvironmentVariable("PATH"), env.GetValueOrDefault("PATH"));
    }

    [Fact]
    public async Task AppEnvironment_DirMode_ScriptNameIsTheAppAndPathInfoTheRest()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--dir=worker-scripts");

        var (env, _) = await RunEnvAsync(server, "/env.sh/room/42?x=y", [], cts.Token);

        Assert.Equal("/env.sh", env["SCRIPT_NAME"]);
        Assert.Equal("/room/42", env["PATH_INFO"]);
        Assert.Equal("x=y", env["QUERY_STRING"]);
        Assert.Equal("/env.sh/room/42?x=y", env["REQUEST_URI"]);
    }

    [Fact]
    public async Task AppEnvironment_AbsoluteFormTarget_HostAndUriFromTheTargetNotTheHostField()
    {
        // RFC 9112 §3.2.2: the target's authority, not the Host field, is the request's host.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("env.sh"));
        string request = RawHttp.UpgradeHead("/").Replace("GET / HTTP/1.1", "GET WS://app.example:81/env/x?a=1 HTTP/1.1",
            StringComparison.Ordinal);

        var (env, _) = await RunEnvAsync(server, request, cts.Token);

        Assert.Equal("app.example:81", env["HTTP_HOST"]);
        Assert.Equal("app.example", env["SERVER_NAME"]);
        Assert.Equal("/env/x?a=1", env["REQUEST_URI"]);   // as nginx's $request_uri: the path and query
        Assert.Equal("a=1", env["QUERY_STRING"]);
    }

    [Fact]
    public async Task WorkerEnvironment_ReadByTheAppInProc_RuntimeAndLocaleOnlyNothingOfTheOperators()
    {
        // The app is the worker's child and, under --user, the same user: /proc/$PPID/environ
        // showed it the operator's whole environment (a SECRET_TOKEN of the unit's shell).
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var apps = new AppFolder();
        apps.WriteScript("parent-env.sh", "tr '\\0' '\\n' < /proc/$PPID/environ | cut -d= -f1");
        using var server = SupervisorProcess.Start([$"--dir={apps.Path}"],
            new Dictionary<string, string> { [Marker] = MarkerValue, ["LANG"] = "C.UTF-8", ["TZ"] = "UTC" });
        using var client = await WsClient.ConnectAsync(server.Url("/parent-env.sh"), cts.Token);

        var (names, status) = await client.ReceiveUntilCloseAsync(cts.Token);

        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
        Assert.Contains("DOTNET_GCRegionRange", names); // the worker's own tuning: it was read
        Assert.Contains("LANG", names);
        Assert.Contains("TZ", names);
        Assert.DoesNotContain(Marker, names);
        Assert.DoesNotContain("PATH", names);
        var foreign = names.Where(n => !WorkerVariable(n)).ToList();
        Assert.True(foreign.Count == 0, $"the worker got variables its runtime does not read: {string.Join(", ", foreign)}");
    }

    private static bool WorkerVariable(string name) =>
        name is "GLIBC_TUNABLES" or "LD_LIBRARY_PATH" or "LANG" or "LANGUAGE" or "TZ" or "TZDIR" or "TERM" or "NO_COLOR"
        || new[] { "DOTNET_", "COMPlus_", "MALLOC_", "LC_" }.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal));

    private static Task<(Dictionary<string, string> Env, int ClientPort)> RunEnvAsync(
        SupervisorProcess server, string target, string[] extraHeaders, CancellationToken cancellation) =>
        RunEnvAsync(server, RawHttp.UpgradeHead(target, extraHeaders), cancellation);

    /// <summary>Handshakes by hand (so any header can be sent), then reads env.sh's
    /// VAR=value messages with the BCL's client engine until its close 1000.</summary>
    private static async Task<(Dictionary<string, string> Env, int ClientPort)> RunEnvAsync(
        SupervisorProcess server, string request, CancellationToken cancellation)
    {
        var socket = await RawHttp.ConnectAsync(server.Port, cancellation);
        int clientPort = ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port;
        await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, cancellation);
        var head = await RawHttp.ReadHeadAsync(socket, cancellation);
        Assert.Equal("HTTP/1.1 101 Switching Protocols", head.StatusLine);

        using var client = WebSocket.CreateFromStream(new NetworkStream(socket, ownsSocket: true), new WebSocketCreationOptions());
        var (messages, status) = await client.ReceiveUntilCloseAsync(cancellation);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);

        var env = new Dictionary<string, string>();
        foreach (string message in messages)
        {
            var match = Regex.Match(message, "^([^=]+)=(.*)$", RegexOptions.Singleline);
            Assert.True(match.Success, $"not VAR=value: \"{message}\"");
            env[match.Groups[1].Value] = match.Groups[2].Value;
        }
        return (env, clientPort);
    }
}
