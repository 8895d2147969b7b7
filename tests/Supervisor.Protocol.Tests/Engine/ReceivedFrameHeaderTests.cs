using Supervisor.Protocol.Engine;
using Supervisor.Protocol.Frames;

namespace Supervisor.Protocol.Tests.Engine;

public class ReceivedFrameHeaderTests
{
    // RFC 6455 §5.7: a single-frame masked text message "Hello".
    private static readonly byte[] MaskedHello =
    [
        0x81,                   // FIN, RSV 000, opcode 1 (text)
        0x85,                   // MASK, length 5
        0x37, 0xFA, 0x21, 0x3D, // masking key
        0x7F, 0x9F, 0x4D, 0x51, 0x58, // "Hello" masked
    ];

    [Fact]
    public void TryRead_RfcMaskedHello_DecodesEveryField()
    {
        Assert.True(ReceivedFrameHeader.TryRead(MaskedHello, out var header, out int needed));

        Assert.Equal(6, needed);
        Assert.Equal(6, header.Size);
        Assert.True(header.Fin);
        Assert.Equal(Opcode.Text, header.Opcode);
        Assert.Equal(0, header.ReservedBits);
        Assert.True(header.Masked);
        Assert.Equal(5UL, header.PayloadLength);
        Assert.False(header.IsControl);
    }

    [Theory]
    [InlineData(new byte[] { 0x82, 0xFE, 0x01, 0x00, 1, 2, 3, 4 }, 256UL, 8)]                          // 126: 16-bit length
    [InlineData(new byte[] { 0x82, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0, 1, 2, 3, 4 }, 65536UL, 14)]          // 127: 64-bit length
    [InlineData(new byte[] { 0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0 }, 0x8000_0000_0000_0000UL, 10)] // unmasked, top bit set
    public void TryRead_LongerLengthForms_DecodedBigEndian(byte[] bytes, ulong length, int size)
    {
        Assert.True(ReceivedFrameHeader.TryRead(bytes, out var header, out _));
        Assert.Equal(length, header.PayloadLength);
        Assert.Equal(size, header.Size);
    }

    [Fact]
    public void TryRead_EveryTruncatedPrefix_NeedsMoreAndSaysHowMuch()
    {
        byte[] header = [0x82, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0, 1, 2, 3, 4]; // 14 bytes
        for (int length = 0; length < header.Length; length++)
        {
            Assert.False(ReceivedFrameHeader.TryRead(header.AsSpan(0, length), out _, out int needed));
            Assert.Equal(length < 2 ? 2 : 14, needed);
        }
    }

    [Fact]
    public void TryRead_ReservedBitsAndOpcodes_ReportedAsSent()
    {
        Assert.True(ReceivedFrameHeader.TryRead([0x7B, 0x80, 1, 2, 3, 4], out var header, out _)); // RSV 111, opcode 0xB

        Assert.False(header.Fin);
        Assert.Equal(7, header.ReservedBits);
        Assert.Equal(0xB, header.RawOpcode);
        Assert.True(header.IsControl);
    }
}
