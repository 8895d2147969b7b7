using System.Text;
using Supervisor.Protocol.Engine;

namespace Supervisor.Protocol.Tests.Engine;

public class MaskingTests
{
    private const uint RfcKey = 0x3D21FA37; // bytes 37 FA 21 3D as they lie in memory (§5.7)

    [Fact]
    public void Apply_RfcExample_UnmasksHello()
    {
        byte[] payload = [0x7F, 0x9F, 0x4D, 0x51, 0x58];

        int next = Masking.Apply(payload, RfcKey, 0);

        Assert.Equal("Hello", Encoding.ASCII.GetString(payload));
        Assert.Equal(1, next);
    }

    [Fact]
    public void Apply_PayloadInPiecesOfEverySize_SameAsByteByByte()
    {
        var random = new Random(5);
        byte[] original = new byte[300]; // longer than any vector, with a tail
        random.NextBytes(original);
        byte[] key = [0x37, 0xFA, 0x21, 0x3D];
        byte[] expected = original.Select((b, i) => (byte)(b ^ key[i % 4])).ToArray();

        for (int piece = 1; piece <= 70; piece++)
        {
            byte[] data = (byte[])original.Clone();
            int offset = 0;
            for (int at = 0; at < data.Length; at += piece)
                offset = Masking.Apply(data.AsSpan(at, Math.Min(piece, data.Length - at)), RfcKey, offset);
            Assert.Equal(expected, data);
        }
    }
}
