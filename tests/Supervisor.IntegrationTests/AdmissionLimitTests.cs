using System.Diagnostics;
using System.Net.WebSockets;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>
/// --max-per-ip, --max-spawn-rate and --idle-timeout: the client over a limit is told
/// "retry later" in a way its script can read (101 + close 1013 by default, 429 with
/// --limit-response=http), and everyone else is served as before.
/// </summary>
public sealed class AdmissionLimitTests
{
    [Fact]
    public async Task MaxPerIp_ThirdFromTheSameAddress_101ThenClose1013_SlotReturnsWhenOneCloses()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--max-per-ip=2", Paths.Script("echo.sh"));
        using var first = await WsClient.ConnectAsync(server.Url("/1"), cts.Token);
        using var second = await WsClient.ConnectAsync(server.Url("/2"), cts.Token);
        await first.AssertEchoesAsync("one", cts.Token);
        await second.AssertEchoesAsync("two", cts.Token);

        await RawFrames.AssertRetryLaterAsync(server.Port, RawHttp.UpgradeHead("/3"), "from your address", cts.Token);

        Assert.Equal(2, server.ServingWorkers().Count);
        await first.AssertEchoesAsync("one still", cts.Token);
        await second.AssertEchoesAsync("two still", cts.Token);
        await second.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
        await WsClient.AssertServerEchoesSoonAsync(server.Url("/4"), TimeSpan.FromSeconds(5), cts.Token);
    }

    [Fact]
    public async Task MaxPerIp_ClientWebSocketOverTheLimit_SeesClose1013WithTheReason()
    {
        // What a browser's script sees: the connection opens, then closes at once with a
        // code and reason it can act on ("full, retry later"), not 1006.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--max-per-ip=1", Paths.Script("echo.sh"));
        using var first = await WsClient.ConnectAsync(server.Url("/1"), cts.Token);

        using var refused = await WsClient.ConnectAsync(server.Url("/2"), cts.Token);
        var (messages, status) = await refused.ReceiveUntilCloseAsync(cts.Token);

        Assert.Empty(messages);
        Assert.Equal(1013, (int?)status);
        Assert.Equal("Too many connections from your address (--max-per-ip); retry later.", refused.CloseStatusDescription);
        await first.AssertEchoesAsync("first still", cts.Token);
    }

    [Fact]
    public async Task MaxPerIpWithLimitResponseHttp_429WithRetryAfter()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--max-per-ip=1", "--limit-response=http", Paths.Script("echo.sh"));
        using var first = await WsClient.ConnectAsync(server.Url("/1"), cts.Token);

        var response = await RawHttp.ExchangeAsync(server.Port, RawHttp.UpgradeHead("/2"), cts.Token);

        Assert.Equal("HTTP/1.1 429 Too Many Requests", response.StatusLine);
        Assert.Equal("1", response.Header("Retry-After"));
        Assert.Equal("Too many connections from your address (--max-per-ip); retry later.\n", response.Body);
        await first.AssertEchoesAsync("first still", cts.Token);
    }

    [Theory]
    [InlineData("close")]
    [InlineData("http")]
    public async Task MaxSpawnRate_BucketSpent_RetryLaterThenServedOnceItRefills(string mode)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--max-spawn-rate=1", $"--limit-response={mode}", Paths.Script("echo.sh"));
        using var first = await WsClient.ConnectAsync(server.Url("/1"), cts.Token); // the one token
        var clock = Stopwatch.StartNew();

        if (mode == "close")
        {
            await RawFrames.AssertRetryLaterAsync(server.Port, RawHttp.UpgradeHead("/2"), "per second", cts.Token);
        }
        else
        {
            var response = await RawHttp.ExchangeAsync(server.Port, RawHttp.UpgradeHead("/2"), cts.Token);
            Assert.Equal("HTTP/1.1 429 Too Many Requests", response.StatusLine);
            Assert.Equal("1", response.Header("Retry-After"));
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the refusal took {clock.Elapsed}: the bucket may have refilled");
        Assert.Single(server.ServingWorkers());
        await first.AssertEchoesAsync("first still", cts.Token);
        await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, 1.1 - clock.Elapsed.TotalSeconds)), cts.Token);
        await WsClient.AssertServerEchoesAsync(server.Url("/3"), cts.Token);
    }

    [Fact]
    public async Task IdleTimeout_QuietConnectionClosed1000IdleTimeout_ChattyOneKept()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--idle-timeout=2", "--ping-interval=0", Paths.Script("echo.sh"));
        using var quiet = await WsClient.ConnectAsync(server.Url("/quiet"), cts.Token);
        using var chatty = await WsClient.ConnectAsync(server.Url("/chatty"), cts.Token);
        var clock = Stopwatch.StartNew();

        // Every 200 ms against a 2 s timeout: the test host, busy starting a hundred other
        // tests, once resumed a 300 ms delay more than a second late, and the server
        // rightly found that 1 s timeout's connection idle. The longest gap is reported.
        var quietEnd = quiet.ReceiveUntilCloseAsync(cts.Token);
        var lastEcho = Stopwatch.StartNew();
        var longestGap = TimeSpan.Zero;
        for (int i = 0; clock.Elapsed < TimeSpan.FromSeconds(4); i++)
        {
            longestGap = TimeSpan.FromTicks(Math.Max(longestGap.Ticks, lastEcho.Elapsed.Ticks));
            await chatty.SendTextAsync($"still here {i}", cts.Token); // a message each way resets it
            Assert.True($"still here {i}" == await chatty.ReceiveTextAsync(cts.Token),
                $"message {i} was not echoed; the longest gap between messages was {longestGap.TotalMilliseconds:F0} ms");
            lastEcho.Restart();
            await Task.Delay(200, cts.Token);
        }
        var (messages, status) = await quietEnd;

        Assert.Empty(messages);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
        Assert.Equal("idle timeout", quiet.CloseStatusDescription);
        await server.WaitForLogAsync(new System.Text.RegularExpressions.Regex(
            "connection ended: /quiet .* close=1000 reason=IdleTimeout"), TimeSpan.FromSeconds(5));
        await chatty.AssertEchoesAsync("chatty never idle", cts.Token);
    }

    [Fact]
    public async Task IdleTimeout_PingsAreNotMessages_KeepAliveAloneDoesNotKeepItOpen()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start("--idle-timeout=2", "--ping-interval=1", Paths.Script("echo.sh"));
        using var quiet = await WsClient.ConnectAsync(server.Url("/quiet"), cts.Token);
        var clock = Stopwatch.StartNew();

        var (_, status) = await quiet.ReceiveUntilCloseAsync(cts.Token);

        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(6));
        await WsClient.AssertServerEchoesAsync(server.Url("/other"), cts.Token);
    }

    [Fact]
    public async Task IdleTimeout_ClientStoppedReadingWhileAppFloods_SessionStillEndsAndOthersCarryOn()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        using var server = SupervisorProcess.Start("--idle-timeout=1", "--ping-interval=0", "/usr/bin/yes");
        // Connected and never read from: `yes` fills the TCP window, and the worker's send
        // to this client blocks with the sender's lock held.
        using var stuck = await RawHttp.ConnectAsync(server.Port, cts.Token);
        stuck.ReceiveBufferSize = 4096;
        await stuck.SendAsync(System.Text.Encoding.ASCII.GetBytes(RawHttp.UpgradeHead("/stuck")), System.Net.Sockets.SocketFlags.None, cts.Token);

        // The idle timeout's close cannot get the lock: after its bound it aborts the
        // connection, and the session ends instead of waiting forever.
        await server.WaitForLogAsync(new System.Text.RegularExpressions.Regex("connection ended: /stuck .*reason=IdleTimeout"), TimeSpan.FromSeconds(20));
        using var other = await WsClient.ConnectAsync(server.Url("/other"), cts.Token);
        Assert.Equal("y", await other.ReceiveTextAsync(cts.Token));
    }
}
