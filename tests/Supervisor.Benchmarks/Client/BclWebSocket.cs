using System.Net;
using System.Net.WebSockets;

namespace Supervisor.Benchmarks.Client;

/// <summary>
/// The same contract over <see cref="ClientWebSocket"/>, for <c>--client=ClientWebSocket</c>:
/// to show how much of a connect latency is the client's own (its handshake goes through
/// the HTTP stack), and as a check that the raw client measures the same servers the same way.
/// </summary>
public sealed class BclWebSocket(ClientWebSocket socket) : IWsConnection
{
    private readonly byte[] _sink = new byte[64 * 1024];

    public static async Task<IWsConnection> ConnectAsync(IPEndPoint server, CancellationToken cancellation)
    {
        var socket = new ClientWebSocket();
        // No keep-alive frames of the client's own in the middle of a measurement.
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        try
        {
            await socket.ConnectAsync(new Uri($"ws://{server}/"), cancellation);
            return new BclWebSocket(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public ValueTask SendTextAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellation) =>
        socket.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, cancellation);

    public async ValueTask<int> ReceiveAsync(Memory<byte> destination, CancellationToken cancellation)
    {
        int total = 0;
        while (true)
        {
            int room = destination.Length - total;
            Memory<byte> into = room > 0 ? destination[total..] : _sink;
            ValueWebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(into, cancellation);
            }
            catch (WebSocketException e)
            {
                throw new IOException(e.Message, e);
            }
            if (result.MessageType == WebSocketMessageType.Close)
                return -1;
            total += result.Count;
            if (result.EndOfMessage)
                return total;
        }
    }

    public async Task CloseAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, deadline.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // Gone, or silent past the timeout.
        }
        finally
        {
            socket.Dispose();
        }
    }

    public void Abort() => socket.Abort();

    public ValueTask DisposeAsync()
    {
        socket.Dispose();
        return ValueTask.CompletedTask;
    }
}

public sealed class BclConnector : IWsConnector
{
    public string Name => "ClientWebSocket";

    public Task<IWsConnection> ConnectAsync(IPEndPoint server, CancellationToken cancellation) =>
        BclWebSocket.ConnectAsync(server, cancellation);
}
