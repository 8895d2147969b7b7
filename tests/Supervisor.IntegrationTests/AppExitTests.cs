using System.Net.WebSockets;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>When the app exits, the client gets every line it printed, then a close frame
/// whose code says how it exited.</summary>
public sealed class AppExitTests
{
    [Fact]
    public async Task AppExit_ZeroAfterTenLines_TenMessagesThenClose1000()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("count.sh"));
        using var client = await WsClient.ConnectAsync(server.Url(), cts.Token);

        var (messages, status) = await client.ReceiveUntilCloseAsync(cts.Token);

        Assert.Equal(Enumerable.Range(1, 10).Select(i => i.ToString()), messages);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
    }

    [Fact]
    public async Task AppExit_LastLineWithoutNewline_StillSentThenClose1000()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("noline.sh"));
        using var client = await WsClient.ConnectAsync(server.Url(), cts.Token);

        var (messages, status) = await client.ReceiveUntilCloseAsync(cts.Token);

        Assert.Equal(["partial"], messages);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
    }

    [Fact]
    public async Task AppExit_NonZero_LineDeliveredThenClose1011()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("fail.sh"));
        using var client = await WsClient.ConnectAsync(server.Url("/fail"), cts.Token);

        var (messages, status) = await client.ReceiveUntilCloseAsync(cts.Token);

        Assert.Equal(["about to fail"], messages);
        Assert.Equal(WebSocketCloseStatus.InternalServerError, status);
        await server.WaitForLogAsync(new(@"connection ended: /fail .*close=1011 reason=AppCrashed"), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task AppStart_BadInterpreterLine_Close1011()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string dir = Directory.CreateTempSubdirectory("ws-it-").FullName;
        try
        {
            string script = Path.Combine(dir, "broken.sh");
            File.WriteAllText(script, "#!/no/such/interpreter\necho never\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            using var server = SupervisorProcess.Start($"--dir={dir}");
            using var client = await WsClient.ConnectAsync(server.Url("/broken.sh"), cts.Token);

            var (messages, status) = await client.ReceiveUntilCloseAsync(cts.Token);

            Assert.Empty(messages);
            Assert.Equal(WebSocketCloseStatus.InternalServerError, status);
            await server.WaitForLogAsync(new(@"connection ended: /broken.sh .*close=1011 reason=AppCouldNotStart"), TimeSpan.FromSeconds(5));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>stdout EOF is the app's "nothing more to say": the connection ends at once and
    /// the app is stopped (websocketd ends it at once too), instead of waiting for an exit
    /// that may never come.</summary>
    [Theory]
    [InlineData("closeout.sh", "echo first")]
    [InlineData("exact-closeout.sh", "printf 'T 5\\nfirst\\n'")]
    public async Task AppClosesStdoutButRuns_Close1000AtOnceAndAppStopped(string name, string firstMessage)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var apps = new AppFolder().WriteScript(name, $$"""
            {{firstMessage}}
            exec 1>&-
            sleep 30 &
            echo $! > "$(dirname "$0")/sleep.pid"
            wait
            """);
        using var server = SupervisorProcess.Start($"--dir={apps.Path}");
        using var client = await WsClient.ConnectAsync(server.Url($"/{name}"), cts.Token);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (messages, status) = await client.ReceiveUntilCloseAsync(cts.Token);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"the close took {clock.Elapsed}");
        Assert.Equal(["first"], messages);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
        var match = await server.WaitForLogAsync(new($@"connection ended: /{name} .*app=(\d+) .*close=1000 reason=AppClosedStdout"), TimeSpan.FromSeconds(5));
        Assert.True(await ProcTree.WaitUntilGoneAsync(int.Parse(match.Groups[1].Value), TimeSpan.FromSeconds(3)), "the app outlived its connection");
        int sleepPid = int.Parse(File.ReadAllText(apps["sleep.pid"]).Trim());
        Assert.True(await ProcTree.WaitUntilGoneAsync(sleepPid, TimeSpan.FromSeconds(3)), "the app's child outlived its connection");
    }

    /// <summary>A background child holding stdout kept running in the app's process group
    /// after the connection ended (after the 2 s drain): the group is stopped with the connection.</summary>
    [Fact]
    public async Task AppExitsLeavingBackgroundChild_ChildStoppedWhenConnectionEnds()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var apps = new AppFolder().WriteScript("leaves-child.sh", """
            echo parent
            ( sleep 30; echo late ) &
            echo $! > "$(dirname "$0")/child.pid"
            exit 0
            """);
        using var server = SupervisorProcess.Start($"--dir={apps.Path}");
        using var client = await WsClient.ConnectAsync(server.Url("/leaves-child.sh"), cts.Token);

        var (messages, status) = await client.ReceiveUntilCloseAsync(cts.Token);

        Assert.Equal(["parent"], messages);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
        await server.WaitForLogAsync(new(@"connection ended: /leaves-child.sh .*close=1000 reason=AppExited"), TimeSpan.FromSeconds(5));
        int childPid = int.Parse(File.ReadAllText(apps["child.pid"]).Trim());
        Assert.True(await ProcTree.WaitUntilGoneAsync(childPid, TimeSpan.FromSeconds(3)), "the app's background child outlived its connection");
    }

    /// <summary>posix_spawn's ENOENT named the script, which exists: the missing file is its
    /// interpreter, and a #! line ending in \r (saved with CRLF) is the usual cause.</summary>
    [Theory]
    [InlineData("#!/no/such/interpreter\necho never\n", "its interpreter /no/such/interpreter \\(from the #! line\\) does not exist")]
    [InlineData("#!/bin/bash\r\necho never\r\n", "its #! line ends in a CR \\(a CRLF line ending\\)")]
    public async Task AppStart_MissingInterpreter_LogSaysWhichAndConnectionOpensAndEnds(string script, string expected)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var apps = new AppFolder();
        File.WriteAllText(apps["interp.sh"], script);
        File.SetUnixFileMode(apps["interp.sh"], AppFolder.Mode("755"));
        using var server = SupervisorProcess.Start($"--dir={apps.Path}");
        using var client = await WsClient.ConnectAsync(server.Url("/interp.sh"), cts.Token);

        var (messages, status) = await client.ReceiveUntilCloseAsync(cts.Token);

        Assert.Empty(messages);
        Assert.Equal(WebSocketCloseStatus.InternalServerError, status);
        await server.WaitForLogAsync(new($@"cannot start app \S+/interp.sh: {expected}"), TimeSpan.FromSeconds(5));
        await server.WaitForLogAsync(new(@"connection ended: /interp.sh .*close=1011 reason=AppCouldNotStart"), TimeSpan.FromSeconds(5));
        var (_, appPid, _) = await server.WaitForOpenedAsync("/interp.sh", TimeSpan.FromSeconds(1));
        Assert.Equal(0, appPid);
    }
}
