using Supervisor.Protocol.Cgi;

namespace Supervisor.Protocol.Tests;

public class ServerAddressTests
{
    [Theory]
    // Host, HTTPS → SERVER_NAME, SERVER_PORT (websocketd: the Host's port, else the scheme's default)
    [InlineData("example.org:1234", false, "example.org", 1234)]
    [InlineData("example.org", false, "example.org", 80)]
    [InlineData("example.org", true, "example.org", 443)]
    [InlineData("example.org:80", true, "example.org", 80)]
    [InlineData("example.org:", false, "example.org", 80)]           // an empty port is the default one
    [InlineData("example.org:99999", true, "example.org", 443)]     // no such port
    [InlineData("example.org:0", false, "example.org", 80)]
    [InlineData("example.org:000000000000000000001", false, "example.org", 80)]
    [InlineData("[2001:db8::1]:8443", false, "[2001:db8::1]", 8443)]
    [InlineData("[2001:db8::1]", true, "[2001:db8::1]", 443)]
    [InlineData("127.0.0.1:8080", false, "127.0.0.1", 8080)]
    public void FromHost_NameAndPort(string host, bool https, string name, int port)
    {
        Assert.Equal((name, port), ServerAddress.FromHost(host, https));
    }
}
