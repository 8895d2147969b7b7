namespace Supervisor.Protocol.Engine;

/// <summary>Why a client's frames fail the connection (RFC 6455 §7.1.7). Each maps to the
/// one close code the server sends (<see cref="ProtocolViolations.CloseCode"/>).</summary>
public enum ProtocolViolation
{
    /// <summary>RSV1-3 set with no extension agreed that defines them (§5.2).</summary>
    ReservedBitsSet,
    /// <summary>RSV1 on a close, ping or pong with permessage-deflate agreed (RFC 7692 §6:
    /// only data messages are compressed).</summary>
    Rsv1OnControlFrame,
    /// <summary>RSV1 on a continuation frame (RFC 7692 §6: it is set on the first frame of
    /// a message and "MUST NOT" be on the others).</summary>
    Rsv1OnContinuation,
    /// <summary>A compressed message whose payload does not inflate (RFC 7692 §7.2.2).</summary>
    InvalidCompressedData,
    /// <summary>A client frame without a mask (§5.1: the server MUST close).</summary>
    UnmaskedFrame,
    /// <summary>Opcode 0x3–0x7 or 0xB–0xF (§5.2).</summary>
    ReservedOpcode,
    /// <summary>A close, ping or pong without FIN (§5.5: control frames are never fragmented).</summary>
    FragmentedControlFrame,
    /// <summary>A control frame with more than 125 bytes of payload (§5.5).</summary>
    ControlFrameTooLong,
    /// <summary>A 64-bit length with its most significant bit set (§5.2).</summary>
    LengthOutOfRange,
    /// <summary>A continuation frame with no fragmented message to continue (§5.4).</summary>
    ContinuationWithoutMessage,
    /// <summary>A text or binary frame while a fragmented message is still open (§5.4).</summary>
    MessageInsideMessage,
    /// <summary>A close frame with a 1-byte payload, too short for a status code (§5.5.1).</summary>
    CloseFrameTooShort,
    /// <summary>A close code that may not be sent, or is not assigned (§7.4).</summary>
    InvalidCloseCode,
    /// <summary>A text message that is not UTF-8 (§8.1).</summary>
    InvalidUtf8Text,
    /// <summary>A close reason that is not UTF-8 (§5.5.1).</summary>
    InvalidUtf8CloseReason,
}

public static class ProtocolViolations
{
    /// <summary>1007 for data that is not what its type says (§7.4.1: "inconsistent with the
    /// type of the message"), compressed data that does not inflate among it; 1002 for
    /// everything else.</summary>
    public static ushort CloseCode(ProtocolViolation violation) => violation switch
    {
        ProtocolViolation.InvalidUtf8Text or ProtocolViolation.InvalidUtf8CloseReason
            or ProtocolViolation.InvalidCompressedData => 1007,
        _ => 1002,
    };

    /// <summary>The close frame's reason: short, since a control frame has room for 123 bytes.</summary>
    public static string Describe(ProtocolViolation violation) => violation switch
    {
        ProtocolViolation.ReservedBitsSet => "reserved bits set",
        ProtocolViolation.Rsv1OnControlFrame => "RSV1 set on a control frame",
        ProtocolViolation.Rsv1OnContinuation => "RSV1 set on a continuation frame",
        ProtocolViolation.InvalidCompressedData => "compressed data does not inflate",
        ProtocolViolation.UnmaskedFrame => "client frame not masked",
        ProtocolViolation.ReservedOpcode => "reserved opcode",
        ProtocolViolation.FragmentedControlFrame => "fragmented control frame",
        ProtocolViolation.ControlFrameTooLong => "control frame over 125 bytes",
        ProtocolViolation.LengthOutOfRange => "frame length out of range",
        ProtocolViolation.ContinuationWithoutMessage => "continuation without a message",
        ProtocolViolation.MessageInsideMessage => "new message inside a fragmented one",
        ProtocolViolation.CloseFrameTooShort => "close payload of 1 byte",
        ProtocolViolation.InvalidCloseCode => "invalid close code",
        ProtocolViolation.InvalidUtf8Text => "text is not UTF-8",
        ProtocolViolation.InvalidUtf8CloseReason => "close reason is not UTF-8",
        _ => violation.ToString(),
    };
}
