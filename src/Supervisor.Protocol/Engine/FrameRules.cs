using Supervisor.Protocol.Frames;

namespace Supervisor.Protocol.Engine;

/// <summary>Whether a decoded client frame may come next on a connection with no extension
/// agreed (RFC 6455 §5.2–§5.5), given whether a fragmented message is open.</summary>
public static class FrameRules
{
    public static ProtocolViolation? Check(in ReceivedFrameHeader header, bool insideMessage)
    {
        if (header.ReservedBits != 0)
            return ProtocolViolation.ReservedBitsSet;
        if (!header.Masked)
            return ProtocolViolation.UnmaskedFrame;
        if (header.PayloadLength > long.MaxValue)
            return ProtocolViolation.LengthOutOfRange;
        switch (header.Opcode)
        {
            case Opcode.Close or Opcode.Ping or Opcode.Pong:
                if (!header.Fin)
                    return ProtocolViolation.FragmentedControlFrame;
                return header.PayloadLength > 125 ? ProtocolViolation.ControlFrameTooLong : null;
            case Opcode.Continuation:
                return insideMessage ? null : ProtocolViolation.ContinuationWithoutMessage;
            case Opcode.Text or Opcode.Binary:
                return insideMessage ? ProtocolViolation.MessageInsideMessage : null;
            default:
                return ProtocolViolation.ReservedOpcode;
        }
    }
}
