using Supervisor.Protocol.Handshake;
using static Supervisor.Protocol.Handshake.OriginPolicy;

namespace Supervisor.Protocol.Tests;

/// <summary>
/// --origin and --sameorigin. The rows marked "websocketd" were checked against
/// websocketd 0.4 on this machine; the rows marked "ours" are the two documented
/// differences (case-insensitive hosts, a port-less Host taking the Origin's default).
/// </summary>
public class OriginPolicyTests
{
    private static RequestHead Head(string host, params string[] origins)
    {
        var headers = new List<KeyValuePair<string, string>> { new("Host", host) };
        headers.AddRange(origins.Select(o => new KeyValuePair<string, string>("Origin", o)));
        return new RequestHead("GET", "/", "HTTP/1.1", headers);
    }

    [Fact]
    public void Check_NoFlags_EverythingAllowedEvenWithoutOrigin()
    {
        Assert.False(AllowAny.IsEnabled);
        Assert.Equal(OriginVerdict.Allowed, AllowAny.Check(Head("a:1"), requestIsHttps: false));
        Assert.Equal(OriginVerdict.Allowed, AllowAny.Check(Head("a:1", "http://evil.example"), false));
    }

    public static TheoryData<string, string?, OriginVerdict> SameOriginCases => new()
    {
        // Host header, Origin (null: none sent), verdict
        { "127.0.0.1:8080", "http://127.0.0.1:8080", OriginVerdict.Allowed },           // websocketd
        { "127.0.0.1:8080", "HTTP://127.0.0.1:8080", OriginVerdict.Allowed },           // websocketd: scheme case
        { "127.0.0.1:8080", "https://127.0.0.1:8080", OriginVerdict.Allowed },          // websocketd: scheme not compared
        { "127.0.0.1:8080", null, OriginVerdict.Missing },                              // websocketd
        { "127.0.0.1:8080", "null", OriginVerdict.Unparsable },                         // websocketd
        { "127.0.0.1:8080", "http://127.0.0.1", OriginVerdict.NotSameOrigin },          // websocketd: port 80 ≠ 8080
        { "127.0.0.1:8080", "http://127.0.0.1:8081", OriginVerdict.NotSameOrigin },
        { "127.0.0.1:8080", "http://evil.example:8080", OriginVerdict.NotSameOrigin },
        { "127.0.0.1", "http://127.0.0.1", OriginVerdict.Allowed },                     // websocketd
        { "127.0.0.1", "http://127.0.0.1:80", OriginVerdict.Allowed },                  // websocketd
        { "127.0.0.1", "http://127.0.0.1:8080", OriginVerdict.NotSameOrigin },          // websocketd
        { "example.com", "https://example.com", OriginVerdict.Allowed },                // ours: websocketd says 80 ≠ 443
        { "example.com", "https://example.com:80", OriginVerdict.NotSameOrigin },       // ours: 80 is not https's default
        { "LocalHost:8080", "http://localhost:8080", OriginVerdict.Allowed },           // ours: websocketd compares bytes
        { "[::1]:8080", "http://[::1]:8080", OriginVerdict.Allowed },
        { "[::1]:8080", "http://[::2]:8080", OriginVerdict.NotSameOrigin },
        { "example.com", "http://example.com/", OriginVerdict.Allowed },                // a trailing slash is forgiven
        { "example.com", "http://example.com/path", OriginVerdict.Unparsable },
        { "example.com", "http://user@example.com", OriginVerdict.Unparsable },
        { "example.com", "http://example.com:99999", OriginVerdict.Unparsable },
        { "example.com", "http://", OriginVerdict.Unparsable },
        { "example.com", "example.com", OriginVerdict.Unparsable },
        { "example.com", "file://", OriginVerdict.Unparsable },                         // websocketd refuses it too
    };

    [Theory]
    [MemberData(nameof(SameOriginCases))]
    public void Check_SameOrigin_WebsocketdMeaning(string host, string? origin, OriginVerdict expected)
    {
        var policy = Create([], sameOrigin: true);

        var verdict = policy.Check(origin is null ? Head(host) : Head(host, origin), requestIsHttps: false);

        Assert.Equal(expected, verdict);
    }

    [Theory]
    [InlineData("app.example:8080", "evil.example:8080", "http://app.example:8080", OriginVerdict.Allowed)]
    [InlineData("evil.example:8080", "app.example:8080", "http://app.example:8080", OriginVerdict.NotSameOrigin)]
    public void Check_SameOriginWithAbsoluteFormTarget_TargetsAuthorityNotHostField(
        string authority, string hostField, string origin, OriginVerdict expected)
    {
        // RFC 9112 §3.2.2: the target's authority is the request's host; SERVER_NAME and
        // HTTP_HOST say the same, so the check must too.
        var policy = Create([], sameOrigin: true);
        var head = new RequestHead("GET", "/", "HTTP/1.1", [new("Host", hostField), new("Origin", origin)], authority);

        Assert.Equal(expected, policy.Check(head, requestIsHttps: false));
    }

