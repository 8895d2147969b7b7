using System.Text;
using System.Text.Json;

namespace Supervisor.Acceptor.Bus;

/// <summary>
/// The control socket's line protocol, one request line → one answer line:
/// <code>
/// broadcast TEXT                     ok N          (N = connections reached)
/// send user|conn|path TARGET TEXT    ok N          (send conn to an unknown id: error)
/// count                              ok {"connections":N,"users":U,"paths":{"/chat":N}}
/// list                               ok [{"id":…,"user":…,"path":…,"remote":…,"worker":…,"app":…,"since":…}]
/// help                               ok commands: …
/// </code>
/// Anything else is "error …" on one line. TEXT is the rest of the line, sent as is, and
/// no longer than --max-message (<paramref name="maxMessageBytes"/>), the FIFO's limit too:
/// the request line may be a little longer, for the command and the target.
/// </summary>
public sealed class ControlCommands(WorkerRegistry registry, Broadcaster broadcaster, int maxMessageBytes)
{
    public const string Help = "ok commands: broadcast TEXT | send user|conn|path TARGET TEXT | count | list | help";

    public string Execute(ReadOnlySpan<byte> line)
    {
        var verb = NextWord(line, out var rest);
        switch (Encoding.ASCII.GetString(verb))
        {
            case "broadcast":
                return TooLong(rest) ?? $"ok {broadcaster.SendToAll(rest)}";
            case "send":
                return Send(rest);
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
        var kind = NextWord(request, out var afterKind);
        var targetBytes = NextWord(afterKind, out var text);
        string target = Encoding.UTF8.GetString(targetBytes);
        if (target.Length == 0)
            return "error send needs a target: send user|conn|path TARGET TEXT";
        if (TooLong(text) is { } tooLong)
            return tooLong;
        switch (Encoding.ASCII.GetString(kind))
        {
            case "user":
                return $"ok {broadcaster.Send(text, w => w.UserId == target)}";
            case "path":
                return $"ok {broadcaster.Send(text, w => w.Path == target)}";
            case "conn":
                if (!registry.All.Any(w => w.ConnectionId == target))
                    return $"error no connection {target}";
                return $"ok {broadcaster.Send(text, w => w.ConnectionId == target)}";
            default:
                return $"error send to what? expected user, conn or path, got '{Printable(kind)}'";
        }
    }

    private string? TooLong(ReadOnlySpan<byte> text) =>
        text.Length > maxMessageBytes ? $"error message of {text.Length} bytes is over --max-message ({maxMessageBytes} bytes)" : null;

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
    /// that one space.</summary>
    private static ReadOnlySpan<byte> NextWord(ReadOnlySpan<byte> text, out ReadOnlySpan<byte> rest)
    {
        int space = text.IndexOf((byte)' ');
        rest = space < 0 ? ReadOnlySpan<byte>.Empty : text[(space + 1)..];
        return space < 0 ? text : text[..space];
    }

    private static string Printable(ReadOnlySpan<byte> word)
    {
        string text = Encoding.UTF8.GetString(word[..Math.Min(word.Length, 40)]);
        return new string(text.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }
}
