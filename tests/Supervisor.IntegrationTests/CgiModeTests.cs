using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using Supervisor.IntegrationTests.Infrastructure;
using static Supervisor.IntegrationTests.Infrastructure.WsMessages;

namespace Supervisor.IntegrationTests;

/// <summary>--mode=cgi: one run of the app per message, its whole stdout the reply.</summary>
[Collection(LoadCollection.Name)]
public sealed class CgiModeTests
{
    [Fact]
    public async Task CgiMode_AwkwardPayloads_EachRepliedByOneRun_TextIfUtf8ElseBinary()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var server = SupervisorProcess.Start("--mode=cgi", "--max-message=2M", Paths.Script("cgi-echo.sh"));
        using var client = await WsClient.ConnectAsync(server.Url("/cgi"), cts.Token);

        foreach (var message in Awkward())
        {
            await client.SendAsync(message, cts.Token);
            var type = System.Text.Unicode.Utf8.IsValid(message.Payload) ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
            AssertSame(message with { Type = type }, await client.ReceiveMessageAsync(cts.Token));
        }

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
        await server.WaitForLogAsync(new(@"connection ended: /cgi .*close=1000 reason=ClientClosed runs=9"), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task CgiMode_PhpExample_SeesTheMessageAndItsCgiVariables()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var server = SupervisorProcess.Start("--dir=worker-scripts");
        using var client = await WsClient.ConnectAsync(server.Url("/cgi-hello.php?x=1"), cts.Token);

        await client.SendTextAsync("world", cts.Token);
        string? first = await client.ReceiveTextAsync(cts.Token);
        await client.SendTextAsync("again", cts.Token);
        string? second = await client.ReceiveTextAsync(cts.Token);

        Assert.Contains("\"reply\":\"Hello, world!\"", first);
        Assert.Contains("\"bytes\":5", first);
        Assert.Contains("\"type\":\"text\"", first);
        Assert.Contains("\"reply\":\"Hello, again!\"", second);
        Assert.NotEqual(Pid(first!), Pid(second!)); // a fresh process per message

        static string Pid(string json) => json[json.IndexOf("\"pid\":", StringComparison.Ordinal)..];
    }

    [Fact]
    public async Task CgiMode_Concurrency_RunsOverlapButRepliesKeepRequestOrder()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string app = WriteScript("sleepy.sh", """
            #!/bin/bash
            # Sleeps less for later messages, so runs finish in reverse order.
            n=$(cat)
            sleep "0.$((9 - n))"
            printf 'reply %s' "$n"
            """);
        using var server = SupervisorProcess.Start("--mode=cgi", "--cgi-concurrency=4", app);
        using var client = await WsClient.ConnectAsync(server.Url("/order"), cts.Token);

        var clock = Stopwatch.StartNew();
        for (int i = 1; i <= 8; i++)
            await client.SendTextAsync(i.ToString(), cts.Token);
        var replies = new List<string?>();
        for (int i = 1; i <= 8; i++)
            replies.Add(await client.ReceiveTextAsync(cts.Token));

