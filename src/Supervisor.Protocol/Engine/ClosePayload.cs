using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text;
using System.Text.Unicode;

namespace Supervisor.Protocol.Engine;

/// <summary>What a client's close frame says (RFC 6455 §5.5.1): nothing, or a status code
/// and a UTF-8 reason.</summary>
public static class ClosePayload
{
    /// <summary>Reads <paramref name="payload"/>; a violation if it cannot be a close payload.
    /// An empty one gives <see cref="WebSocketCloseStatus.Empty"/> (1005, "no status", §7.4.1).</summary>
    public static ProtocolViolation? TryRead(ReadOnlySpan<byte> payload, out WebSocketCloseStatus status, out string reason)
    {
        status = WebSocketCloseStatus.Empty;
        reason = "";
        if (payload.IsEmpty)
            return null;
        if (payload.Length == 1)
            return ProtocolViolation.CloseFrameTooShort;
        ushort code = BinaryPrimitives.ReadUInt16BigEndian(payload);
        if (!IsValidReceived(code))
            return ProtocolViolation.InvalidCloseCode;
        ReadOnlySpan<byte> text = payload[2..];
        if (!Utf8.IsValid(text))
            return ProtocolViolation.InvalidUtf8CloseReason;
        status = (WebSocketCloseStatus)code;
        reason = Encoding.UTF8.GetString(text);
        return null;
    }

    /// <summary>
    /// §7.4: 1000–1003 and 1007–1011 are defined; 1012–1014 are assigned since (IANA
    /// registry: service restart, try again later, bad gateway); 3000–4999 are for
    /// libraries and applications. 1004–1006 and 1015 are reserved or may never be sent,
    /// and everything else below 3000 is unassigned. The BCL engine draws the same line.
    /// This is the rule for a code received; what the server itself refuses to send is
    /// <see cref="Frames.CloseFrame.Server"/>'s, which only bars the reserved codes.
    /// </summary>
    public static bool IsValidReceived(int code) => code switch
    {
        >= 1000 and <= 1003 => true,
        >= 1007 and <= 1014 => true,
        >= 3000 and <= 4999 => true,
        _ => false,
    };
}
