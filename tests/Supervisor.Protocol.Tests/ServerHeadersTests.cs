using System.Text;
using Supervisor.Protocol.Handshake;
using Supervisor.Protocol.Static;

namespace Supervisor.Protocol.Tests;

/// <summary>The list --header is checked against must hold every field the server writes,
/// or an operator's extra header could repeat one of them on the wire.</summary>
public class ServerHeadersTests
{
    public static TheoryData<string> EveryResponseKind()
    {
        var data = new TheoryData<string>
        {
            Head(HttpResponses.SwitchingProtocols("abc=", "chat", "permessage-deflate")),
            Head(StaticResponses.File(200, "text/html", 5, DateTimeOffset.UnixEpoch, "no-cache", null)),
            Head(StaticResponses.NotFound(null)),
            Head(StaticResponses.MovedPermanently("/app/", null)),
        };
        foreach (var reason in Enum.GetValues<RejectionReason>().Where(r => r != RejectionReason.None))
            data.Add(Head(HttpResponses.Rejection(reason, "detail")));
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryResponseKind))]
    public void IsServers_EveryFieldOfEveryResponse_Listed(string head)
    {
        foreach (string line in head.Split("\r\n").Skip(1).Where(l => l.Length > 0))
        {
            string name = line[..line.IndexOf(':')];
            Assert.True(ServerHeaders.IsServers(name), $"{name} is written by the server but not in ServerHeaders");
        }
    }

    [Theory]
    [InlineData("upgrade")]
    [InlineData("CONTENT-LENGTH")]
    [InlineData("Sec-WebSocket-Anything")]
    [InlineData("Transfer-Encoding")]
    public void IsServers_AnyCase_True(string name) => Assert.True(ServerHeaders.IsServers(name));

    [Theory]
    [InlineData("X-Served-By")]
    [InlineData("Set-Cookie")]
    [InlineData("Strict-Transport-Security")]
    public void IsServers_OperatorsOwnFields_False(string name) => Assert.False(ServerHeaders.IsServers(name));

    private static string Head(byte[] response)
    {
        string text = Encoding.ASCII.GetString(response);
        return text[..text.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
    }
}
