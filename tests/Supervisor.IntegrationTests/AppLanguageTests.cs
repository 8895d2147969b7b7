using System.Net.WebSockets;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests;

/// <summary>The README's per-language examples are real files, and they really work.</summary>
public sealed class AppLanguageTests
{
    [Theory]
    [InlineData("echo.sh")]
    [InlineData("echo.php")]
    [InlineData("echo.py")]
    public async Task ReadmeExample_EachLanguage_EveryLineComesBackAtOnce(string script)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var server = SupervisorProcess.Start(Paths.Script(script));
        using var client = await WsClient.ConnectAsync(server.Url(), cts.Token);

        // One at a time: an app that buffered its output would never answer the first.
        foreach (string line in new[] { "hello", "ünïcödé ✓", "", "a line with  spaces " })
            await client.AssertEchoesAsync(line, cts.Token);

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
    }
}
