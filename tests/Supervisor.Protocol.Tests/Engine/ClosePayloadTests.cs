using System.Net.WebSockets;
using Supervisor.Protocol.Engine;

namespace Supervisor.Protocol.Tests.Engine;

public class ClosePayloadTests
{
    [Fact]
    public void TryRead_Empty_NoStatus()
    {
        Assert.Null(ClosePayload.TryRead([], out var status, out string reason));
        Assert.Equal(WebSocketCloseStatus.Empty, status);
        Assert.Equal("", reason);
    }

    [Fact]
    public void TryRead_CodeAndReason_BothRead()
    {
        Assert.Null(ClosePayload.TryRead([0x03, 0xE8, (byte)'b', (byte)'y', (byte)'e'], out var status, out string reason)); // 1000 "bye"
        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
        Assert.Equal("bye", reason);
    }

    [Fact]
    public void TryRead_OneByte_TooShort()
    {
        Assert.Equal(ProtocolViolation.CloseFrameTooShort, ClosePayload.TryRead([0x03], out _, out _));
    }

    [Fact]
    public void TryRead_ReasonNotUtf8_Violation()
    {
        Assert.Equal(ProtocolViolation.InvalidUtf8CloseReason, ClosePayload.TryRead([0x03, 0xE8, 0xC0, 0xAF], out _, out _));
    }

    [Theory]
    [InlineData(1000, true)]
    [InlineData(1003, true)]
    [InlineData(1007, true)]
    [InlineData(1011, true)]
    [InlineData(1014, true)]
    [InlineData(3000, true)]
    [InlineData(4999, true)]
    [InlineData(0, false)]
    [InlineData(999, false)]
    [InlineData(1004, false)]
    [InlineData(1005, false)]
    [InlineData(1006, false)]
    [InlineData(1015, false)]
    [InlineData(1016, false)]
    [InlineData(2999, false)]
    [InlineData(5000, false)]
    public void IsValidReceived_Code_AsRfc6455AndTheIanaRegistrySay(int code, bool valid)
    {
        Assert.Equal(valid, ClosePayload.IsValidReceived(code));
        byte[] payload = [(byte)(code >> 8), (byte)code];
        Assert.Equal(valid ? null : ProtocolViolation.InvalidCloseCode, ClosePayload.TryRead(payload, out _, out _));
    }
}
