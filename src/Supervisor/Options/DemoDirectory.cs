namespace Supervisor.Options;

/// <summary>Where `ws-supervisor` with no app finds the demo: ./worker-scripts when run from
/// a checkout, else the copy install.sh put in PREFIX/share/ws-supervisor/worker-scripts.</summary>
public static class DemoDirectory
{
    public static string? Find()
    {
        if (Directory.Exists("worker-scripts"))
            return "worker-scripts";
        string? bin = Path.GetDirectoryName(Environment.ProcessPath);
        if (bin is null)
            return null;
        string installed = Path.GetFullPath(Path.Combine(bin, "..", "share", "ws-supervisor", "worker-scripts"));
        return Directory.Exists(installed) ? installed : null;
    }
}
