using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.RegularExpressions;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Deploy;

/// <summary>The promises a deployment behind a proxy keeps, whichever proxy it is; the
/// Apache and nginx test classes run each against their own rig.</summary>
public static class ThroughProxy
{
    /// <summary>A client (ClientWebSocket, as an app would use) echoes through the proxy,
    /// over ws:// or over wss:// ended by the proxy's TLS.</summary>
    public static async Task EchoAsync(ProxyRig rig, bool tls, CancellationToken cancellation)
    {
        using var client = await ProxyClient.ConnectClientAsync(rig.Url("echo.sh", tls), cancellation);
        await client.AssertEchoesAsync($"through {rig.Kind} {(tls ? "wss" : "ws")}", cancellation);
        await client.AssertEchoesAsync("and again", cancellation);
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cancellation);
    }

    /// <summary>The app sees the browser's address (127.0.0.2, while the proxy connects from
    /// 127.0.0.1) from the proxy's X-Forwarded-For, a forged one ignored; and HTTPS=on only
    /// when the browser came over TLS.</summary>
    public static async Task ForwardedAsync(ProxyRig rig, bool tls, CancellationToken cancellation)
    {
        var env = await ProxyClient.ReadEnvAsync(tls ? rig.TlsPort : rig.HttpPort, $"/ws/env.sh?{(tls ? "tls" : "plain")}", tls,
            cancellation, "Upgrade", "X-Forwarded-For: 203.0.113.66", "X-Forwarded-Proto: https");

        Assert.Equal("127.0.0.2", env["REMOTE_ADDR"]);
        Assert.Equal("203.0.113.66, 127.0.0.2", env["HTTP_X_FORWARDED_FOR"]);
        if (tls)
            Assert.Equal("on", env.GetValueOrDefault("HTTPS"));
        else
            Assert.NotEqual("on", env.GetValueOrDefault("HTTPS"));
        Assert.Equal(tls ? "https" : "http", env["HTTP_X_FORWARDED_PROTO"]);
        await rig.Server.WaitForLogAsync(new Regex(@"worker\[\d+\] \S+ 127\.0\.0\.2:\d+ connection opened: /env\.sh\?" + (tls ? "tls" : "plain")),
            TimeSpan.FromSeconds(5));
    }

    /// <summary>A line written to the global FIFO reaches a client connected through the proxy.</summary>
    public static async Task BroadcastAsync(ProxyRig rig, CancellationToken cancellation)
    {
        using var client = await ProxyClient.ConnectClientAsync(rig.Url("echo.sh?listener"), cancellation);
        await client.AssertEchoesAsync("listening", cancellation);
        await rig.Server.WaitForOpenedAsync("/echo.sh?listener", TimeSpan.FromSeconds(5));

        string line = $"news for everyone {Guid.NewGuid():N}";
        using (var fifo = new FileStream(rig.FifoPath, FileMode.Open, FileAccess.Write))
            fifo.Write(System.Text.Encoding.UTF8.GetBytes(line + "\n"));

        Assert.Equal(line, await client.ReceiveTextAsync(cancellation));
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cancellation);
    }

    /// <summary>
    /// ws-supervisor restarts (SIGTERM, then the same command on the same port): its client
    /// is closed with 1001 through the proxy; while it is down the proxy answers 502/503;
    /// and a client reconnects within a second of it listening again (no retry lockout).
    /// </summary>
    public static async Task RestartAsync(ProxyRig rig, int statusWhileDown, CancellationToken cancellation)
    {
        using var before = await ProxyClient.ConnectClientAsync(rig.Url("echo.sh?before"), cancellation);
        await before.AssertEchoesAsync("before the restart", cancellation);

        // Read as a browser does, so the close handshake completes while the server shuts down.
        var closing = before.ReceiveUntilCloseAsync(cancellation);
        rig.StopServer();
        var (_, status) = await closing;
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, status); // 1001 going away

        // A connect while it is down fails: that is what would put a worker in Apache's 60 s error state.
        using (var down = await ProxyClient.ConnectAsync(rig.HttpPort, "/ws/echo.sh?down", false, cancellation))
            Assert.StartsWith($"HTTP/1.1 {statusWhileDown}", down.Head.StatusLine);

        rig.StartServer();
        // The reconnect is the upgrade through the proxy; the app's start after it is timed elsewhere.
        var clock = Stopwatch.StartNew();
        using var after = await ProxyClient.ConnectClientAsync(rig.Url("echo.sh?after"), cancellation);
        clock.Stop();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1),
            $"reconnecting through {rig.Kind} took {clock.ElapsedMilliseconds} ms after ws-supervisor listened again; its log:\n{rig.ProxyLog}");
        await after.AssertEchoesAsync("after the restart", cancellation);
        await after.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cancellation);
    }
}
