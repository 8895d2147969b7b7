namespace Supervisor.Options;

/// <summary>Where `ws-supervisor` with no app finds the demo: ./worker-scripts when run from
/// a checkout, else the copy install.sh put in PREFIX/share/ws-supervisor/worker-scripts.
/// Its apps are served at /NAME and its page, www/ inside it, at /.</summary>
public static class DemoDirectory
{
    public const string PageFolderName = "www";

    /// <summary>The demo page's folder inside <paramref name="demoDir"/>, if there is one.</summary>
    public static string? PageFolder(string demoDir)
    {
        string page = Path.Combine(demoDir, PageFolderName);
        return Directory.Exists(page) ? page : null;
    }

    public static string? Find()
    {
        if (Directory.Exists("worker-scripts"))
            return "worker-scripts";
        return Environment.ProcessPath is { } self ? InstalledBeside(self) : null;
    }

    /// <summary>The copy install.sh put beside <paramref name="executable"/> (BIN/../share/...),
    /// as an absolute path, or null where there is none.</summary>
    public static string? InstalledBeside(string executable)
    {
        string? bin = Path.GetDirectoryName(Path.GetFullPath(executable));
        if (bin is null)
            return null;
        string installed = Path.GetFullPath(Path.Combine(bin, "..", "share", "ws-supervisor", "worker-scripts"));
        return Directory.Exists(installed) ? installed : null;
    }
}
