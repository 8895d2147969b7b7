using Supervisor.Protocol.Handshake;

namespace Supervisor.Protocol.Tests;

public class RequestHeadTests
{
    private static RequestHead Head(string target, params (string Name, string Value)[] headers)
        => new("GET", target, "HTTP/1.1", headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)).ToList());

    [Fact]
    public void Get_NameInOtherCase_FirstValueTrimmed()
    {
        var head = Head("/", ("X-A", " one\t"), ("x-a", "two"));

        Assert.Equal("one", head.Get("X-a"));
    }

    [Fact]
    public void Get_Absent_Null()
    {
        Assert.Null(Head("/", ("Host", "a")).Get("Origin"));
    }

    [Fact]
    public void GetCombined_RepeatedField_JoinedWithCommaSpaceInOrder()
    {
        // RFC 9110 §5.3: repeated list fields combine in order with commas.
        var head = Head("/", ("Sec-WebSocket-Protocol", "a"), ("Host", "h"), ("sec-websocket-protocol", " b, c "));

        Assert.Equal("a, b, c", head.GetCombined("Sec-WebSocket-Protocol"));
    }

    [Fact]
    public void GetCombined_SingleField_ValueItself()
    {
        Assert.Equal("websocket", Head("/", ("Upgrade", "websocket")).GetCombined("upgrade"));
    }

    [Fact]
    public void GetCombined_Absent_Null()
    {
        Assert.Null(Head("/").GetCombined("Upgrade"));
    }

    [Theory]
    [InlineData("/chat/room?x=1&y=%2F", "/chat/room", "x=1&y=%2F")]
    [InlineData("/a%20b", "/a%20b", "")]
    [InlineData("/?", "/", "")]
    [InlineData("/p?q?r", "/p", "q?r")]   // only the first '?' splits (RFC 3986 §3.4)
    public void RawPathAndQuery_Target_SplitAtFirstQuestionMark(string target, string path, string query)
    {
        var head = Head(target);

        Assert.Equal(path, head.RawPath);
        Assert.Equal(query, head.Query);
    }
}
