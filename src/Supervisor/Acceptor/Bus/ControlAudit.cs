using System.Text;

namespace Supervisor.Acceptor.Bus;

/// <summary>
/// One control request as the log tells it: the command and its target, never the
/// message text (it may be private; its length is enough to tell requests apart).
/// Requests that push to clients (broadcast, send) are logged at info with the sender's
/// SO_PEERCRED uid and pid; read-only ones (count, list, help) at debug.
/// </summary>
public static class ControlAudit
{
    private const int MaxTargetChars = 64;

    public static (bool Pushes, string Summary) Describe(ReadOnlySpan<byte> line)
    {
        var verb = Word(line, out var rest);
        string name = Printable(verb);
        switch (name)
        {
            case "broadcast":
                return (true, $"broadcast ({rest.Length} bytes)");
            case "send":
                var kind = Word(rest, out var afterKind);
                var target = Word(afterKind, out var text);
                return (true, $"send {Printable(kind)} {Printable(target)} ({text.Length} bytes)");
            default:
                return (false, name.Length == 0 ? "(empty)" : name);
        }
    }

    private static ReadOnlySpan<byte> Word(ReadOnlySpan<byte> text, out ReadOnlySpan<byte> rest)
    {
        int space = text.IndexOf((byte)' ');
        rest = space < 0 ? ReadOnlySpan<byte>.Empty : text[(space + 1)..];
        return space < 0 ? text : text[..space];
    }

    /// <summary>Log-safe: at most 64 chars, control characters as '?', so a request cannot
    /// forge a log line.</summary>
    private static string Printable(ReadOnlySpan<byte> word)
    {
        string text = Encoding.UTF8.GetString(word);
        if (text.Length > MaxTargetChars)
            text = text[..MaxTargetChars] + "…";
        return string.Create(text.Length, text, (span, source) =>
        {
            for (int i = 0; i < source.Length; i++)
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
        });
    }
}
