using System.Text;
using Supervisor.Protocol.Frames;

namespace Supervisor.Protocol.Tests;

public class TextFrameTests
{
    [Fact]
    public void Server_ShortText_SevenBitLengthExactBytes()
    {
        Assert.Equal(new byte[] { 0x81, 0x02, (byte)'h', (byte)'i' }, TextFrame.Server("hi"u8));
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(125, 2)]
    [InlineData(126, 4)]
    [InlineData(65535, 4)]
    [InlineData(65536, 10)]
    public void Server_LengthAtEachFormsEdge_ShortestForm(int length, int headerBytes)
    {
        byte[] payload = Encoding.ASCII.GetBytes(new string('x', length));

        byte[] frame = TextFrame.Server(payload);

        Assert.Equal(headerBytes + length, frame.Length);
        Assert.Equal(0x81, frame[0]); // FIN, no RSV1 (uncompressed), text
        Assert.Equal(payload, frame[headerBytes..]);
        // Read back as RFC 6455 §5.2 says a client reads it: never masked.
        Assert.Equal(0, frame[1] & 0x80);
        long read = (frame[1] & 0x7F) switch
        {
            126 => (frame[2] << 8) | frame[3],
            127 => (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(frame.AsSpan(2)),
            var small => small,
        };
        Assert.Equal(length, read);
    }
}
