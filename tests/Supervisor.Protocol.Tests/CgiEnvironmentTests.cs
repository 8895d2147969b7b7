using Supervisor.Protocol.Cgi;
using Supervisor.Protocol.Handshake;
using static Supervisor.Protocol.Tests.SampleRequests;

namespace Supervisor.Protocol.Tests;

public class CgiEnvironmentTests
{
    private static CgiRequest Request(string headText, bool https = false, string? user = null) => new(
        Parse(headText),
        ScriptName: "/chat",
        PathInfo: "/room",
        RemoteAddr: "192.0.2.7",
        RemotePort: 51234,
        ServerName: "example.com",
        ServerPort: 8080,
        Https: https,
        ConnectionId: "c-42",
        RemoteUser: user,
        ServerSoftware: "ws-supervisor/1.0");

    private static Dictionary<string, string> Env(CgiRequest request)
        => CgiEnvironment.Build(request).ToDictionary(kv => kv.Key, kv => kv.Value);

    [Theory]
    [InlineData("Proxy: http://evil.example:3128")]
    [InlineData("proxy: http://evil.example:3128")]
    [InlineData("PROXY: http://evil.example:3128")]
    public void Build_ProxyHeaderSent_NoHttpProxy(string header)
    {
        // httpoxy (CVE-2016-5385): apps' HTTP libraries read HTTP_PROXY as their proxy.
        var env = CgiEnvironment.Build(Request(Minimal([header])));

        Assert.DoesNotContain(env, kv => kv.Key == "HTTP_PROXY");
    }

    [Fact]
    public void Build_Headers_UpperCasedDashesToUnderscoresRepeatsJoined()
    {
        var env = Env(Request(Minimal(["X-Forwarded-For: 10.0.0.1", "x-forwarded-for: 10.0.0.2", "Cookie: a=1"])));

        Assert.Equal("10.0.0.1, 10.0.0.2", env["HTTP_X_FORWARDED_FOR"]);
        Assert.Equal("dGhlIHNhbXBsZSBub25jZQ==", env["HTTP_SEC_WEBSOCKET_KEY"]);
        Assert.Equal("example.com", env["HTTP_HOST"]);
        Assert.Equal("a=1", env["HTTP_COOKIE"]);
    }

    [Fact]
    public void Build_AbsoluteFormTarget_HttpHostIsTheAuthorityRequestUriTheOriginForm()
    {
        // RFC 9112 §3.2.2: the target's authority, not the Host field, names the host.
        var env = Env(Request(Minimal(requestLine: "GET ws://app.example:81/chat/room?x=1 HTTP/1.1")));

        Assert.Equal("app.example:81", env["HTTP_HOST"]);
        Assert.Equal("/chat/room?x=1", env["REQUEST_URI"]);
        Assert.Equal("x=1", env["QUERY_STRING"]);
    }

    [Fact]
    public void Build_UnderscoreInHeaderName_Skipped()
    {
        // "X_User" would map onto the same variable as "X-User", which a proxy in front
        // may set to the authenticated user.
        var env = Env(Request(Minimal(["X_User: forged", "X-User: real"])));

        Assert.Equal("real", env["HTTP_X_USER"]);
    }

    [Fact]
    public void Build_FixedVariables_FromRequestAndHead()
    {
        var env = Env(Request(Minimal(requestLine: "GET /chat/room?user=1&x=%20 HTTP/1.1")));

        Assert.Equal("192.0.2.7", env["REMOTE_ADDR"]);
        Assert.Equal("192.0.2.7", env["REMOTE_HOST"]);
        Assert.Equal("51234", env["REMOTE_PORT"]);
        Assert.Equal("GET", env["REQUEST_METHOD"]);
        Assert.Equal("/chat/room?user=1&x=%20", env["REQUEST_URI"]);
        Assert.Equal("user=1&x=%20", env["QUERY_STRING"]);
        Assert.Equal("/chat", env["SCRIPT_NAME"]);
        Assert.Equal("/room", env["PATH_INFO"]);
        Assert.Equal("example.com", env["SERVER_NAME"]);
        Assert.Equal("8080", env["SERVER_PORT"]);
        Assert.Equal("HTTP/1.1", env["SERVER_PROTOCOL"]);
        Assert.Equal("ws-supervisor/1.0", env["SERVER_SOFTWARE"]);
        Assert.Equal("websocketd-CGI/0.1", env["GATEWAY_INTERFACE"]);
        Assert.Equal("c-42", env["UNIQUE_ID"]);
        Assert.False(env.ContainsKey("AUTH_TYPE"));
    }

    [Fact]
    public void Build_Https_OnOnlyWhenTrue()
    {
        Assert.Equal("on", Env(Request(Minimal(), https: true))["HTTPS"]);
        Assert.False(Env(Request(Minimal(), https: false)).ContainsKey("HTTPS"));
    }

    [Fact]
    public void Build_RemoteUser_PresentOnlyWhenKnown()
    {
        Assert.Equal("alice", Env(Request(Minimal(), user: "alice"))["REMOTE_USER"]);
        Assert.False(Env(Request(Minimal(), user: null)).ContainsKey("REMOTE_USER"));
    }

    [Fact]
    public void Build_Order_FixedFirstThenHeadersInArrivalOrderNoDuplicates()
    {
        var env = CgiEnvironment.Build(Request(Minimal(["B-Second: 2", "A-Third: 3", "b-second: 4"])));
        var names = env.Select(kv => kv.Key).ToList();

        Assert.Equal("REMOTE_ADDR", names[0]);
        Assert.Equal("UNIQUE_ID", names[names.IndexOf("HTTP_HOST") - 1]);
        Assert.Equal(
            ["HTTP_HOST", "HTTP_UPGRADE", "HTTP_CONNECTION", "HTTP_SEC_WEBSOCKET_VERSION", "HTTP_SEC_WEBSOCKET_KEY", "HTTP_B_SECOND", "HTTP_A_THIRD"],
            names.SkipWhile(n => !n.StartsWith("HTTP_", StringComparison.Ordinal)));
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(names, CgiEnvironment.Build(Request(Minimal(["B-Second: 2", "A-Third: 3", "b-second: 4"]))).Select(kv => kv.Key));
    }
}
