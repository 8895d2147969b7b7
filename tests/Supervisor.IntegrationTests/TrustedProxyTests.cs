using System.Net.WebSockets;
using System.Text.RegularExpressions;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>
/// --trusted-proxy: from a trusted peer, REMOTE_ADDR is the right-most X-Forwarded-For hop
/// outside the trusted set and X-Forwarded-Proto: https sets HTTPS=on; from anyone else
/// both headers change nothing. The tests connect from 127.0.0.1, trusted or not by flag.
/// </summary>
public sealed class TrustedProxyTests
{
    private static async Task<(Dictionary<string, string> Env, SupervisorProcess Server)> EnvThroughAsync(
        string trusted, string[] headers, string target, CancellationToken cancellation)
    {
        var server = SupervisorProcess.Start($"--trusted-proxy={trusted}", "--dir=worker-scripts");
        try
        {
            using var held = await WsClient.ConnectAsync(server.Url("/echo.sh"), cancellation);
            await held.AssertEchoesAsync("connected before the forwarded request", cancellation);

            var (messages, status, _) = await Upgrades.ReadAllAsync(server.Port, target, headers, cancellation);

            Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
            await held.AssertEchoesAsync("still here after it", cancellation);
            return (Upgrades.ParseEnv(messages), server);
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    [Fact]
    public async Task TrustedProxy_ForwardedChain_RemoteAddrIsRightMostUntrustedHopEverywhere()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        // The client claims 198.51.100.1; the proxy saw 203.0.113.7; 10.0.0.2 is a second proxy of ours.
        var (env, server) = await EnvThroughAsync("127.0.0.1,10.0.0.0/8",
            ["X-Forwarded-For: 198.51.100.1, 203.0.113.7", "X-Forwarded-For: 10.0.0.2", "X-Forwarded-Proto: https"],
            "/env.sh/chain", cts.Token);
        using (server)
        {
            Assert.Equal("203.0.113.7", env["REMOTE_ADDR"]);
            Assert.Equal("203.0.113.7", env["REMOTE_HOST"]);
            Assert.Equal("on", env.GetValueOrDefault("HTTPS"));
            // The headers themselves still reach the app, as Apache passes them on.
            Assert.Equal("198.51.100.1, 203.0.113.7, 10.0.0.2", env["HTTP_X_FORWARDED_FOR"]);
            // The worker's log lines carry the client, not the proxy.
            await server.WaitForLogAsync(new Regex(@"worker\[\d+\] \S+ 203\.0\.113\.7:\d+ connection opened: /env\.sh/chain"), TimeSpan.FromSeconds(5));
        }
    }

    public static TheoryData<string, string, string?> HostileForwards => new()
    {
        // X-Forwarded-For as sent by a trusted peer → REMOTE_ADDR, REMOTE_PORT (null: the peer's)
        { "203.0.113.7, unknown", "127.0.0.1", null },                    // unreadable hop: the last vouched-for address
        { "203.0.113.7, <script>alert(1)</script>", "127.0.0.1", null },
        { "0x7f.0.0.1", "127.0.0.1", null },                              // inet_aton spelling: not an address here
        { "127.1", "127.0.0.1", null },
        { "198.51.100.1 203.0.113.7", "127.0.0.1", null },                // no comma: garbage
        { "  203.0.113.7  ,, ", "203.0.113.7", null },                    // spaces and empty elements are fine
        { "[2001:db8::7]:4711", "2001:db8::7", "4711" },
        { "2001:DB8:0::7", "2001:db8::7", null },                         // canonical form, whatever was sent
        { "::ffff:203.0.113.7", "203.0.113.7", null },
        { "127.0.0.5, 127.0.0.6", "127.0.0.5", null },                    // all trusted: the left-most
    };

    [Theory]
    [MemberData(nameof(HostileForwards))]
    public async Task TrustedProxy_OddForwardedFor_ExactRemoteAddr(string forwarded, string remoteAddr, string? remotePort)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var (env, server) = await EnvThroughAsync("127.0.0.0/8", [$"X-Forwarded-For: {forwarded}"], "/env.sh", cts.Token);
        using (server)
        {
            Assert.Equal(remoteAddr, env["REMOTE_ADDR"]);
            if (remotePort is not null)
                Assert.Equal(remotePort, env["REMOTE_PORT"]);
            Assert.False(env.ContainsKey("HTTPS"));
        }
    }

    [Fact]
    public async Task TrustedProxy_ForwardedHost_IsTheHostForTheAppAndSameOrigin()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        // Apache's .htaccess proxying: Host is the backend's, the browser's is in X-Forwarded-Host
        // (mod_proxy appends to one a client sent, so the right-most is Apache's).
        using var server = SupervisorProcess.Start("--trusted-proxy=127.0.0.1", "--sameorigin", "--dir=worker-scripts");

        var (messages, status, _) = await Upgrades.ReadAllAsync(server.Port, "/env.sh",
            ["X-Forwarded-Host: evil.example, www.example.org", "X-Forwarded-Proto: https", "Origin: https://www.example.org"], cts.Token);

