using System.IO.Compression;
using System.Text;
using Supervisor.Protocol.Compression;

namespace Supervisor.Protocol.Tests.Compression;

/// <summary>RFC 7692 §7.2.2 on our side, fed what a deflater that is not ours made: the
/// BCL's DeflateStream ending in a sync flush, as a client does.</summary>
public class MessageInflaterTests
{
    [Fact]
    public void Inflate_ClientsMessageAndTheMarker_TheMessage()
    {
        byte[] message = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("Grüße, ", 300)));
        using var inflater = Begun();
        byte[] output = new byte[message.Length + 1];

        byte[] input = [.. DeflatedAsAClientWould(message), .. MessageDeflater.FlushMarker];
        Assert.Null(inflater.Inflate(input, output, out int consumed, out int written));

        Assert.Equal(input.Length, consumed);
        Assert.Equal(message, output[..written]);
    }

    /// <summary>What a decompression bomb meets: never more output than the room given,
    /// the rest of the input left for later.</summary>
    [Fact]
    public void Inflate_MoreThanTheRoom_FillsTheRoomAndLeavesInput()
    {
        byte[] zeros = DeflatedAsAClientWould(new byte[1024 * 1024]);
        using var inflater = Begun();
        byte[] room = new byte[4096];

        Assert.Null(inflater.Inflate(zeros, room, out int consumed, out int written));

        Assert.Equal(room.Length, written);
        Assert.True(consumed < zeros.Length, $"consumed {consumed} of {zeros.Length}");
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, "invalid block type")]           // BTYPE 11, reserved (RFC 1951 §3.2.3)
    [InlineData(new byte[] { 0x68, 0x69, 0x00, 0x00, 0xFF, 0xFF }, "invalid stored block lengths")] // "hi" as if it were deflated
    public void Inflate_NotDeflateData_ZlibsReason(byte[] input, string reason)
    {
        using var inflater = Begun();

        Assert.Equal(reason, inflater.Inflate(input, new byte[64], out _, out _));
    }

    /// <summary>RFC 7692 §7.2.3.4's own example: "Hello" in a block with BFINAL set, then a
    /// byte of an empty block's header; with the marker appended, what follows the final
    /// block is taken and ignored.</summary>
    [Fact]
    public void Inflate_FinalBlockThenMore_TheMessageAndTheRestIgnored()
    {
        byte[] payload = [0xF3, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0x00];
        using var inflater = Begun();
        byte[] output = new byte[16];

        Assert.Null(inflater.Inflate([.. payload, .. MessageDeflater.FlushMarker], output, out int consumed, out int written));

        Assert.Equal("Hello", Encoding.ASCII.GetString(output, 0, written));
        Assert.Equal(payload.Length + 4, consumed);
        Assert.Null(inflater.Inflate([1, 2, 3], output, out consumed, out written));
        Assert.Equal((3, 0), (consumed, written));
    }

    /// <summary>No context takeover (§7.1.1.2): the next message starts from nothing, so a
    /// back-reference into the last one is an error, not a copy.</summary>
    [Fact]
    public void Begin_AfterEnd_NothingOfTheLastMessageRemains()
    {
        byte[] hello = Encoding.ASCII.GetBytes("hello hello hello");
        using var inflater = Begun();
        byte[] output = new byte[64];
        Assert.Null(inflater.Inflate([.. DeflatedAsAClientWould(hello), .. MessageDeflater.FlushMarker], output, out _, out _));
        inflater.End();

        inflater.Begin();
        // A fixed-Huffman block whose first symbol is a match (length 3, distance 1) with
        // no byte before it to copy: "hello" from the last message is no longer there.
        string? error = inflater.Inflate([0x03, 0x02, 0x00, 0x00, 0x00, 0xFF, 0xFF], output, out _, out _);

        Assert.Equal("invalid distance too far back", error);
    }

    [Fact]
    public void Inflate_AfterDispose_ObjectDisposed()
    {
        var inflater = Begun();
        inflater.Dispose();
        inflater.Dispose(); // twice is harmless

        Assert.False(inflater.InMessage);
        Assert.Throws<ObjectDisposedException>(() => inflater.Inflate(MessageDeflater.FlushMarker, new byte[4], out _, out _));
        Assert.Throws<ObjectDisposedException>(inflater.Begin);
    }

    private static MessageInflater Begun()
    {
        var inflater = new MessageInflater();
        inflater.Begin();
        return inflater;
    }

    /// <summary>Raw DEFLATE ending in a sync flush, the marker removed (§7.2.1).</summary>
    internal static byte[] DeflatedAsAClientWould(byte[] message)
    {
        var output = new MemoryStream();
        using var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true);
        deflate.Write(message);
        deflate.Flush(); // Z_SYNC_FLUSH
        byte[] flushed = output.ToArray();
        Assert.True(flushed.AsSpan().EndsWith(MessageDeflater.FlushMarker));
        return flushed[..^4];
    }
}
