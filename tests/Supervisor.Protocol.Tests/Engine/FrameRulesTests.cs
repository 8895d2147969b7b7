using Supervisor.Protocol.Engine;

namespace Supervisor.Protocol.Tests.Engine;

public class FrameRulesTests
{
    [Theory]
    [InlineData(0x81, 0x80, false, null)]                                              // text, masked
    [InlineData(0x01, 0x80, false, null)]                                              // text, first fragment
    [InlineData(0x80, 0x80, true, null)]                                               // last continuation
    [InlineData(0x89, 0xFD, true, null)]                                               // ping of 125 inside a message
    [InlineData(0xC1, 0x80, false, ProtocolViolation.ReservedBitsSet)]                 // RSV1 with no extension
    [InlineData(0x81, 0x00, false, ProtocolViolation.UnmaskedFrame)]
    [InlineData(0x83, 0x80, false, ProtocolViolation.ReservedOpcode)]
    [InlineData(0x8B, 0x80, false, ProtocolViolation.ReservedOpcode)]
    [InlineData(0x09, 0x80, false, ProtocolViolation.FragmentedControlFrame)]          // ping without FIN
    [InlineData(0x88, 0xFE, false, ProtocolViolation.ControlFrameTooLong)]             // close, 16-bit length
    [InlineData(0x80, 0x80, false, ProtocolViolation.ContinuationWithoutMessage)]
    [InlineData(0x82, 0x80, true, ProtocolViolation.MessageInsideMessage)]
    public void Check_FrameInItsContext_ViolationOrNone(int first, int second, bool insideMessage, ProtocolViolation? expected)
    {
        byte[] bytes = [(byte)first, (byte)second, 0, 126, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        Assert.True(ReceivedFrameHeader.TryRead(bytes, out var header, out _));

        Assert.Equal(expected, FrameRules.Check(header, insideMessage));
    }

    /// <summary>RFC 7692 §6: with permessage-deflate agreed, RSV1 marks a compressed
    /// message on its first frame, and is a violation anywhere else.</summary>
    [Theory]
    [InlineData(0xC1, false, null)]                                          // FIN, RSV1, text
    [InlineData(0x42, false, null)]                                          // RSV1, binary, first fragment
    [InlineData(0xC0, true, ProtocolViolation.Rsv1OnContinuation)]
    [InlineData(0xC9, false, ProtocolViolation.Rsv1OnControlFrame)]         // ping
    [InlineData(0xC9, true, ProtocolViolation.Rsv1OnControlFrame)]          // ping inside a message
    [InlineData(0xC8, false, ProtocolViolation.Rsv1OnControlFrame)]         // close
    [InlineData(0xA1, false, ProtocolViolation.ReservedBitsSet)]            // RSV2: no meaning
    [InlineData(0x91, false, ProtocolViolation.ReservedBitsSet)]            // RSV3: no meaning
    [InlineData(0xE1, false, ProtocolViolation.ReservedBitsSet)]            // RSV1 and RSV2
    public void Check_DeflateAgreed_Rsv1OnTheFirstFrameOfADataMessageOnly(int first, bool insideMessage, ProtocolViolation? expected)
    {
        byte[] bytes = [(byte)first, 0x80, 0, 0, 0, 0];
        Assert.True(ReceivedFrameHeader.TryRead(bytes, out var header, out _));

        Assert.Equal(expected, FrameRules.Check(header, insideMessage, deflate: true));
    }

    [Fact]
    public void Check_SixtyFourBitLengthWithTopBitSet_OutOfRange()
    {
        byte[] bytes = [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4];
        Assert.True(ReceivedFrameHeader.TryRead(bytes, out var header, out _));

        Assert.Equal(ProtocolViolation.LengthOutOfRange, FrameRules.Check(header, insideMessage: false));
    }

    [Theory]
    [InlineData(ProtocolViolation.InvalidUtf8Text, 1007)]
    [InlineData(ProtocolViolation.InvalidUtf8CloseReason, 1007)]
    [InlineData(ProtocolViolation.InvalidCompressedData, 1007)]
    [InlineData(ProtocolViolation.Rsv1OnControlFrame, 1002)]
    [InlineData(ProtocolViolation.Rsv1OnContinuation, 1002)]
    [InlineData(ProtocolViolation.ReservedOpcode, 1002)]
    [InlineData(ProtocolViolation.InvalidCloseCode, 1002)]
    public void CloseCode_Violation_TheCodeTheServerSends(ProtocolViolation violation, int code)
    {
        Assert.Equal(code, ProtocolViolations.CloseCode(violation));
    }
}
