using System.Text;
using Supervisor.Protocol.Messages;

namespace Supervisor.Protocol.Tests;

public sealed class ExactFramingTests
{
    private static List<(MessageKind Kind, string Payload)> Decode(ExactDecoder decoder, byte[] input, out ExactDecodeError error)
    {
        var messages = new List<(MessageKind, string)>();
        error = decoder.Feed(input, (kind, payload) => messages.Add((kind, Encoding.Latin1.GetString(payload.Span))));
        return messages;
    }

    [Theory]
    [InlineData(MessageKind.Text, 0, "T 0\n")]
    [InlineData(MessageKind.Binary, 5, "B 5\n")]
    [InlineData(MessageKind.Text, int.MaxValue, "T 2147483647\n")]
    public void WriteHeader_KindAndLength_DecimalLine(MessageKind kind, int length, string expected) =>
        Assert.Equal(expected, Encoding.ASCII.GetString(ExactFraming.Header(kind, length)));

    [Fact]
    public void Feed_AwkwardPayloads_ComeOutExactly()
    {
        // "T 0\n\n" empty; "T 1\n\n\n" one newline; "B 3\na\0b\n" a NUL; "T 2\n\r\n\n" CR LF.
        byte[] input = Encoding.Latin1.GetBytes("T 0\n\nT 1\n\n\nB 3\na\0b\nT 2\n\r\n\n");
        var messages = Decode(new ExactDecoder(100), input, out var error);

        Assert.Equal(ExactDecodeError.None, error);
        Assert.Equal([(MessageKind.Text, ""), (MessageKind.Text, "\n"), (MessageKind.Binary, "a\0b"), (MessageKind.Text, "\r\n")], messages);
    }

    [Fact]
    public void Feed_OneByteAtATime_SameMessages()
    {
        byte[] input = Encoding.Latin1.GetBytes("B 4\n\n\n\0x\nT 3\nabc\n");
        var decoder = new ExactDecoder(100);
        var messages = new List<string>();
        foreach (byte b in input)
            Assert.Equal(ExactDecodeError.None, decoder.Feed([b], (_, p) => messages.Add(Encoding.Latin1.GetString(p.Span))));

        Assert.Equal(["\n\n\0x", "abc"], messages);
        Assert.Equal(ExactDecodeError.None, decoder.Finish());
    }

    [Theory]
    [InlineData("X 1\na\n", ExactDecodeError.BadHeader)]        // unknown type
    [InlineData("T1\na\n", ExactDecodeError.BadHeader)]         // no space
    [InlineData("T \n\n", ExactDecodeError.BadHeader)]          // no length
    [InlineData("T 01\na\n", ExactDecodeError.BadHeader)]       // leading zero
    [InlineData("T -1\n", ExactDecodeError.BadHeader)]          // sign
    [InlineData("T 1 \na\n", ExactDecodeError.BadHeader)]       // trailing space
    [InlineData("T 12345678901234\n", ExactDecodeError.BadHeader)] // header longer than any valid one
    [InlineData("T 11\n", ExactDecodeError.TooLong)]            // over the limit of 10
    [InlineData("T 2\nabc\n", ExactDecodeError.MissingNewline)] // miscounted payload
    public void Feed_BrokenFraming_Error(string input, ExactDecodeError expected)
    {
        Decode(new ExactDecoder(10), Encoding.Latin1.GetBytes(input), out var error);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Feed_AfterError_StaysFailed()
    {
        var decoder = new ExactDecoder(10);
        Decode(decoder, Encoding.ASCII.GetBytes("nonsense\n"), out _);
        var messages = Decode(decoder, Encoding.ASCII.GetBytes("T 1\na\n"), out var error);

        Assert.Equal(ExactDecodeError.BadHeader, error);
        Assert.Empty(messages);
    }

    [Theory]
    [InlineData("T 3\nab")]
    [InlineData("T 3\nabc")]
    [InlineData("T 3")]
    public void Finish_InsideAMessage_Truncated(string input)
    {
        var decoder = new ExactDecoder(10);
        Decode(decoder, Encoding.ASCII.GetBytes(input), out var error);

        Assert.Equal(ExactDecodeError.None, error);
        Assert.Equal(ExactDecodeError.Truncated, decoder.Finish());
    }
}
