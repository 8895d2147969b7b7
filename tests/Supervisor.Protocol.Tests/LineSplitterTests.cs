using System.Text;
using Supervisor.Protocol.Lines;

namespace Supervisor.Protocol.Tests;

public class LineSplitterTests
{
    // CRLF, LF, an empty line, a lone CR inside a line, and a CR-CR-LF ending.
    private const string Stream = "one\r\ntwo\n\nthree\rfour\nfive\r\r\n";
    private static readonly string[] StreamLines = ["one", "two", "", "three\rfour", "five\r"];

    [Fact]
    public void Feed_WholeStream_LinesWithOneCrStripped()
    {
        var (splitter, lines) = Collecting(64);

        Assert.True(splitter.Feed(Bytes(Stream), lines.Add));

        Assert.Equal(StreamLines, lines.Texts);
    }

    public static TheoryData<int> EverySplitPoint() => new(Enumerable.Range(0, Stream.Length + 1));

    [Theory]
    [MemberData(nameof(EverySplitPoint))]
    public void Feed_StreamSplitInTwo_SameLines(int at)
    {
        // A pipe read may end anywhere: between '\r' and '\n' included.
        var (splitter, lines) = Collecting(64);
        var bytes = Bytes(Stream);

        Assert.True(splitter.Feed(bytes.AsSpan(0, at), lines.Add));
        Assert.True(splitter.Feed(bytes.AsSpan(at), lines.Add));

        Assert.Equal(StreamLines, lines.Texts);
    }

    [Fact]
    public void Feed_OneByteAtATime_SameLines()
    {
        var (splitter, lines) = Collecting(64);

        foreach (byte b in Bytes(Stream)) Assert.True(splitter.Feed([b], lines.Add));

        Assert.Equal(StreamLines, lines.Texts);
    }

    [Fact]
    public void Feed_NoNewline_NothingUntilFlush()
    {
        var (splitter, lines) = Collecting(64);

        splitter.Feed(Bytes("a\nlast"), lines.Add);
        Assert.Equal(["a"], lines.Texts);

        splitter.Flush(lines.Add);
        Assert.Equal(["a", "last"], lines.Texts);
    }

    [Fact]
    public void Flush_NothingBuffered_NoLine()
    {
        var (splitter, lines) = Collecting(64);

        splitter.Feed(Bytes("a\n"), lines.Add);
        splitter.Flush(lines.Add);
        splitter.Flush(lines.Add);

        Assert.Equal(["a"], lines.Texts);
    }

    [Fact]
    public void Flush_TrailingCr_StrippedAsIfNewlineCame()
    {
        var (splitter, lines) = Collecting(64);

        splitter.Feed(Bytes("cut\r"), lines.Add);
        splitter.Flush(lines.Add);

        Assert.Equal(["cut"], lines.Texts);
    }

    [Theory]
    [InlineData("abcd\n")]
    [InlineData("abcd\r\n")]
    public void Feed_LineExactlyAtLimit_Delivered(string text)
    {
        // The limit counts content, so CRLF and LF writers get the same allowance.
        var (splitter, lines) = Collecting(4);

        Assert.True(splitter.Feed(Bytes(text), lines.Add));

        Assert.Equal(["abcd"], lines.Texts);
        Assert.False(splitter.LineTooLong);
    }

    [Fact]
    public void Feed_AtLimitWithCrInOneReadAndLfInNext_Delivered()
    {
        var (splitter, lines) = Collecting(4);

        Assert.True(splitter.Feed(Bytes("abcd\r"), lines.Add));
        Assert.True(splitter.Feed(Bytes("\n"), lines.Add));

        Assert.Equal(["abcd"], lines.Texts);
    }

    [Fact]
    public void Feed_LineOverLimit_FalseAfterEarlierLinesAndStaysFailed()
    {
        var (splitter, lines) = Collecting(4);

        Assert.False(splitter.Feed(Bytes("ok\nabcde\nlater\n"), lines.Add));
        Assert.True(splitter.LineTooLong);
        Assert.False(splitter.Feed(Bytes("x\n"), lines.Add));
        splitter.Flush(lines.Add);

        Assert.Equal(["ok"], lines.Texts);
    }

    [Fact]
    public void Feed_PartialLineOverLimit_FailsBeforeNewlineArrives()
    {
        // An app that never writes '\n' must not make us buffer without bound.
        var (splitter, lines) = Collecting(4);

        Assert.True(splitter.Feed(Bytes("abc"), lines.Add));
        Assert.False(splitter.Feed(Bytes("de"), lines.Add));

        Assert.True(splitter.LineTooLong);
        Assert.Empty(lines.Texts);
    }

    [Fact]
    public void Feed_CrThenNonLfAtLimit_Fails()
    {
        var (splitter, lines) = Collecting(4);

        Assert.True(splitter.Feed(Bytes("abcd\r"), lines.Add));
        Assert.False(splitter.Feed(Bytes("x"), lines.Add));
    }

    [Fact]
    public void Feed_LongLineInSmallChunks_GrowsBufferAndDeliversWhole()
    {
        var text = string.Concat(Enumerable.Range(0, 5000).Select(i => (char)('a' + i % 26)));
        var bytes = Bytes(text + "\n" + text + "\r\n");
        var (splitter, lines) = Collecting(10_000);

        for (int i = 0; i < bytes.Length; i += 7)
            Assert.True(splitter.Feed(bytes.AsSpan(i, Math.Min(7, bytes.Length - i)), lines.Add));

        Assert.Equal([text, text], lines.Texts);
    }

    [Fact]
    public void Ctor_NonPositiveLimit_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LineSplitter(0));
    }

    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    private static (LineSplitter, Lines) Collecting(int max) => (new LineSplitter(max), new Lines());

    /// <summary>Copies each line out: the memory passed to the callback is reused.</summary>
    private sealed class Lines
    {
        public List<string> Texts { get; } = [];

        public void Add(ReadOnlyMemory<byte> line) => Texts.Add(Encoding.Latin1.GetString(line.Span));
    }
}
