using System.Diagnostics;

namespace Supervisor.Benchmarks.Servers;

/// <summary>
/// Our flags that depend on the build: one with the message bus opens a FIFO and a control
/// socket at start, by default under /run/ws-supervisor when root — shared with any other
/// instance on the machine. Each instance here gets a run directory of its own under the
/// benchmark's temp dir; a build without --run-dir gets no extra flag, and the broadcast
/// metric then reports n/a.
/// </summary>
public sealed class OurFlags(string binary, string tempDirectory)
{
    private readonly string _help = Help(binary);
    private int _instances;

    public ServerSpec Spec(string app) => new(ServerKind.Supervisor, binary, app, RunDir(out _));

    /// <summary>Throws <see cref="UnsupportedOptionException"/> if this build has no FIFO.</summary>
    public ServerSpec SpecWithFifo(string app, out string fifo)
    {
        if (!_help.Contains("--fifo", StringComparison.Ordinal) || !_help.Contains("--run-dir", StringComparison.Ordinal))
            throw new UnsupportedOptionException("its --help has no --fifo or --run-dir");
        var flags = RunDir(out string? directory);
        fifo = Path.Combine(directory!, "broadcast.fifo");
        return new ServerSpec(ServerKind.Supervisor, binary, app, [.. flags, $"--fifo={fifo}"]);
    }

    private string[] RunDir(out string? directory)
    {
        directory = null;
        if (!_help.Contains("--run-dir", StringComparison.Ordinal))
            return [];
        directory = Path.Combine(tempDirectory, $"run-{Interlocked.Increment(ref _instances)}");
        Directory.CreateDirectory(directory);
        return [$"--run-dir={directory}"];
    }

    private static string Help(string binary)
    {
        var info = new ProcessStartInfo(binary, "--help") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot run {binary} --help");
        string text = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit(TimeSpan.FromSeconds(5));
        return text;
    }
}
