using System.IO.Compression;
using System.Text;
using Supervisor.Protocol.Compression;

namespace Supervisor.Protocol.Tests.Compression;

/// <summary>RFC 7692 §7.2.1 on our side, checked against an inflater that is not ours:
/// the BCL's DeflateStream, which is raw DEFLATE with a 32 KiB window.</summary>
public class MessageDeflaterTests
{
    private static readonly byte[] Json = Encoding.UTF8.GetBytes(
        string.Concat(Enumerable.Repeat("{\"user\":42,\"text\":\"hello\",\"tags\":[\"a\",\"b\"]} ", 100)));

    [Fact]
    public void TryDeflate_CompressibleText_ShorterAndInflatesBackOnceTheMarkerIsAppended()
    {
        byte[] output = new byte[Json.Length + 4];

        Assert.True(MessageDeflater.TryDeflate(Json, output, MessageDeflater.MaxWindowBits, out int written));

        Assert.True(written < Json.Length / 10, $"{Json.Length} bytes deflated to {written}");
        Assert.False(output.AsSpan(0, written).EndsWith(MessageDeflater.FlushMarker)); // removed, §7.2.1
        Assert.Equal(Json, InflateWithBcl([.. output[..written], .. MessageDeflater.FlushMarker]));
    }

    [Fact]
    public void TryDeflate_RandomBytes_FalseSinceTheyWouldNotShrink()
    {
        byte[] noise = new byte[4096];
        new Random(7692).NextBytes(noise);

        Assert.False(MessageDeflater.TryDeflate(noise, new byte[noise.Length + 4], MessageDeflater.MaxWindowBits, out int written));
        Assert.Equal(0, written);
    }

    /// <summary>server_max_window_bits binds the deflater (§7.1.2.1): 4 KiB of noise said
    /// twice shrinks by half with a 32 KiB window, and not at all with a 512-byte one,
    /// which cannot reach back to the first copy.</summary>
    [Fact]
    public void TryDeflate_WindowAgreed_NoMatchReachesFurtherBack()
    {
        byte[] noise = new byte[4096];
        new Random(1).NextBytes(noise);
        byte[] twice = [.. noise, .. noise];
        byte[] output = new byte[twice.Length + 4];

        Assert.True(MessageDeflater.TryDeflate(twice, output, 15, out int written15));
        Assert.True(written15 < noise.Length + 100, $"window 15: {twice.Length} → {written15}");
        Assert.Equal(twice, InflateWithBcl([.. output[..written15], .. MessageDeflater.FlushMarker]));
        Assert.False(MessageDeflater.TryDeflate(twice, output, 9, out _));
    }

    [Fact]
    public void TryDeflate_OutputWithoutRoomForTheMarker_Rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MessageDeflater.TryDeflate(Json, new byte[Json.Length + 3], 15, out _));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    public void TryDeflate_WindowOutside9To15_Rejected(int bits)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MessageDeflater.TryDeflate(Json, new byte[Json.Length + 4], bits, out _));
    }

    private static byte[] InflateWithBcl(byte[] deflated)
    {
        using var inflate = new DeflateStream(new MemoryStream(deflated), CompressionMode.Decompress);
        var output = new MemoryStream();
        inflate.CopyTo(output);
        return output.ToArray();
    }
}
