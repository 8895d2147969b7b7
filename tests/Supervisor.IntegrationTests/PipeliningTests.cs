using System.Diagnostics;
using System.Text;
using Supervisor.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Supervisor.IntegrationTests;

/// <summary>Large messages sent back to back, with replies read as they come: neither
/// direction waits on the other (a no-stall check, not a benchmark).</summary>
[Collection(LoadCollection.Name)]
public sealed class PipeliningTests(ITestOutputHelper output)
{
    private const int Messages = 16;
    private const int MessageBytes = 64 * 1024;

    [Fact]
    public async Task Pipelined_SixteenMessagesOf64KiB_AllComeBackInOrder()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        using var client = await WsClient.ConnectAsync(server.Url(), cts.Token);
        var sent = Enumerable.Range(0, Messages).Select(Content).ToList();
        var clock = Stopwatch.StartNew();

        var receiving = Task.Run(async () =>
        {
            var received = new List<string>();
            while (received.Count < Messages && await client.ReceiveTextAsync(cts.Token) is { } text)
                received.Add(text);
            return received;
        }, cts.Token);
        foreach (string message in sent)
            await client.SendTextAsync(message, cts.Token);
        var received = await receiving;

        output.WriteLine($"{Messages} × {MessageBytes} B echoed in {clock.ElapsedMilliseconds} ms");
        Assert.Equal(Messages, received.Count);
        for (int i = 0; i < Messages; i++)
            Assert.True(sent[i] == received[i], $"message {i} came back different (length {received[i].Length}, starts \"{received[i][..Math.Min(20, received[i].Length)]}\")");
    }

    /// <summary>64 KiB of printable ASCII, different for every index and position.</summary>
    private static string Content(int index)
    {
        var random = new Random(index);
        var text = new StringBuilder(MessageBytes).Append($"message {index:D2}: ");
        while (text.Length < MessageBytes)
            text.Append((char)random.Next('!', '~' + 1));
        return text.ToString();
    }
}
