using System.Net.WebSockets;
using Supervisor.Handoff;
using Supervisor.Protocol.Messages;
using Supervisor.Unix;

namespace Supervisor.Worker.Modes;

/// <summary>The stdin side of the modes that keep one app running for the connection.</summary>
public static class StdinSinks
{
    public static IMessageSink For(AppMode mode, FdStream stdin) => mode switch
    {
        AppMode.Line => new LineSink(stdin),
        AppMode.Binary => new BinarySink(stdin),
        AppMode.Exact => new ExactSink(stdin),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "no stdin sink for this mode"),
    };

    /// <summary>Writes everything or reports that the app has stopped reading (EPIPE).</summary>
    private static SinkResult Write(FdStream stdin, ReadOnlySpan<byte> bytes)
    {
        try
        {
            stdin.Write(bytes);
            return SinkResult.Delivered;
        }
        catch (Exception e) when (e is UnixException or ObjectDisposedException)
        {
            return SinkResult.Closed;
        }
    }

    /// <summary>websocketd's contract: a text message is one line; binary has no line form.</summary>
    private sealed class LineSink(FdStream stdin) : IMessageSink
    {
        public ValueTask<SinkResult> DeliverAsync(WebSocketMessageType type, byte[] buffer, int length, CancellationToken cancellation)
        {
            if (type == WebSocketMessageType.Binary)
                return ValueTask.FromResult(SinkResult.Unsupported);
            buffer[length] = (byte)'\n';
            return ValueTask.FromResult(Write(stdin, buffer.AsSpan(0, length + 1)));
        }
    }

    /// <summary>websocketd --binary: the message's bytes as they are, text or binary. An
    /// empty message writes nothing: a byte stream has no way to show it.</summary>
    private sealed class BinarySink(FdStream stdin) : IMessageSink
    {
        public ValueTask<SinkResult> DeliverAsync(WebSocketMessageType type, byte[] buffer, int length, CancellationToken cancellation) =>
            ValueTask.FromResult(length == 0 ? SinkResult.Delivered : Write(stdin, buffer.AsSpan(0, length)));
    }

    /// <summary>Header line, payload, newline (<see cref="ExactFraming"/>).</summary>
    private sealed class ExactSink(FdStream stdin) : IMessageSink
    {
        private readonly byte[] _header = new byte[ExactFraming.MaxHeaderBytes];

        public ValueTask<SinkResult> DeliverAsync(WebSocketMessageType type, byte[] buffer, int length, CancellationToken cancellation)
        {
            var kind = type == WebSocketMessageType.Binary ? MessageKind.Binary : MessageKind.Text;
            int headerLength = ExactFraming.WriteHeader(_header, kind, length);
            var result = Write(stdin, _header.AsSpan(0, headerLength));
            if (result != SinkResult.Delivered)
                return ValueTask.FromResult(result);
            buffer[length] = (byte)'\n';
            return ValueTask.FromResult(Write(stdin, buffer.AsSpan(0, length + 1)));
        }
    }
}