    [Theory]
    // Host field, the host a trusted proxy said (X-Forwarded-Host), Origin → verdict
    [InlineData("127.0.0.1:21100", "www.example.org", "https://www.example.org", OriginVerdict.Allowed)]
    [InlineData("127.0.0.1:21100", "www.example.org:8443", "https://www.example.org:8443", OriginVerdict.Allowed)]
    [InlineData("www.example.org", "127.0.0.1:21100", "https://www.example.org", OriginVerdict.NotSameOrigin)]
    public void Check_SameOriginWithRequestHost_ThatHostNotTheField(string hostField, string requestHost, string origin,
        OriginVerdict expected)
    {
        var policy = Create([], sameOrigin: true);

        Assert.Equal(expected, policy.Check(Head(hostField, origin), requestHost, requestIsHttps: true));
    }

    [Fact]
    public void Check_SameOriginBehindTls_PortlessHostMeans443()
    {
        var policy = Create([], sameOrigin: true);

        Assert.Equal(OriginVerdict.Allowed, policy.Check(Head("example.com", "https://example.com"), requestIsHttps: true));
        Assert.Equal(OriginVerdict.NotSameOrigin, policy.Check(Head("example.com", "http://example.com"), requestIsHttps: true));
    }

    [Fact]
    public void Check_RepeatedOrigin_Refused()
    {
        var policy = Create([], sameOrigin: true);

        Assert.Equal(OriginVerdict.Repeated, policy.Check(Head("a:1", "http://a:1", "http://a:1"), false));
    }

    public static TheoryData<string, OriginVerdict> ListCases => new()
    {
        // With --origin=example.com,other.org:8443,https://sec.net (all rows: websocketd,
        // except the case-insensitive one).
        { "http://example.com", OriginVerdict.Allowed },
        { "http://example.com:9999", OriginVerdict.Allowed },      // no port listed: any port
        { "https://example.com", OriginVerdict.Allowed },          // no scheme listed: any scheme
        { "http://other.org:8443", OriginVerdict.Allowed },
        { "https://other.org:8443", OriginVerdict.Allowed },
        { "http://other.org", OriginVerdict.NotListed },           // port 80 ≠ 8443
        { "https://sec.net", OriginVerdict.Allowed },
        { "https://sec.net:8443", OriginVerdict.Allowed },
        { "http://sec.net", OriginVerdict.NotListed },             // scheme listed: must match
        { "http://EXAMPLE.com", OriginVerdict.Allowed },           // ours: websocketd refuses
        { "http://example.com.evil.net", OriginVerdict.NotListed },
        { "http://evilexample.com", OriginVerdict.NotListed },
        { "null", OriginVerdict.Unparsable },
    };

    [Theory]
    [MemberData(nameof(ListCases))]
    public void Check_OriginList_WebsocketdMeaning(string origin, OriginVerdict expected)
    {
        var policy = Create(["example.com", "other.org:8443", "https://sec.net"], sameOrigin: false);

        Assert.Equal(expected, policy.Check(Head("ws.example.com", origin), requestIsHttps: false));
    }

    [Fact]
    public void Check_OriginListWithoutOriginHeader_Missing()
    {
        var policy = Create(["example.com"], sameOrigin: false);

        Assert.Equal(OriginVerdict.Missing, policy.Check(Head("example.com"), false));
    }

    [Fact]
    public void Check_ListAndSameOrigin_BothMustHold()
    {
        var policy = Create(["example.com"], sameOrigin: true);

        Assert.Equal(OriginVerdict.Allowed, policy.Check(Head("example.com", "http://example.com"), false));
        Assert.Equal(OriginVerdict.NotSameOrigin, policy.Check(Head("ws.example.com", "http://example.com"), false));
    }

    [Theory]
    [InlineData("example.com:")]
    [InlineData("example.com:0")]
    [InlineData("example.com:http")]
    [InlineData("::1")]
    [InlineData("[::1")]
    [InlineData("http://")]
    [InlineData("1http://example.com")]
    [InlineData(":8080")]
    public void Create_MalformedEntry_FormatExceptionNamingIt(string entry)
    {
        var e = Assert.Throws<FormatException>(() => Create([entry], sameOrigin: false));

        Assert.StartsWith(entry, e.Message);
    }

    [Theory]
    // Entries that parse but could never equal an Origin a browser sends (RFC 6454 §6.2).
    [InlineData("null", "opaque origin")]
    [InlineData("*.example.com", "wildcards are not supported")]
    [InlineData("https://*.example.com", "wildcards are not supported")]
    [InlineData("https://app.example.com/path", "an origin has no path, query or fragment: give https://app.example.com")]
    [InlineData("app.example.com/", "an origin has no path, query or fragment: give app.example.com")]
    [InlineData("https://app.example.com?x", "give https://app.example.com")]
    [InlineData("b\u00fccher.example", "give xn--bcher-kva.example for b\u00fccher.example")]
    [InlineData("https://B\u00dcCHER.example:8443", "give xn--bcher-kva.example")]
    [InlineData("a b", "not a host name")]
    [InlineData("user@example.com", "not a host name")]
    [InlineData("exa_mple.com:80:80", "expected host[:port]")]
    public void Create_EntryThatCanNeverMatch_FormatExceptionSaysWhy(string entry, string why)
    {
        var e = Assert.Throws<FormatException>(() => Create([entry], sameOrigin: false));

        Assert.StartsWith(entry + ": ", e.Message);
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public void Create_EmptyEntriesIgnored_ListKeptAsGiven()
    {
        var policy = Create(["", " example.com ", "[::1]:8080", "https://sec.net/"], sameOrigin: false);

        Assert.Equal(["example.com", "[::1]:8080", "https://sec.net/"], policy.Allowed);
        Assert.True(policy.IsEnabled);
    }
}
