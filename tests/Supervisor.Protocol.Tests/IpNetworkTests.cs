using System.Net;
using Supervisor.Protocol.Proxy;

namespace Supervisor.Protocol.Tests;

public class IpNetworkTests
{
    private static IpNetwork Parse(string text)
    {
        Assert.True(IpNetwork.TryParse(text, out var network, out string error), error);
        return network;
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.255.1.2", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("192.168.16.0/20", "192.168.31.255", true)]   // /20 ends inside the third byte
    [InlineData("192.168.16.0/20", "192.168.32.0", false)]
    [InlineData("127.0.0.1", "127.0.0.1", true)]              // a bare address is a /32
    [InlineData("127.0.0.1", "127.0.0.2", false)]
    [InlineData("0.0.0.0/0", "203.0.113.9", true)]
    [InlineData("0.0.0.0/0", "2001:db8::1", false)]           // families never match
    [InlineData("2001:db8::/32", "2001:db8:ffff::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    [InlineData("::1", "::1", true)]
    [InlineData("[::1]", "::1", true)]                        // brackets as in URLs
    [InlineData("10.0.0.0/8", "::ffff:10.1.2.3", true)]       // what a dual-stack socket reports
    [InlineData("::ffff:10.0.0.0/104", "10.1.2.3", true)]     // an IPv4 block written as IPv6
    public void Contains_AddressInOrOutOfBlock(string block, string address, bool expected)
    {
        Assert.Equal(expected, Parse(block).Contains(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("10.0.0.1/8")]         // host bits set: a typo in the length, most likely
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("10.0.0.0/ 8")]
    [InlineData("2001:db8::/129")]
    [InlineData("10.0.0")]
    [InlineData("127.1")]              // inet_aton shorthand
    [InlineData("0x7f.0.0.1")]
    [InlineData("010.0.0.1")]          // octal to inet_aton, decimal to humans
    [InlineData("fe80::1%eth0")]       // zones mean nothing off the host
    [InlineData("localhost")]
    [InlineData("")]
    public void TryParse_NotABlock_RefusedWithAReason(string text)
    {
        Assert.False(IpNetwork.TryParse(text, out _, out string error));
        Assert.Contains(text.Trim(), error);
    }

    [Fact]
    public void TryParse_HostBitsSet_SuggestsTheBlock()
    {
        IpNetwork.TryParse("10.0.0.1/8", out _, out string error);

        Assert.Contains("10.0.0.0/8", error);
    }
}
