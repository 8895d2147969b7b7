using System.Net.WebSockets;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>
/// --origin and --sameorigin: a page of another site gets 403 before any worker starts
/// (cross-site WebSocket hijacking), a listed or same origin is served, and the
/// connections already open never notice.
/// </summary>
public sealed class OriginTests
{
    private static async Task<ClientWebSocket> ConnectWithOriginAsync(Uri url, string origin, CancellationToken cancellation)
    {
        var client = new ClientWebSocket();
        client.Options.SetRequestHeader("Origin", origin);
        try
        {
            await client.ConnectAsync(url, cancellation);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public static TheoryData<string, string?, string> HostileOrigins => new()
    {
        // case, Origin sent (null: none), what the 403's body names
        { "another site", "http://evil.example", "http://evil.example" },
        { "allowed host on another scheme", "https://app.example", "https://app.example" },
        { "allowed host's lookalike", "http://app.example.evil.example", "http://app.example.evil.example" },
        { "opaque origin (sandboxed frame, file: page)", "null", "null" },
        { "no Origin at all", null, "no Origin header" },
    };

    [Theory]
    [MemberData(nameof(HostileOrigins))]
    public async Task Origin_NotListed_403BeforeAnyWorkerAndOthersCarryOn(string name, string? origin, string bodyPart)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--origin=http://app.example,localhost:8443", Paths.Script("echo.sh"));
        using var connected = await ConnectWithOriginAsync(server.Url("/connected"), "http://app.example:8080", cts.Token);
        await connected.AssertEchoesAsync("before", cts.Token);

        string request = origin is null ? RawHttp.UpgradeHead("/hostile") : RawHttp.UpgradeHead("/hostile", $"Origin: {origin}");
        var response = await RawHttp.ExchangeAsync(server.Port, request, cts.Token);

        Assert.True(response.StatusLine == "HTTP/1.1 403 Forbidden", $"{name}: got \"{response.StatusLine}\"");
        Assert.StartsWith("Origin not allowed.", response.Body);
        Assert.Contains(bodyPart, response.Body);
        Assert.Single(server.ServingWorkers()); // the connected client's: none was started for the refused one
        Assert.DoesNotContain(server.StderrLines, l => l.Contains("connection opened: /hostile", StringComparison.Ordinal));
        await connected.AssertEchoesAsync("after", cts.Token);
    }

    [Theory]
    [InlineData("http://app.example")]
    [InlineData("http://APP.example:9999")]   // a listed host without a port: any port
    [InlineData("https://localhost:8443")]     // host:port listed: any scheme
    public async Task Origin_Listed_Served(string origin)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--origin=http://app.example,localhost:8443", Paths.Script("echo.sh"));

        using var client = await ConnectWithOriginAsync(server.Url(), origin, cts.Token);

        await client.AssertEchoesAsync("welcome", cts.Token);
    }

    [Fact]
    public async Task SameOrigin_OtherPortOrHost_403_PageOfThisServerServed()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--sameorigin", Paths.Script("echo.sh"));
        // ClientWebSocket sends Host: 127.0.0.1:PORT; a page served from there has that origin.
        using var connected = await ConnectWithOriginAsync(server.Url("/connected"), $"http://127.0.0.1:{server.Port}", cts.Token);
        await connected.AssertEchoesAsync("same origin", cts.Token);

        foreach (string hostile in new[] { $"http://127.0.0.1:{server.Port + 1}", $"http://evil.example:{server.Port}" })
        {
            string request = RawHttp.UpgradeHead("/hostile", $"Origin: {hostile}").Replace("Host: 127.0.0.1\r\n",
                $"Host: 127.0.0.1:{server.Port}\r\n", StringComparison.Ordinal);
            var response = await RawHttp.ExchangeAsync(server.Port, request, cts.Token);

            Assert.Equal("HTTP/1.1 403 Forbidden", response.StatusLine);
            Assert.Contains($"{hostile} (not the origin of Host 127.0.0.1:{server.Port})", response.Body);
        }
        await Assert.ThrowsAsync<WebSocketException>(
            () => ConnectWithOriginAsync(server.Url("/hostile"), "http://evil.example", cts.Token));
        Assert.Single(server.ServingWorkers());
        await connected.AssertEchoesAsync("still here", cts.Token);
    }

    [Theory]
    [InlineData("127.0.0.1", "evil.example", "HTTP/1.1 101 Switching Protocols")]
    [InlineData("evil.example", "127.0.0.1", "HTTP/1.1 403 Forbidden")]
    public async Task SameOrigin_AbsoluteFormTarget_ComparedWithTheTargetsHostNotTheHostField(
        string targetHost, string hostField, string statusLine)
    {
        // RFC 9112 §3.2.2: the target's authority is the request's host. SERVER_NAME and
        // HTTP_HOST say so; an origin check that read the Host field instead could be
        // satisfied by one host while the app is told another.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--sameorigin", Paths.Script("echo.sh"));
        string request = RawHttp.UpgradeHead("/", $"Origin: http://127.0.0.1:{server.Port}")
            .Replace("GET / HTTP/1.1", $"GET http://{targetHost}:{server.Port}/absolute HTTP/1.1", StringComparison.Ordinal)
            .Replace("Host: 127.0.0.1\r\n", $"Host: {hostField}:{server.Port}\r\n", StringComparison.Ordinal);
        using var socket = await RawHttp.ConnectAsync(server.Port, cts.Token);

        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(request), System.Net.Sockets.SocketFlags.None, cts.Token);
        var response = await RawHttp.ReadHeadAsync(socket, cts.Token);

        Assert.Equal(statusLine, response.StatusLine);
    }

    [Fact]
    public async Task Origin_NoFlags_AnyOriginServed()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));

        using var client = await ConnectWithOriginAsync(server.Url(), "http://evil.example", cts.Token);

        await client.AssertEchoesAsync("websocketd's default: no check", cts.Token);
    }
}
