using Supervisor.Protocol.Handshake;
using Supervisor.Protocol.Static;

namespace Supervisor.Protocol.Tests;

public class StaticRequestTests
{
    private const string Tag = "\"0123abcd\"";

    [Theory]
    // If-None-Match fields (null: none) → 304? (RFC 9110 §13.1.2, weak comparison)
    [InlineData(null, false)]
    [InlineData("\"0123abcd\"", true)]
    [InlineData("W/\"0123abcd\"", true)]
    [InlineData("\"other\", \"0123abcd\"", true)]
    [InlineData("*", true)]
    [InlineData("\"other\"", false)]
    [InlineData("0123abcd", false)]             // unquoted: not an entity-tag
    [InlineData("\"0123abcd", false)]
    [InlineData("", false)]
    public void MatchesETag_IfNoneMatch(string? ifNoneMatch, bool matches)
    {
        var headers = new List<KeyValuePair<string, string>> { new("Host", "a") };
        if (ifNoneMatch is not null)
            headers.Add(new("If-None-Match", ifNoneMatch));

        Assert.Equal(matches, StaticRequest.MatchesETag(new RequestHead("GET", "/ws-supervisor.js", "HTTP/1.1", headers), Tag));
    }
}
