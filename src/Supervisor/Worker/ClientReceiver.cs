using System.Net.WebSockets;
using Supervisor.Unix;

namespace Supervisor.Worker;

/// <summary>
/// Client → app in line mode: each complete text message becomes one line on the app's
/// stdin. Fragments are gathered up to --max-message; the message and its newline go
/// out in one write so a line is never split by a concurrent writer.
/// </summary>
public sealed class ClientReceiver(WebSocket socket, FdStream appStdin, int maxMessageBytes, IdleClock? idle = null)
{
    private long _bytesReceived;

    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>What ended the receive side. <see cref="StdinClosed"/> is not an end of the
    /// session by itself: the app stopped reading but may still be talking.</summary>
    public enum Outcome { ClientClosed, ClientVanished, ProtocolError, MessageTooBig, UnsupportedData, StdinClosed, Cancelled }

    public async Task<Outcome> RunAsync(CancellationToken cancellation)
    {
        // Room for one typical message and its newline; grows up to the limit for big ones.
        byte[] buffer = new byte[Math.Min(4 * 1024, maxMessageBytes + 1)];
        int filled = 0;
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                if (filled == buffer.Length)
                    Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, maxMessageBytes + 1L));
                result = await socket.ReceiveAsync(buffer.AsMemory(filled), cancellation);
            }
            catch (OperationCanceledException)
            {
                return Outcome.Cancelled;
            }
            catch (WebSocketException e) when (e.WebSocketErrorCode is not WebSocketError.ConnectionClosedPrematurely)
            {
                return socket.State == WebSocketState.Aborted && e.InnerException is IOException ? Outcome.ClientVanished : Outcome.ProtocolError;
            }
            catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
            {
                return Outcome.ClientVanished;
            }

            switch (result.MessageType)
            {
                case WebSocketMessageType.Close:
                    return Outcome.ClientClosed;
                case WebSocketMessageType.Binary:
                    return Outcome.UnsupportedData;
            }

            idle?.Touch();
            filled += result.Count;
            if (filled > maxMessageBytes)
                return Outcome.MessageTooBig;
            if (!result.EndOfMessage)
                continue;

            if (filled == buffer.Length)
                Array.Resize(ref buffer, buffer.Length + 1);
            buffer[filled] = (byte)'\n';
            try
            {
                appStdin.Write(buffer.AsSpan(0, filled + 1));
            }
            catch (UnixException)
            {
                return Outcome.StdinClosed; // EPIPE: the app closed stdin or exited
            }
            catch (ObjectDisposedException)
            {
                return Outcome.StdinClosed;
            }
            Interlocked.Add(ref _bytesReceived, filled);
            filled = 0;
        }
    }
}
