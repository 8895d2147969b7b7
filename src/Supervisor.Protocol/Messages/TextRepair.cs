using System.Text;
using System.Text.Unicode;

namespace Supervisor.Protocol.Messages;

/// <summary>
/// A text frame must be valid UTF-8 (RFC 6455 §5.6) or the client fails the connection
/// with 1007. Bytes that are not (an app printing Latin-1, a cron job's stray byte) are
/// sent with each invalid sequence replaced by U+FFFD, whoever writes the frame: the
/// worker for its app's lines, the acceptor for pushed ones.
/// </summary>
public static class TextRepair
{
    /// <summary>Null if <paramref name="bytes"/> is valid UTF-8 already (nothing to copy);
    /// otherwise the repaired text.</summary>
    public static byte[]? RepairedOrNull(ReadOnlySpan<byte> bytes) =>
        Utf8.IsValid(bytes) ? null : Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes));
}