        var env = Upgrades.ParseEnv(messages);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
        Assert.Equal("www.example.org", env["HTTP_HOST"]);
        Assert.Equal("www.example.org", env["SERVER_NAME"]);
        Assert.Equal("443", env["SERVER_PORT"]);
        Assert.Equal("evil.example, www.example.org", env["HTTP_X_FORWARDED_HOST"]);

        (messages, _, _) = await Upgrades.ReadAllAsync(server.Port, "/env.sh",
            ["X-Forwarded-Host: www.example.org:8080", "Origin: http://www.example.org:8080"], cts.Token);
        env = Upgrades.ParseEnv(messages);
        Assert.Equal("www.example.org:8080", env["HTTP_HOST"]);
        Assert.Equal("8080", env["SERVER_PORT"]);
    }

    [Theory]
    // case: trusted peers, X-Forwarded-Host sent, Origin sent → the Host --sameorigin held it to
    [InlineData("10.0.0.0/8", "www.example.org", "http://www.example.org", "127.0.0.1")]       // untrusted peer: ignored
    [InlineData("127.0.0.1", "www.example.org/evil", "http://www.example.org", "127.0.0.1")]  // not a Host value: ignored
    [InlineData("127.0.0.1", "a b", "http://a", "127.0.0.1")]
    [InlineData("127.0.0.1", "user@www.example.org", "http://www.example.org", "127.0.0.1")]
    public async Task TrustedProxy_ForwardedHostNotBelieved_SameOriginUsesHost(string trusted, string forwardedHost, string origin,
        string host)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start($"--trusted-proxy={trusted}", "--sameorigin", "--dir=worker-scripts");

        var response = await RawHttp.ExchangeAsync(server.Port,
            RawHttp.UpgradeHead("/env.sh", $"X-Forwarded-Host: {forwardedHost}", $"Origin: {origin}"), cts.Token);

        Assert.Equal("HTTP/1.1 403 Forbidden", response.StatusLine);
        Assert.Contains($"(not the origin of Host {host})", response.Body);
    }

    [Fact]
    public async Task TrustedProxy_UntrustedPeer_ForwardedHeadersIgnored()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var (env, server) = await EnvThroughAsync("10.0.0.0/8,::1",
            ["X-Forwarded-For: 203.0.113.7", "X-Forwarded-Proto: https"], "/env.sh", cts.Token);
        using (server)
        {
            Assert.Equal("127.0.0.1", env["REMOTE_ADDR"]);
            Assert.False(env.ContainsKey("HTTPS"), "HTTPS set from an untrusted peer's X-Forwarded-Proto");
        }
    }

    [Fact]
    public async Task TrustedProxy_NoFlag_ForwardedHeadersIgnored()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--dir=worker-scripts");

        var (messages, _, _) = await Upgrades.ReadAllAsync(server.Port, "/env.sh",
            ["X-Forwarded-For: 203.0.113.7", "X-Forwarded-Proto: https"], cts.Token);

        var env = Upgrades.ParseEnv(messages);
        Assert.Equal("127.0.0.1", env["REMOTE_ADDR"]);
        Assert.False(env.ContainsKey("HTTPS"));
    }

    [Fact]
    public async Task TrustedProxy_MaxPerIp_CountsTheForwardedClientNotTheProxy()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--trusted-proxy=127.0.0.1", "--max-per-ip=1", "--limit-response=http",
            Paths.Script("echo.sh"));
        // Every connection comes from 127.0.0.1, the "proxy"; the clients differ.
        using var first = await Upgrades.ConnectAsync(server.Port, "/a", ["X-Forwarded-For: 203.0.113.7"], cts.Token);
        await first.AssertEchoesAsync("client .7 holds its one slot", cts.Token);

        using var other = await Upgrades.ConnectAsync(server.Port, "/b", ["X-Forwarded-For: 203.0.113.8"], cts.Token);
        var again = await RawHttp.ExchangeAsync(server.Port, RawHttp.UpgradeHead("/c", "X-Forwarded-For: 198.51.100.1, 203.0.113.7"), cts.Token);

        await other.AssertEchoesAsync("client .8 has a slot of its own", cts.Token);
        Assert.Equal("HTTP/1.1 429 Too Many Requests", again.StatusLine);
        await first.AssertEchoesAsync("still here", cts.Token);
    }

    [Theory]
    [InlineData("--trusted-proxy=10.0.0.1/8", "10.0.0.0/8")]
    [InlineData("--trusted-proxy=localhost", "not an IP address")]
    [InlineData("--trusted-proxy=10.0.0.0/33", "prefix length")]
    public void TrustedProxy_BadBlock_OneLineUsageError(string flag, string expected)
    {
        var (exitCode, _, stderr) = SupervisorProcess.RunToExit([flag, Paths.Script("echo.sh")], TimeSpan.FromSeconds(10));

        Assert.Equal(2, exitCode);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains(expected, stderr);
    }
}
