using System.Text;
using System.Text.Json;

namespace Supervisor.Handoff;

/// <summary>
/// A surviving connection asking the server started in its acceptor's place to take it
/// onto the bus: the one control-socket request a worker sends, as the first line on its
/// connection, <c>adopt {"id":…,"user":…,"path":…,"remote":…,"app":…,"since":…}</c> (the
/// fields of a `list` entry). Answered <see cref="Accepted"/>, after which the connection
/// carries <see cref="ControlFrame"/>s as fd 4 did; anything else is a one-line error and
/// the worker tries again later. Only the server's own user may send it (SO_PEERCRED).
/// </summary>
public sealed record AdoptRequest(string ConnectionId, string Path, string RemoteAddress, string? UserId,
    int AppPid, DateTimeOffset StartedAt)
{
    public const string Verb = "adopt";
    public const string Accepted = "ok adopted";

    /// <summary>As at the handshake: an auth program's id is at most 256 characters, and
    /// an address with its port fits in 64.</summary>
    private const int MaxUserChars = 256;
    private const int MaxRemoteChars = 64;
    private const int MaxPathChars = 4096;

    public string ToLine()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", ConnectionId);
            if (UserId is null)
                json.WriteNull("user");
            else
                json.WriteString("user", UserId);
            json.WriteString("path", Path);
            json.WriteString("remote", RemoteAddress);
            json.WriteNumber("app", AppPid);
            json.WriteString("since", StartedAt.ToString("O"));
            json.WriteEndObject();
        }
        return $"{Verb} {Encoding.UTF8.GetString(buffer.ToArray())}\n";
    }

    /// <summary>The request from the JSON after "adopt ", or null with
    /// <paramref name="error"/> saying what is wrong with it.</summary>
    public static AdoptRequest? Parse(ReadOnlySpan<byte> json, out string error)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Fail("not a JSON object", out error);
            if (!json[(int)reader.BytesConsumed..].Trim(" \t\r"u8).IsEmpty)
                return Fail("text after the JSON object", out error);
            if (root.TryGetProperty("user", out var userValue) && userValue.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                return Fail("'user' is not a string", out error);
            if (root.TryGetProperty("app", out var appValue) && !(appValue.ValueKind == JsonValueKind.Number && appValue.TryGetInt32(out int appPid) && appPid >= 0))
                return Fail("'app' is not a process id", out error);
            string id = Text(root, "id");
            string path = Text(root, "path");
            string remote = Text(root, "remote");
            string? user = root.TryGetProperty("user", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
            int app = root.TryGetProperty("app", out var a) && a.TryGetInt32(out int pid) && pid >= 0 ? pid : 0;
            if (!root.TryGetProperty("since", out var s) || !s.TryGetDateTimeOffset(out var since))
                return Fail("'since' is not an ISO 8601 time", out error);
            if (id.Length != 16 || !id.All(char.IsAsciiHexDigitLower))
                return Fail("'id' is not 16 hex digits", out error);
            if (!path.StartsWith('/') || path.Length > MaxPathChars || !IsWord(path))
                return Fail("'path' is not an app's path", out error);
            if (remote.Length is 0 or > MaxRemoteChars || !IsWord(remote))
                return Fail("'remote' is not an address", out error);
            if (user is not null && (user.Length is 0 or > MaxUserChars || !IsWord(user)))
                return Fail("'user' is not a user id", out error);
            error = "";
            return new AdoptRequest(id, path, remote, user, app, since);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return Fail("not the JSON of a connection", out error);
        }
    }

    private static string Text(JsonElement root, string name) => root.GetProperty(name).GetString() ?? "";

    /// <summary>The targets `send` names are one word each: no whitespace, no control characters.</summary>
    private static bool IsWord(string text) => !text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));

    private static AdoptRequest? Fail(string why, out string error)
    {
        error = why;
        return null;
    }
}
