using System.Net.WebSockets;
using Supervisor.IntegrationTests.Infrastructure;
using static Supervisor.IntegrationTests.Infrastructure.WsMessages;

namespace Supervisor.IntegrationTests;

/// <summary>--binary (websocketd's): raw bytes both ways. Boundaries are the pipe's, so
/// the test compares the byte stream, not message by message.</summary>
[Collection(LoadCollection.Name)]
public sealed class BinaryModeTests
{
    [Theory]
    [InlineData("--binary")]
    [InlineData("--mode=binary")]
    public async Task BinaryMode_AwkwardPayloads_EveryByteComesBackAsBinary(string flag)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var server = SupervisorProcess.Start(flag, "--max-message=2M", Paths.Script("binary-cat.sh"));
        using var client = await WsClient.ConnectAsync(server.Url("/bytes"), cts.Token);

        foreach (var message in Awkward())
        {
            await client.SendAsync(message, cts.Token);
            // An empty message is no bytes at all on a pipe: nothing comes back for it.
            var received = new MemoryStream();
            while (received.Length < message.Payload.Length)
            {
                var reply = await client.ReceiveMessageAsync(cts.Token);
                Assert.NotNull(reply);
                Assert.Equal(WebSocketMessageType.Binary, reply.Type);
                received.Write(reply.Payload);
            }
            Assert.True(message.Payload.AsSpan().SequenceEqual(received.ToArray()), $"bytes differ for {message}");
        }

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
    }

    [Fact]
    public void BinaryMode_ContradictingMode_UsageError()
    {
        var (exitCode, _, stderr) = SupervisorProcess.RunToExit(["--binary", "--mode=exact", Paths.Script("echo.sh")], TimeSpan.FromSeconds(20));

        Assert.Equal(2, exitCode);
        Assert.Contains("--binary contradicts --mode=exact", stderr);
    }
}
