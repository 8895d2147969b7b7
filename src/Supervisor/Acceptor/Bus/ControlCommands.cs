using System.Text;
using System.Text.Json;

namespace Supervisor.Acceptor.Bus;

/// <summary>
/// The control socket's line protocol, one request line → one answer line:
/// <code>
/// broadcast TEXT                     ok N          (N = connections reached)
/// send user|conn|path TARGET TEXT    ok N          (send conn to an unknown id: error; a path starts with '/')
/// count                              ok {"connections":N,"users":U,"paths":{"/chat":N}}
/// list                               ok [{"id":…,"user":…,"path":…,"remote":…,"worker":…,"app":…,"since":…}]
/// help                               ok commands: …
/// </code>
/// Anything else is "error …" on one line. TEXT is the rest of the line after one space,
/// sent as is (empty after the space is an empty message, no space at all is an error), and
/// no longer than --max-message (<paramref name="maxMessageBytes"/>) once invalid UTF-8 is
/// replaced, the FIFO's limit too: the request line may be a little longer, for the
/// command and the target.
/// </summary>
public sealed class ControlCommands(WorkerRegistry registry, Broadcaster broadcaster, int maxMessageBytes)
{
    public const string Help = "ok commands: broadcast TEXT | send user|conn|path TARGET TEXT | count | list | help";

    public string Execute(ReadOnlySpan<byte> line)
    {
        // " help" is help: a stray space before the command is no reason to refuse it.
        var verb = NextWord(line.TrimStart((byte)' '), out var rest, out bool more);
        string name = Encoding.ASCII.GetString(verb);
        switch (name)
        {
            case "broadcast":
                if (!more)
                    return "error broadcast needs TEXT: broadcast TEXT";
                return Push(rest, static _ => true);
            case "send":
                return Send(rest);
            case "count" or "list" or "help" when more:
                return $"error {name} takes nothing after it";
            case "count":
                return "ok " + CountJson();
            case "list":
                return "ok " + ListJson();
            case "help":
                return Help;
            case "":
                return "error empty request (try: help)";
            default:
                return $"error unknown command '{Printable(verb)}' (try: help)";
        }
    }

    private string Send(ReadOnlySpan<byte> request)
    {
        var kind = NextWord(request, out var afterKind, out _);
        var targetBytes = NextWord(afterKind, out var text, out bool hasText);
        string target = Encoding.UTF8.GetString(targetBytes);
        if (target.Length == 0)
            return "error send needs a target: send user|conn|path TARGET TEXT";
        // "send conn ID" would otherwise send an empty message; "send conn ID " still does.
        if (!hasText)
            return "error send needs TEXT: send user|conn|path TARGET TEXT";
        switch (Encoding.ASCII.GetString(kind))
        {
            case "user":
                return Push(text, w => w.UserId == target);
            case "path":
                // A connection's path is its app's SCRIPT_NAME, always absolute: "room"
                // could only ever reach nobody.
                if (!target.StartsWith('/'))
                    return $"error a path starts with '/', got '{Printable(targetBytes)}'";
                return Push(text, w => w.Path == target);
            case "conn":
                if (!registry.All.Any(w => w.ConnectionId == target))
                    return $"error no connection {target}";
                return Push(text, w => w.ConnectionId == target);
            default:
                return $"error send to what? expected user, conn or path, got '{Printable(kind)}'";
        }
    }

    /// <summary>The limit holds for the message as sent: invalid UTF-8 grows threefold
    /// when replaced (600 bytes of 0xFF are 1,800 of U+FFFD).</summary>
    private string Push(ReadOnlySpan<byte> utf8, Func<WorkerEntry, bool> addressed)
    {
        var text = new PushedText(utf8);
        if (text.Length > maxMessageBytes)
            return $"error message of {text.Length} bytes{(text.Repaired ? " (invalid UTF-8 replaced)" : "")} is over --max-message ({maxMessageBytes} bytes)";
        return $"ok {broadcaster.Send(text, addressed)}";
    }

    private string CountJson()
    {
        var workers = registry.All.ToList();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("connections", workers.Count);
            json.WriteNumber("users", workers.Where(w => w.UserId is not null).Select(w => w.UserId).Distinct().Count());
            json.WriteStartObject("paths");
            foreach (var group in workers.GroupBy(w => w.Path).OrderBy(g => g.Key, StringComparer.Ordinal))
                json.WriteNumber(group.Key, group.Count());
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private string ListJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var w in registry.All.OrderBy(w => w.StartedAt))
            {
                json.WriteStartObject();
                json.WriteString("id", w.ConnectionId);
                if (w.UserId is null)
                    json.WriteNull("user");
                else
                    json.WriteString("user", w.UserId);
                json.WriteString("path", w.Path);
                json.WriteString("remote", w.RemoteAddress);
                json.WriteNumber("worker", w.Pid);
                json.WriteNumber("app", w.AppPid);
                json.WriteString("since", w.StartedAt.ToString("O"));
                json.WriteNumber("dropped", w.Outbox.Dropped);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The word up to the first space; <paramref name="rest"/> is everything after
    /// that one space, and <paramref name="spaced"/> says whether there was one ("broadcast"
    /// has no TEXT, "broadcast " an empty one).</summary>
    private static ReadOnlySpan<byte> NextWord(ReadOnlySpan<byte> text, out ReadOnlySpan<byte> rest, out bool spaced)
    {
        int space = text.IndexOf((byte)' ');
        spaced = space >= 0;
        rest = space < 0 ? ReadOnlySpan<byte>.Empty : text[(space + 1)..];
        return space < 0 ? text : text[..space];
    }

    private static string Printable(ReadOnlySpan<byte> word)
    {
        string text = Encoding.UTF8.GetString(word[..Math.Min(word.Length, 40)]);
        return new string(text.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }
}
