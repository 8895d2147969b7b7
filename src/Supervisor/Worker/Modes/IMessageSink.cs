using System.Net.WebSockets;

namespace Supervisor.Worker.Modes;

/// <summary>What became of a client message handed to the app side.</summary>
public enum SinkResult
{
    Delivered,
    /// <summary>This mode has no way to carry the message (binary in line mode).</summary>
    Unsupported,
    /// <summary>The app no longer reads (stdin closed, or it exited).</summary>
    Closed,
}

/// <summary>Where each whole client message goes: the long-running app's stdin in the
/// framing of its mode, or a fresh run of the app in cgi mode.</summary>
public interface IMessageSink
{
    /// <summary>Takes the message in <c>buffer[..length]</c>. The buffer has room for at least
    /// one more byte after it, which the sink may overwrite (line mode puts its newline
    /// there, so message and newline go out in one write); it is reused once this returns.</summary>
    ValueTask<SinkResult> DeliverAsync(WebSocketMessageType type, byte[] buffer, int length, CancellationToken cancellation);
}
