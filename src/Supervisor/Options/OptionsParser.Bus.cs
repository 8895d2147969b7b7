using Supervisor.Unix;

namespace Supervisor.Options;

/// <summary>The bus flags: where the FIFO and the control socket go, and who may use them.
/// Their paths are checked here, before anything is made: a control socket path over
/// sun_path's 107 bytes would otherwise fail after the FIFO was already created.</summary>
public static partial class OptionsParser
{
    private static BusOptions ParseBus(Dictionary<string, List<string>> values)
    {
        string? runDirText = Single(values, "run-dir");
        string runDir = runDirText is null ? RunPaths.DefaultDirectory() : Path.GetFullPath(runDirText);
        if (runDirText is not null && Path.Exists(runDir) && !Directory.Exists(runDir))
            throw new UsageException($"--run-dir={runDirText}: not a directory");

        string? fifo = BusPath(values, "fifo", runDir, RunPaths.FifoName);
        string? control = BusPath(values, "control", runDir, RunPaths.ControlName);

        string modeText = Single(values, "bus-mode") ?? "0660";
        uint mode = ParseOctalMode(modeText)
            ?? throw new UsageException($"--bus-mode={modeText}: expected an octal mode such as 0660");
        if (mode > 0x1FF)
            throw new UsageException($"--bus-mode={modeText}: expected permission bits only (at most 0777)");
        HardeningOptionsParser.CheckBusMode(modeText, mode);
        string? group = Single(values, "bus-group");
        if (group is not null && FileOwnership.GroupId(group) is null)
            throw new UsageException($"--bus-group={group}: no such group");
        return new BusOptions(fifo, control, mode, group) { RunDirectory = runDir };
    }

    /// <summary>The absolute path of the FIFO or the control socket, or null when turned off.
    /// Only the run directory is made when missing: a folder named by --fifo or --control
    /// must exist, so a typo never makes a tree of folders (as root, anywhere).</summary>
    private static string? BusPath(Dictionary<string, List<string>> values, string flag, string runDir, string defaultName)
    {
        string? text = Single(values, flag);
        if (text is "off" or "none")
            return null;
        string path = text is null ? Path.Combine(runDir, defaultName) : Path.GetFullPath(text);
        string givenBy = text is null ? "--run-dir" : $"--{flag}";
        RunPaths.CheckLength(path, givenBy);
        if (flag == "control")
            RunPaths.CheckSocketPath(path, givenBy);
        string folder = Path.GetDirectoryName(path)!;
        if (text is null || folder == runDir || Directory.Exists(folder))
            return path;
        throw new UsageException(Path.Exists(folder)
            ? $"--{flag}={text}: {folder} is not a directory"
            : $"--{flag}={text}: no folder {folder}; only the run directory (--run-dir) is made when missing, so make this one first");
    }

    /// <summary>Octal digits only: Convert.ToUInt32(text, 8) throws an ArgumentException
    /// for "" and "-1", and reads "0x1" as hex.</summary>
    private static uint? ParseOctalMode(string text)
    {
        if (text.Length is 0 or > 6)
            return null;
        uint mode = 0;
        foreach (char c in text)
        {
            if (c is < '0' or > '7')
                return null;
            mode = mode * 8 + (uint)(c - '0');
        }
        return mode;
    }
}
