using Supervisor.Protocol.Frames;

namespace Supervisor.Protocol.Tests;

public class CloseFrameTests
{
    [Fact]
    public void Server_TryAgainLater_ExactBytes()
    {
        byte[] frame = CloseFrame.Server(CloseFrame.TryAgainLater, "full");

        Assert.Equal(new byte[]
        {
            0x88,                   // FIN, opcode 8 (close)
            0x06,                   // unmasked, payload 6 bytes
            0x03, 0xF5,             // 1013, big-endian
            (byte)'f', (byte)'u', (byte)'l', (byte)'l',
        }, frame);
    }

    [Fact]
    public void Server_EmptyReason_CodeOnly()
    {
        Assert.Equal(new byte[] { 0x88, 0x02, 0x03, 0xE8 }, CloseFrame.Server(1000, "")); // 1000, no reason
    }

    [Fact]
    public void Server_LongReason_CutTo123Bytes()
    {
        byte[] frame = CloseFrame.Server(1013, new string('a', 500));

        Assert.Equal(125, frame[1]);
        Assert.Equal(4 + 123, frame.Length);
    }

    [Fact]
    public void Server_LongMultibyteReason_CutAtACharacterBoundary()
    {
        // "é" is 2 bytes in UTF-8: 61 of them fill 122 bytes, a 62nd would need 124.
        byte[] frame = CloseFrame.Server(1013, new string('é', 100));

        Assert.Equal(2 + 122, frame[1]);
        Assert.Equal(new string('é', 61), System.Text.Encoding.UTF8.GetString(frame, 4, frame.Length - 4));
    }

    [Theory]
    [InlineData(999)]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(1015)]
    [InlineData(5000)]
    public void Server_CodeAnEndpointMustNotSend_Throws(int code)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CloseFrame.Server((ushort)code, ""));
    }
}
