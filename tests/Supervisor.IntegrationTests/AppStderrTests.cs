using System.Text.RegularExpressions;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>An app's stderr goes to the server's log, tagged with its connection, and
/// never to the client.</summary>
public sealed class AppStderrTests
{
    [Fact]
    public async Task AppStderr_Line_LoggedWithTheConnectionIdNotSentToClient()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script("stderr.sh"));
        using var client = await WsClient.ConnectAsync(server.Url("/stderr"), cts.Token);
        var (workerPid, _, connectionId) = await server.WaitForOpenedAsync("/stderr", TimeSpan.FromSeconds(5));

        await client.AssertEchoesAsync("to both", cts.Token); // stdout only: the "log: " copy never arrives
        await client.AssertEchoesAsync("second", cts.Token);

        // The line carries the same worker pid and connection id as the connection's open line.
        await server.WaitForLogAsync(
            new Regex($@"worker\[{workerPid}\] {Regex.Escape(connectionId)} \S+ .*log: to both$"), TimeSpan.FromSeconds(5));
        Assert.Single(server.StderrLines, l => l.EndsWith("log: to both", StringComparison.Ordinal));
    }
}