        Assert.Equal(Enumerable.Range(1, 8).Select(i => $"reply {i}"), replies);
        // One at a time would take 0.8+...+0.1 = 3.6 s plus 8 starts; four at a time about half.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3.4), $"took {clock.Elapsed}: runs did not overlap");
    }

    [Fact]
    public async Task CgiMode_RunPastTimeout_KilledAndClose1011()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string app = WriteScript("hang.sh", """
            #!/bin/bash
            echo $$ > "$(dirname "$0")/hang.pid"
            sleep 30
            """);
        using var server = SupervisorProcess.Start("--mode=cgi", "--cgi-timeout=1", app);
        using var client = await WsClient.ConnectAsync(server.Url("/slow"), cts.Token);

        await client.SendTextAsync("take your time", cts.Token);
        var (messages, status) = await client.ReceiveUntilCloseAsync(cts.Token);

        Assert.Empty(messages);
        Assert.Equal(WebSocketCloseStatus.InternalServerError, status);
        Assert.Equal("app run exceeded --cgi-timeout", client.CloseStatusDescription);
        int pid = int.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(app)!, "hang.pid")).Trim());
        Assert.True(await ProcTree.WaitUntilGoneAsync(pid, TimeSpan.FromSeconds(5)), "the timed-out run is still alive");
        await server.WaitForLogAsync(new(@"connection ended: /slow .*close=1011 reason=CgiRunTimedOut"), TimeSpan.FromSeconds(5));
    }

    /// <summary>The stderr watcher ran on after a run's stdout and exit were seen, and the
    /// run's pipes were closed under it: 25–45% of runs lost lines written just before exit.</summary>
    [Fact]
    public async Task CgiMode_StderrWrittenJustBeforeExit_EveryLineLogged()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string app = WriteScript("stderr-last.sh", """
            #!/bin/bash
            n=$(cat)
            printf 'reply %s' "$n"
            exec 1>&-
            for i in 1 2 3; do echo "run $n line $i" >&2; done
            """);
        using var server = SupervisorProcess.Start("--mode=cgi", app);
        using var client = await WsClient.ConnectAsync(server.Url("/stderr"), cts.Token);

        for (int i = 1; i <= 12; i++)
        {
            await client.SendTextAsync(i.ToString(), cts.Token);
            Assert.Equal($"reply {i}", await client.ReceiveTextAsync(cts.Token));
        }
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
        await server.WaitForLogAsync(new(@"connection ended: /stderr .*runs=12"), TimeSpan.FromSeconds(10));

        var logged = server.StderrLines.Where(l => l.Contains("app stderr: run ", StringComparison.Ordinal)).ToList();
        Assert.True(logged.Count == 36, $"{logged.Count} of 36 stderr lines logged:\n{server.Stderr}");
    }

    /// <summary>docs/modes.md: a reply over --max-message closes 1011 at once. The app, blocked
    /// on a full pipe nobody read, used to hang until --cgi-timeout and be reported as slow.</summary>
    [Fact]
    public async Task CgiMode_ReplyOverMaxMessage_Close1011AtOnceAndRunKilled()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string app = WriteScript("big.sh", """
            #!/bin/bash
            echo $$ > "$(dirname "$0")/big.pid"
            cat > /dev/null
            head -c 3000000 /dev/zero | tr '\0' y
            """);
        using var server = SupervisorProcess.Start("--mode=cgi", "--max-message=1M", "--cgi-timeout=20", app);
        using var client = await WsClient.ConnectAsync(server.Url("/big"), cts.Token);

        var clock = Stopwatch.StartNew();
        await client.SendTextAsync("a lot, please", cts.Token);
        var (messages, status) = await client.ReceiveUntilCloseAsync(cts.Token);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the close took {clock.Elapsed}");
        Assert.Empty(messages);
        Assert.Equal(WebSocketCloseStatus.InternalServerError, status);
        Assert.Equal("app reply exceeds --max-message", client.CloseStatusDescription);
        int pid = int.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(app)!, "big.pid")).Trim());
        Assert.True(await ProcTree.WaitUntilGoneAsync(pid, TimeSpan.FromSeconds(5)), "the run is still alive");
        await server.WaitForLogAsync(new(@"connection ended: /big .*close=1011 reason=CgiReplyTooLong"), TimeSpan.FromSeconds(5));
    }

    /// <summary>json_encode returns false on invalid UTF-8, which echoed as an empty reply.</summary>
    [Fact]
    public async Task CgiMode_PhpExample_InvalidUtf8Message_RepliedWithReplacementCharacter()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var server = SupervisorProcess.Start("--dir=worker-scripts");
        using var client = await WsClient.ConnectAsync(server.Url("/cgi-hello.php"), cts.Token);

        await client.SendAsync(Message.Binary((byte)'a', 0xFF, (byte)'b'), cts.Token);
        var reply = await client.ReceiveMessageAsync(cts.Token);

        Assert.NotNull(reply);
        string json = Encoding.UTF8.GetString(reply.Payload);
        Assert.Contains("\"reply\":\"Hello, a\\ufffdb!\"", json);
        Assert.Contains("\"type\":\"binary\"", json);
    }

    private static string WriteScript(string name, string text)
    {
        string dir = Directory.CreateTempSubdirectory("ws-supervisor-cgi-").FullName;
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, text.ReplaceLineEndings("\n") + "\n", new UTF8Encoding(false));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
