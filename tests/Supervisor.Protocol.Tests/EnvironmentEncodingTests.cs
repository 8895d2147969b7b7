using System.Text;
using Supervisor.Protocol.Cgi;
using static Supervisor.Protocol.Tests.SampleRequests;

namespace Supervisor.Protocol.Tests;

public class EnvironmentEncodingTests
{
    private static CgiRequest Request(string headText, string? user = null) => new(
        Parse(headText), "/chat", "", "192.0.2.7", 51234, "example.com", 8080, false, "c-1", user, "ws-supervisor/1.0");

    private static byte[] Entry(CgiRequest request, string name)
    {
        var variable = CgiEnvironment.Build(request).Single(v => v.Key == name);
        return EnvironmentEncoding.Cgi(variable.Key, variable.Value);
    }

    [Fact]
    public void Cgi_ObsTextHeaderValue_BytesAsReceived()
    {
        // 0xE9 ("é" in Latin-1), 0xFF, 0x80, then "é" in UTF-8 (0xC3 0xA9): each byte must
        // reach the app unchanged, whatever encoding the client meant.
        var request = Request(Minimal(["X-Name: a\xE9\xFF\x80\xC3\xA9z"]));

        Assert.Equal(Bytes("HTTP_X_NAME=a\xE9\xFF\x80\xC3\xA9z"), Entry(request, "HTTP_X_NAME"));
    }

    [Fact]
    public void Cgi_RemoteUser_Utf8()
    {
        // The auth program's answer is text we were given as UTF-8, not request bytes.
        var request = Request(Minimal(), user: "zoë");

        Assert.Equal(Encoding.UTF8.GetBytes("REMOTE_USER=zoë"), Entry(request, "REMOTE_USER"));
    }

    [Fact]
    public void Utf8_OurOwnValues_Utf8()
    {
        Assert.Equal(Encoding.UTF8.GetBytes("WS_FIFO=/run/wś/global.fifo"), EnvironmentEncoding.Utf8("WS_FIFO", "/run/wś/global.fifo"));
    }
}
