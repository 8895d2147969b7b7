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
}
