using System.Text;
using System.Text.Unicode;
using Supervisor.Handoff;
using Supervisor.Protocol.Frames;

namespace Supervisor.Acceptor.Bus;

/// <summary>
/// One message pushed to clients (a FIFO line, a control-socket send): its text as valid
/// UTF-8, and the two forms it travels in, each made once however many clients get it:
/// the control-channel frame a worker writes on, and the WebSocket frame the acceptor
/// writes itself (see <see cref="DirectPush"/>).
/// </summary>
public sealed class PushedText
{
    private readonly byte[] _utf8;
    private byte[]? _channelFrame;
    private byte[]? _clientFrame;

    /// <summary>A text frame must be valid UTF-8 (RFC 6455 §5.6) or the client fails the
    /// connection with 1007: invalid bytes become U+FFFD, as a worker does with its app's.</summary>
    public PushedText(ReadOnlySpan<byte> utf8) =>
        _utf8 = Utf8.IsValid(utf8) ? utf8.ToArray() : Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(utf8));

    public int Length => _utf8.Length;

    public byte[] ChannelFrame => _channelFrame ??= ControlFrame.Encode(FrameType.Text, _utf8);

    public byte[] ClientFrame => _clientFrame ??= TextFrame.Server(_utf8);
}
