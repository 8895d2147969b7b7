namespace Supervisor.Protocol.Cgi;

/// <summary>
/// What execve(2) takes. Linux refuses with E2BIG any one argument or environment string
/// longer than MAX_ARG_STRLEN, 32 pages = 131072 bytes counting its NUL (fs/exec.c,
/// copy_strings and valid_arg_len), whatever the total limit. A request header raised
/// past that with --max-head would reach the app as HTTP_NAME=value and make its start
/// fail after the 101; checked at the handshake instead, it is a 431 naming the field.
/// </summary>
public static class EnvironmentLimits
{
    /// <summary>MAX_ARG_STRLEN on Linux with 4 KiB pages: "NAME=value" and its NUL.</summary>
    public const int MaxStringBytes = 32 * 4096;

    /// <summary>The first variable whose "NAME=value\0" would be over <see cref="MaxStringBytes"/>,
    /// with that length, or null. Values are Latin-1 (<see cref="EnvironmentEncoding"/>): one
    /// byte per char.</summary>
    public static (string Name, int Bytes)? FirstTooLong(IEnumerable<KeyValuePair<string, string>> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        foreach (var (name, value) in variables)
        {
            long bytes = (long)name.Length + 1 + value.Length + 1;
            if (bytes > MaxStringBytes)
                return (name, (int)Math.Min(bytes, int.MaxValue));
        }
        return null;
    }
}
