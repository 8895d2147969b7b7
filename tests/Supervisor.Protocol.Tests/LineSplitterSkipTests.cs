using System.Text;
using Supervisor.Protocol.Lines;

namespace Supervisor.Protocol.Tests;

/// <summary>Skip mode, for the global FIFO: one over-long line is dropped and every other
/// writer's line still comes through, however the reads fall.</summary>
public class LineSplitterSkipTests
{
    // "ok1", a 12-byte line (over the 8-byte limit), "ok2".
    private const string Stream = "ok1\n0123456789AB\nok2\n";

    [Fact]
    public void Feed_OverlongLineInOneRead_DroppedAndNextLineKept()
    {
        var splitter = new LineSplitter(8, skipOverlongLines: true);
        var lines = new List<string>();

        Assert.True(splitter.Feed(Encoding.ASCII.GetBytes(Stream), m => lines.Add(Encoding.ASCII.GetString(m.Span))));

        Assert.Equal(["ok1", "ok2"], lines);
        Assert.Equal(1, splitter.SkippedLines);
        Assert.False(splitter.LineTooLong);
    }

    public static TheoryData<int> EverySplitPoint() => new(Enumerable.Range(0, Stream.Length + 1));

    [Theory]
    [MemberData(nameof(EverySplitPoint))]
    public void Feed_OverlongLineSplitAnywhere_SameLines(int at)
    {
        var splitter = new LineSplitter(8, skipOverlongLines: true);
        var lines = new List<string>();
        byte[] bytes = Encoding.ASCII.GetBytes(Stream);

        Assert.True(splitter.Feed(bytes.AsSpan(0, at), m => lines.Add(Encoding.ASCII.GetString(m.Span))));
        Assert.True(splitter.Feed(bytes.AsSpan(at), m => lines.Add(Encoding.ASCII.GetString(m.Span))));

        Assert.Equal(["ok1", "ok2"], lines);
        Assert.Equal(1, splitter.SkippedLines);
    }

    [Fact]
    public void Flush_WhileSkippingAnOverlongTail_EmitsNothing()
    {
        var splitter = new LineSplitter(4, skipOverlongLines: true);
        var lines = new List<string>();

        splitter.Feed("abcdefgh"u8, m => lines.Add(Encoding.ASCII.GetString(m.Span)));
        splitter.Flush(m => lines.Add(Encoding.ASCII.GetString(m.Span)));

        Assert.Empty(lines);
        Assert.Equal(1, splitter.SkippedLines);
    }

    [Fact]
    public void Feed_DefaultMode_OverlongLineStillStops()
    {
        var splitter = new LineSplitter(8);

        Assert.False(splitter.Feed(Encoding.ASCII.GetBytes(Stream), _ => { }));
        Assert.True(splitter.LineTooLong);
    }

    /// <summary>The FIFO's writer that gave up on its line: what it left, a partial line or
    /// the rest of an over-long one being skipped, never becomes part of the next line.</summary>
    [Theory]
    [InlineData("nonl", 4)]
    [InlineData("0123456789AB", 0)] // over the limit: being skipped up to a newline that never comes
    public void DiscardPartialLine_NextBytesStartANewLine(string abandoned, int dropped)
    {
        var splitter = new LineSplitter(8, skipOverlongLines: true);
        var lines = new List<string>();
        splitter.Feed(Encoding.ASCII.GetBytes(abandoned), m => lines.Add(Encoding.ASCII.GetString(m.Span)));
        Assert.True(splitter.HasPartialLine);

        Assert.Equal(dropped, splitter.DiscardPartialLine());
        splitter.Feed("a\n"u8, m => lines.Add(Encoding.ASCII.GetString(m.Span)));

        Assert.Equal(["a"], lines);
        Assert.False(splitter.HasPartialLine);
    }
}
