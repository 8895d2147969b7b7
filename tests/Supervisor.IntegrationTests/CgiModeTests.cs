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

    private static string WriteScript(string name, string text)
    {
        string dir = Directory.CreateTempSubdirectory("ws-supervisor-cgi-").FullName;
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, text.ReplaceLineEndings("\n") + "\n", new UTF8Encoding(false));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
