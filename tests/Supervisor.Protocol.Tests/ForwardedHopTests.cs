using Supervisor.Protocol.Proxy;

namespace Supervisor.Protocol.Tests;

public class ForwardedHopTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7", null)]
    [InlineData("  203.0.113.7\t", "203.0.113.7", null)]
    [InlineData("203.0.113.7:51234", "203.0.113.7", 51234)]
    [InlineData("2001:db8::7", "2001:db8::7", null)]
    [InlineData("2001:DB8:0:0:0:0:0:7", "2001:db8::7", null)]   // written back in canonical form
    [InlineData("[2001:db8::7]", "2001:db8::7", null)]
    [InlineData("[2001:db8::7]:443", "2001:db8::7", 443)]
    [InlineData("::ffff:192.0.2.1", "192.0.2.1", null)]          // mapped IPv4 becomes IPv4
    public void TryParse_AddressForms_Accepted(string text, string address, int? port)
    {
        Assert.True(ForwardedHop.TryParse(text, out var hop));
        Assert.Equal(address, hop.Address.ToString());
        Assert.Equal(port, hop.Port);
    }

    [Theory]
    [InlineData("unknown")]                 // Squid, HAProxy with hidden clients
    [InlineData("_hidden")]                 // RFC 7239 obfuscated identifier
    [InlineData("\"[2001:db8::7]:443\"")]   // RFC 7239 quoting: the Forwarded header's, not ours
    [InlineData("client.example.com")]
    [InlineData("127.1")]                   // inet_aton spellings of 127.0.0.1
    [InlineData("0x7f.0.0.1")]
    [InlineData("2130706433")]
    [InlineData("0177.0.0.1")]
    [InlineData("1.2.3.4.5")]
    [InlineData("256.0.0.1")]
    [InlineData("1.2.3.4:")]
    [InlineData("1.2.3.4:0")]
    [InlineData("1.2.3.4:65536")]
    [InlineData("1.2.3.4:http")]
    [InlineData("1.2.3.4 5.6.7.8")]         // a missing comma
    [InlineData("[192.0.2.1]")]             // brackets are for IPv6
    [InlineData("[2001:db8::7")]
    [InlineData("[2001:db8::7]x")]
    [InlineData("[2001:db8::7]:")]
    [InlineData("fe80::1%25eth0")]
    [InlineData("fe80::1%eth0")]
    [InlineData("::g")]
    [InlineData("")]
    public void TryParse_NotAPlainAddress_Refused(string text)
    {
        Assert.False(ForwardedHop.TryParse(text, out _));
    }
}
