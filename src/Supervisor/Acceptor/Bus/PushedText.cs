using Supervisor.Handoff;
using Supervisor.Protocol.Frames;
using Supervisor.Protocol.Messages;

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

    /// <summary>Invalid UTF-8 is repaired as a worker repairs its app's lines (<see cref="TextRepair"/>).</summary>
    public PushedText(ReadOnlySpan<byte> utf8)
    {
        var repaired = TextRepair.RepairedOrNull(utf8);
        Repaired = repaired is not null;
        _utf8 = repaired ?? utf8.ToArray();
    }

    /// <summary>The message's size as sent: each invalid byte became U+FFFD, three bytes, so
    /// this is what --max-message holds, not the size received.</summary>
    public int Length => _utf8.Length;

    public bool Repaired { get; }

    public byte[] ChannelFrame => _channelFrame ??= ControlFrame.Encode(FrameType.Text, _utf8);

    public byte[] ClientFrame => _clientFrame ??= TextFrame.Server(_utf8);
}
