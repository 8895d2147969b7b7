using Supervisor.Handoff;

namespace Supervisor.Options;

public static partial class OptionsParser
{
    private static ModeOptions ParseModes(Dictionary<string, List<string>> values)
    {
        var mode = AppMode.Line;
        if (Single(values, "mode") is { } name)
        {
            mode = AppModes.Parse(name)
                ?? throw new UsageException($"--mode={name}: expected one of {string.Join(", ", AppModes.AllNames)}");
        }
        // websocketd's --binary is --mode=binary; with another --mode it is a contradiction.
        if (ParseBool(values, "binary"))
        {
            if (mode is not (AppMode.Line or AppMode.Binary) || values.ContainsKey("mode") && mode != AppMode.Binary)
                throw new UsageException($"--binary contradicts --mode={AppModes.Name(mode)}");
            mode = AppMode.Binary;
        }
        return new ModeOptions(
            mode,
            ParseInt(values, "cgi-concurrency", 1, 1, 256),
            ParseInt(values, "cgi-timeout", 30, 1, 86_400),
            Compression: !ParseBool(values, "no-compression"));
    }
}
