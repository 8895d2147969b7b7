using System.Text;
using Supervisor.Protocol.Messages;

namespace Supervisor.Protocol.Tests;

public class TextRepairTests
{
    [Fact]
    public void RepairedOrNull_ValidUtf8_NullNothingCopied()
    {
        Assert.Null(TextRepair.RepairedOrNull("grüße, 世界"u8));
        Assert.Null(TextRepair.RepairedOrNull([]));
    }

    [Fact]
    public void RepairedOrNull_Latin1Byte_ReplacedWithUFFFD()
    {
        byte[] latin1 = [(byte)'c', (byte)'a', (byte)'f', 0xE9]; // "café" in Latin-1

        byte[]? repaired = TextRepair.RepairedOrNull(latin1);

        Assert.Equal("caf\uFFFD", Encoding.UTF8.GetString(repaired!));
    }
}
