using System.Net.Sockets;
using Supervisor.Protocol.Handshake;
using Supervisor.Unix;

namespace Supervisor.Acceptor;

/// <summary>
/// Reads one request head off a fresh connection and not a byte more: the bytes after
/// "\r\n\r\n" may already be the client's first WebSocket frame, and they belong to the
/// worker. Each round peeks (MSG_PEEK) at what has arrived, lets the parser find where
/// the head ends, and consumes only up to there. Bounded in size and in time, so a
/// slow or endless sender costs one small buffer for at most the timeout. Reads are
/// non-blocking calls, and the waits between them go through <see cref="ClientReadiness"/>,
/// never the runtime's socket engine: a socket the engine has waited on once stays in its
/// epoll for good, and would wake the acceptor for every frame its worker receives.
/// </summary>
public static class HeadReader
{
    /// <summary>Head is set when complete; otherwise Reason says why not, and None with a
    /// null Head means the client went away before sending a head.</summary>
    public readonly record struct Result(RequestHead? Head, RejectionReason Reason);

    private const int InitialBufferBytes = 2048;

    public static async Task<Result> ReadAsync(Socket socket, ClientReadiness readiness, int maxHeadBytes, TimeSpan timeout)
    {
        // Most heads fit in 2 KiB; a slow or stalled client (slowloris) holds this buffer
        // for up to the timeout, so it grows toward the limit only as bytes arrive.
        byte[] buffer = new byte[Math.Min(maxHeadBytes, InitialBufferBytes)];
        int consumed = 0;
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                if (consumed == buffer.Length)
                {
                    if (buffer.Length >= maxHeadBytes)
                        return new Result(null, RejectionReason.HeadTooLarge);
                    Array.Resize(ref buffer, Math.Min(maxHeadBytes, buffer.Length * 2));
                }
                int peeked = await ReceiveAsync(socket, readiness, buffer.AsMemory(consumed), peek: true, deadline.Token);
                if (peeked == 0)
                    return new Result(null, RejectionReason.None);

                var parse = HandshakeParser.TryParse(buffer.AsSpan(0, consumed + peeked), maxHeadBytes);
                switch (parse.Status)
                {
                    case ParseStatus.Rejected:
                        return new Result(null, parse.Reason);
                    case ParseStatus.Complete:
                        await ConsumeAsync(socket, readiness, buffer.AsMemory(consumed, parse.Consumed - consumed), deadline.Token);
                        return new Result(parse.Head, RejectionReason.None);
                    default:
                        // Every peeked byte is head (no terminator yet), so taking them all
                        // is safe, and it makes the next peek wait for new data.
                        await ConsumeAsync(socket, readiness, buffer.AsMemory(consumed, peeked), deadline.Token);
                        consumed += peeked;
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return new Result(null, RejectionReason.HeadTimeout);
        }
        catch (Exception e) when (e is SocketException or UnixException or ObjectDisposedException)
        {
            return new Result(null, RejectionReason.None);
        }
    }

    /// <summary>Bytes taken (or peeked at), waiting for some first if there are none; 0 at EOF.</summary>
    private static async ValueTask<int> ReceiveAsync(Socket socket, ClientReadiness readiness, Memory<byte> into, bool peek,
        CancellationToken cancellation)
    {
        while (true)
        {
            int n = NonBlockingReceive.TryReceive(socket, into.Span, peek);
            if (n != NonBlockingReceive.NothingYet)
                return n;
            await readiness.WhenReadableAsync(socket, cancellation);
        }
    }

    private static async Task ConsumeAsync(Socket socket, ClientReadiness readiness, Memory<byte> exactly, CancellationToken cancellation)
    {
        while (!exactly.IsEmpty)
        {
            int n = await ReceiveAsync(socket, readiness, exactly, peek: false, cancellation);
            if (n == 0)
                throw new SocketException((int)SocketError.ConnectionReset);
            exactly = exactly[n..];
        }
    }
}
