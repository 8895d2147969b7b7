using System.Text;

namespace Supervisor.Protocol.Cgi;

/// <summary>
/// execve takes bytes, not strings. A variable taken from the request head goes back as
/// the bytes that arrived: the head parser decodes field values as Latin-1, one char per
/// byte (RFC 9110 §5.5: obs-text, 0x80–0xFF, is opaque data), so Latin-1 is its exact
/// inverse — "é" sent as the single byte 0xE9 reaches HTTP_X_NAME as 0xE9, never as UTF-8's
/// 0xC3 0xA9. Whatever the server itself supplies (REMOTE_USER from the auth program,
/// paths, --passenv values) is UTF-8.
/// </summary>
public static class EnvironmentEncoding
{
    /// <summary>"NAME=value" for one of <see cref="CgiEnvironment.Build"/>'s variables.</summary>
    public static byte[] Cgi(string name, string value) =>
        name == "REMOTE_USER" ? Utf8(name, value) : Join(name, Encoding.Latin1.GetBytes(value));

    /// <summary>"NAME=value" with the value in UTF-8.</summary>
    public static byte[] Utf8(string name, string value) => Join(name, Encoding.UTF8.GetBytes(value));

    private static byte[] Join(string name, byte[] value)
    {
        var entry = new byte[name.Length + 1 + value.Length];
        int n = Encoding.ASCII.GetBytes(name, entry);
        entry[n] = (byte)'=';
        value.CopyTo(entry, n + 1);
        return entry;
    }
}
