using Supervisor.Protocol.Frames;

namespace Supervisor.Protocol.Engine;

/// <summary>Whether a decoded client frame may come next (RFC 6455 §5.2–§5.5), given
/// whether a fragmented message is open and whether permessage-deflate was agreed.</summary>
public static class FrameRules
{
    public static ProtocolViolation? Check(in ReceivedFrameHeader header, bool insideMessage, bool deflate = false)
    {
        // §5.2: a reserved bit set that no agreed extension gives a meaning fails the
        // connection. RFC 7692 §6 gives RSV1 one, "compressed", on the first frame of a
        // data message only; RSV2 and RSV3 have none here.
        if ((header.ReservedBits & ~ReceivedFrameHeader.Rsv1Bit) != 0 || (header.Rsv1 && !deflate))
            return ProtocolViolation.ReservedBitsSet;
        if (!header.Masked)
            return ProtocolViolation.UnmaskedFrame;
        if (header.PayloadLength > long.MaxValue)
            return ProtocolViolation.LengthOutOfRange;
        switch (header.Opcode)
        {
            case Opcode.Close or Opcode.Ping or Opcode.Pong:
                if (header.Rsv1)
                    return ProtocolViolation.Rsv1OnControlFrame;
                if (!header.Fin)
                    return ProtocolViolation.FragmentedControlFrame;
                return header.PayloadLength > 125 ? ProtocolViolation.ControlFrameTooLong : null;
            case Opcode.Continuation:
                if (!insideMessage)
                    return ProtocolViolation.ContinuationWithoutMessage;
                return header.Rsv1 ? ProtocolViolation.Rsv1OnContinuation : null;
            case Opcode.Text or Opcode.Binary:
                return insideMessage ? ProtocolViolation.MessageInsideMessage : null;
            default:
                return ProtocolViolation.ReservedOpcode;
        }
    }
}
