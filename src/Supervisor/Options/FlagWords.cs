namespace Supervisor.Options;

/// <summary>
/// The flag grammar the server, its sub-commands and <c>config</c> share: <c>--name=value</c>,
/// or <c>--name value</c> where the value is the next word unless that word is itself an
/// option. Each parser keeps its own rules for where options may stand and which take a value.
/// </summary>
public static class FlagWords
{
    /// <summary>A flag's words after its dashes: the name, and the value after '=' (null
    /// without one; "" for "--name=").</summary>
    public static (string Name, string? Value) Split(string afterDashes)
    {
        int equals = afterDashes.IndexOf('=');
        return equals < 0 ? (afterDashes, null) : (afterDashes[..equals], afterDashes[(equals + 1)..]);
    }

    /// <summary>Whether the word after <c>args[i]</c> is its value: "--run-dir --fifo=x"
    /// forgot the run dir's value, and taking "--fifo=x" for a folder's name would make a
    /// folder of that name.</summary>
    public static bool NextIsValue(IReadOnlyList<string> args, int i) =>
        i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
}
