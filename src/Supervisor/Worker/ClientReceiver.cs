using System.Buffers;
using System.Net.WebSockets;
using Supervisor.Worker.Modes;

namespace Supervisor.Worker;

/// <summary>
/// Client → app: each complete message, text or binary, goes to the mode's sink (one
/// line on stdin in line mode). Fragments are gathered up to --max-message, and the
/// check runs after every chunk the engine hands over: a compressed message is inflated
/// into this buffer chunk by chunk, so a decompression bomb is stopped at the limit plus
/// one buffer, never inflated whole.
/// </summary>
/// <remarks>
/// Runs on a thread of its own (<see cref="Start"/>): over the blocking client stream the
/// engine's receive is a recv(2) on this thread, and the sink's write to stdin follows on
/// the same thread, so a message in costs no thread hop.
/// </remarks>
public sealed class ClientReceiver(WebSocket socket, IMessageSink sink, int maxMessageBytes, IdleClock? idle = null)
{
    private const int InitialBufferBytes = 4 * 1024;

    private long _bytesReceived;

    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>What ended the receive side. <see cref="StdinClosed"/> is not an end of the
    /// session by itself: the app stopped reading but may still be talking.</summary>
    public enum Outcome { ClientClosed, ClientVanished, ProtocolError, MessageTooBig, UnsupportedData, StdinClosed, Cancelled }

    /// <summary>Receives on a new thread until the client closes, fails or is cut off.
    /// Cancelling <paramref name="stop"/> aborts the engine, whose stream then shuts the
    /// socket down (shutdown(SHUT_RDWR)): that is what wakes this thread if it is blocked in
    /// recv, since nothing else interrupts a blocking call. A thread blocked in a sink (cgi
    /// mode waiting for a free slot) is woken by the token itself.</summary>
    public Task<Outcome> Start(CancellationToken stop)
    {
        // One registration for the session, not one per receive: the engine's own token
        // support would register and unregister on every message.
        CancellationTokenRegistration abort = stop.Register(static s => ((WebSocket)s!).Abort(), socket);
        return DedicatedThread.Run("client-receive", () =>
        {
            try
            {
                return Run(stop);
            }
            finally
            {
                abort.Dispose();
            }
        });
    }

    private Outcome Run(CancellationToken stop)
    {
        // Room for one typical message and the byte a sink may add, rented: the worker's
        // next connection takes the same array instead of leaving 4 KiB of garbage, a sixth
        // of what a connection used to leave. A big message grows a copy, up to the limit.
        byte[] rented = ArrayPool<byte>.Shared.Rent(InitialBufferBytes);
        try
        {
            return Receive(rented, stop);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private Outcome Receive(byte[] buffer, CancellationToken stop)
    {
        int filled = 0;
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                if (filled == buffer.Length)
                    Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, maxMessageBytes + 1L));
                result = Synchronously.Wait(socket.ReceiveAsync(buffer.AsMemory(filled), CancellationToken.None));
            }
            catch (OperationCanceledException)
            {
                return Outcome.Cancelled;
            }
            catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException && stop.IsCancellationRequested)
            {
                return Outcome.Cancelled; // woken by the abort, whatever the engine made of it
            }
            catch (WebSocketException e) when (e.WebSocketErrorCode is not WebSocketError.ConnectionClosedPrematurely)
            {
                return socket.State == WebSocketState.Aborted && e.InnerException is IOException ? Outcome.ClientVanished : Outcome.ProtocolError;
            }
            catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
            {
                return Outcome.ClientVanished;
            }

            if (result.MessageType == WebSocketMessageType.Close)
                return Outcome.ClientClosed;

            idle?.Touch();
            filled += result.Count;
            if (filled > maxMessageBytes)
                return Outcome.MessageTooBig;
            if (!result.EndOfMessage)
                continue;

            if (filled == buffer.Length)
                Array.Resize(ref buffer, buffer.Length + 1);
            SinkResult delivered;
            try
            {
                delivered = Synchronously.Wait(sink.DeliverAsync(result.MessageType, buffer, filled, stop));
            }
            catch (OperationCanceledException)
            {
                return Outcome.Cancelled;
            }
            switch (delivered)
            {
                case SinkResult.Unsupported:
                    return Outcome.UnsupportedData;
                case SinkResult.Closed:
                    return Outcome.StdinClosed; // EPIPE: the app closed stdin or exited
            }
            Interlocked.Add(ref _bytesReceived, filled);
            filled = 0;
        }
    }
}
