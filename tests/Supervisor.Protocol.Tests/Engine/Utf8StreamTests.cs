using System.Text;
using System.Text.Unicode;
using Supervisor.Protocol.Engine;

namespace Supervisor.Protocol.Tests.Engine;

public class Utf8StreamTests
{
    // "κόσμε" (2-byte characters), "€" (3 bytes), "𝄞" (4 bytes), and ASCII around them.
    private static readonly byte[] Mixed = Encoding.UTF8.GetBytes("a κόσμε € 𝄞 z");

    [Fact]
    public void Append_ValidTextCutAtEveryPoint_ValidAndComplete()
    {
        for (int cut = 0; cut <= Mixed.Length; cut++)
        {
            var stream = new Utf8Stream();
            Assert.True(stream.Append(Mixed.AsSpan(0, cut)), $"first piece up to {cut}");
            Assert.True(stream.Append(Mixed.AsSpan(cut)), $"second piece from {cut}");
            Assert.True(stream.IsComplete, $"cut at {cut}");
        }
    }

    [Fact]
    public void Append_ValidTextOneByteAtATime_ValidAndCompleteOnlyBetweenCharacters()
    {
        var stream = new Utf8Stream();
        foreach (byte b in Mixed)
            Assert.True(stream.Append([b]));
        Assert.True(stream.IsComplete);

        var cut = new Utf8Stream();
        Assert.True(cut.Append([0xF0, 0x9D, 0x84])); // 𝄞 without its last byte
        Assert.False(cut.IsComplete);
    }

    [Theory]
    [InlineData(new byte[] { 0xED, 0xA0 }, 1)]       // ED A0..BF starts a surrogate (U+D800..)
    [InlineData(new byte[] { 0xE0, 0x80 }, 1)]       // E0 80..9F starts an over-long form
    [InlineData(new byte[] { 0xF0, 0x80 }, 1)]       // F0 80..8F: over-long
    [InlineData(new byte[] { 0xF4, 0x90 }, 1)]       // F4 90..: above U+10FFFF
    [InlineData(new byte[] { 0xC0 }, 0)]             // C0/C1 only start over-long forms
    [InlineData(new byte[] { 0xF5 }, 0)]             // F5..FF start nothing
    [InlineData(new byte[] { 0x80 }, 0)]             // a continuation byte with no start
    [InlineData(new byte[] { 0xE2, 0x82, 0x41 }, 2)] // "€" cut short by an ASCII byte
    public void Append_BytesOneAtATime_FailsAtTheFirstByteThatCannotBeUtf8(byte[] bytes, int failingIndex)
    {
        var stream = new Utf8Stream();
        for (int i = 0; i < failingIndex; i++)
            Assert.True(stream.Append([bytes[i]]), $"byte {i} is still a valid start");
        Assert.False(stream.Append([bytes[failingIndex]]));
    }

    [Fact]
    public void Append_RandomBytesInRandomPieces_AgreesWithUtf8IsValid()
    {
        var random = new Random(6455);
        byte[] alphabet = [0x41, 0x7F, 0x80, 0xBF, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xA0, 0x9F, 0x90, 0x8F];
        for (int trial = 0; trial < 20_000; trial++)
        {
            byte[] text = new byte[random.Next(0, 9)];
            for (int i = 0; i < text.Length; i++)
                text[i] = alphabet[random.Next(alphabet.Length)];

            var stream = new Utf8Stream();
            bool valid = true;
            for (int at = 0; at < text.Length && valid;)
            {
                int piece = random.Next(1, text.Length - at + 1);
                valid = stream.Append(text.AsSpan(at, piece));
                at += piece;
            }
            valid = valid && stream.IsComplete;

            Assert.True(Utf8.IsValid(text) == valid, Convert.ToHexString(text));
        }
    }
}
