using System.Net;
using Supervisor.Protocol.Proxy;

namespace Supervisor.Protocol.Tests;

public class TrustedProxiesTests
{
    private static readonly IPAddress Proxy = IPAddress.Parse("10.0.0.2");
    private static readonly TrustedProxies Trusted = TrustedProxies.Parse(["10.0.0.0/8, 2001:db8:aa::/48", "192.0.2.1"]);

    private static ForwardedClient Resolve(string? xff, string? proto = null, string peer = "10.0.0.2") =>
        Trusted.Resolve(IPAddress.Parse(peer), 40000, xff, proto);

    [Theory]
    // case: header value → expected client
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("198.51.100.1, 203.0.113.7", "203.0.113.7")]                // left of the client: the client's own claims
    [InlineData("198.51.100.1, 203.0.113.7, 10.9.9.9", "203.0.113.7")]      // one more proxy of ours on the way
    [InlineData("203.0.113.7, 10.1.1.1, 192.0.2.1", "203.0.113.7")]
    [InlineData("10.5.5.5, 10.6.6.6", "10.5.5.5")]                          // all ours: the left-most
    [InlineData("203.0.113.7,10.9.9.9", "203.0.113.7")]                     // no space after the comma
    [InlineData("  203.0.113.7 ,\t10.9.9.9  ", "203.0.113.7")]
    [InlineData("203.0.113.7, , 10.9.9.9,", "203.0.113.7")]                 // empty elements are ignored
    [InlineData("[2001:db8::7]:443, 10.9.9.9", "2001:db8::7")]
    [InlineData("2001:db8::7, 2001:db8:aa::1", "2001:db8::7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("", "10.0.0.2")]                                            // nothing forwarded: the peer
    [InlineData(null, "10.0.0.2")]
    public void Resolve_FromTrustedPeer_RightMostUntrustedHop(string? xff, string client)
    {
        var resolved = Resolve(xff);

        Assert.Equal(client, resolved.Address.ToString());
        Assert.Equal(Proxy, resolved.Proxy);
    }

    [Theory]
    // A hop we cannot read ends the walk; the client is the last address a trusted proxy wrote.
    [InlineData("203.0.113.7, unknown", "10.0.0.2")]
    [InlineData("203.0.113.7, garbage<script>", "10.0.0.2")]
    [InlineData("198.51.100.1, 0x7f.1, 10.9.9.9", "10.9.9.9")]
    [InlineData("198.51.100.1, _hidden, 10.9.9.9", "10.9.9.9")]
    [InlineData("\"[2001:db8::7]:443\"", "10.0.0.2")]
    [InlineData("127.1", "10.0.0.2")]
    [InlineData("203.0.113.7 10.9.9.9", "10.0.0.2")]
    public void Resolve_MalformedHop_ClientIsLastVouchedForAddress(string xff, string client)
    {
        Assert.Equal(client, Resolve(xff).Address.ToString());
    }

    [Theory]
    [InlineData("203.0.113.7")]
    [InlineData("10.9.9.9")]
    public void Resolve_FromUntrustedPeer_HeadersIgnored(string xff)
    {
        var resolved = Resolve(xff, "https", peer: "198.51.100.50");

        Assert.Equal("198.51.100.50", resolved.Address.ToString());
        Assert.Equal(40000, resolved.Port);
        Assert.False(resolved.Https);
        Assert.Null(resolved.Proxy);
    }

    [Fact]
    public void Resolve_NoTrustedProxies_HeadersIgnored()
    {
        var resolved = TrustedProxies.None.Resolve(IPAddress.Loopback, 5, "203.0.113.7", "https");

        Assert.Equal(IPAddress.Loopback, resolved.Address);
        Assert.False(resolved.Https);
        Assert.False(resolved.ViaProxy);
    }

    [Fact]
    public void Resolve_MappedIPv4Peer_MatchedAsIPv4()
    {
        var resolved = Trusted.Resolve(IPAddress.Parse("::ffff:10.0.0.2"), 1, "203.0.113.7", null);

        Assert.Equal("203.0.113.7", resolved.Address.ToString());
        Assert.Equal("10.0.0.2", resolved.Proxy!.ToString());
    }

    [Theory]
    [InlineData("203.0.113.7:51234", 51234)]
    [InlineData("203.0.113.7", 40000)]   // no port forwarded: the proxy connection's
    public void Resolve_Port_FromHopWhenGiven(string xff, int port)
    {
        Assert.Equal(port, Resolve(xff).Port);
    }

    [Theory]
    [InlineData("https", true)]
    [InlineData("HTTPS", true)]
    [InlineData(" https ", true)]
    [InlineData("wss", true)]
    [InlineData("http", false)]
    [InlineData("http, https", true)]    // the nearest proxy's word is the last
    [InlineData("https, http", false)]
    [InlineData("https, ", true)]
    [InlineData("ftp", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Resolve_ForwardedProto_HttpsOnlyForASecureScheme(string? proto, bool https)
    {
        Assert.Equal(https, Resolve("203.0.113.7", proto).Https);
    }

    [Fact]
    public void Resolve_LongForgedList_StopsAtTheClient()
    {
        // Whatever a client writes to the left of its own address is never looked at.
        string forged = string.Join(", ", Enumerable.Repeat("10.1.1.1", 2000));
        var resolved = Resolve(forged + ", 203.0.113.7, 10.9.9.9");

        Assert.Equal("203.0.113.7", resolved.Address.ToString());
    }

    [Theory]
    [InlineData("10.0.0.0/8,banana")]
    [InlineData("10.0.0.1/8")]
    [InlineData("10.0.0.0/40")]
    public void Parse_BadEntry_FormatExceptionNamingIt(string list)
    {
        var e = Assert.Throws<FormatException>(() => TrustedProxies.Parse([list]));
        Assert.Contains(list.Split(',').Last(), e.Message);
    }

    [Theory]
    // X-Forwarded-Host fields (joined) → the host believed (null: the request's own Host stands)
    [InlineData("www.example.org", "www.example.org")]
    [InlineData("www.example.org:8443", "www.example.org:8443")]
    [InlineData("[2001:db8::1]:8443", "[2001:db8::1]:8443")]
    [InlineData("evil.example, www.example.org", "www.example.org")]      // Apache appends: the right-most is its own
    [InlineData("www.example.org, ", "www.example.org")]
    [InlineData("www.example.org/path", null)]
    [InlineData("user@www.example.org", null)]
    [InlineData("a b", null)]
    [InlineData("www.example.org:port", null)]
    [InlineData("b\u00fccher.example", null)]                                // obs-text: browsers send punycode
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Resolve_ForwardedHost_RightMostValidHost(string? forwardedHost, string? host)
    {
        var resolved = Trusted.Resolve(IPAddress.Parse("10.0.0.2"), 40000, "203.0.113.7", null, forwardedHost);

        Assert.Equal(host, resolved.Host);
    }

    [Fact]
    public void Resolve_ForwardedHostFromUntrustedPeer_Ignored()
    {
        var resolved = Trusted.Resolve(IPAddress.Parse("203.0.113.9"), 40000, null, null, "www.example.org");

        Assert.Null(resolved.Host);
    }
}
