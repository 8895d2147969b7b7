using System.Net;

namespace Supervisor.Benchmarks.Client;

/// <summary>
/// What every metric needs from a WebSocket client connection, and no more: text out,
/// whole messages in, a polite close and an abrupt one. One sender and one receiver may
/// run at once (the throughput metric does); two senders may not.
/// </summary>
public interface IWsConnection : IAsyncDisposable
{
    ValueTask SendTextAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellation);

    /// <summary>The next whole data message: copies what fits of it into
    /// <paramref name="destination"/> (which may be empty, to count only) and returns its
    /// full length, or -1 when the server's close frame arrives instead. Throws
    /// <see cref="IOException"/> if the connection ends without one.</summary>
    ValueTask<int> ReceiveAsync(Memory<byte> destination, CancellationToken cancellation);

    /// <summary>The closing handshake (RFC 6455 §7.1.2): sends a 1000 close frame, waits up to
    /// <paramref name="timeout"/> for the server's, then closes the socket. Never throws.</summary>
    Task CloseAsync(TimeSpan timeout);

    /// <summary>Closes the socket at once, whatever state the connection is in.</summary>
    void Abort();
}

/// <summary>Opens connections to one server; each metric gets the same kind for both servers.</summary>
public interface IWsConnector
{
    /// <summary>"raw" or "ClientWebSocket", for the report header.</summary>
    string Name { get; }

    /// <summary>TCP connect plus the opening handshake, through the 101.</summary>
    Task<IWsConnection> ConnectAsync(IPEndPoint server, CancellationToken cancellation);
}

public static class WsConnectionExtensions
{
    /// <summary>Sends one message and waits for a reply of the same length: the echo apps'
    /// contract. Anything else is the server misbehaving, and fails the run.</summary>
    public static async Task EchoAsync(this IWsConnection connection, ReadOnlyMemory<byte> message, CancellationToken cancellation)
    {
        await connection.SendTextAsync(message, cancellation);
        int length = await connection.ReceiveAsync(Memory<byte>.Empty, cancellation);
        if (length != message.Length)
        {
            throw new InvalidDataException(length < 0
                ? "the server closed the connection instead of echoing"
                : $"echo of {message.Length} bytes came back as {length}");
        }
    }
}
