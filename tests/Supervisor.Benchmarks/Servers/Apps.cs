using System.Diagnostics;

namespace Supervisor.Benchmarks.Servers;

/// <summary>
/// The apps both servers run, in a temporary directory of this run: apps/echo.sh (issue 8's
/// bash echo, the app websocketd's reference figures were measured with) copied and made
/// executable, apps/echo.c compiled with <c>cc -O2</c> for the throughput metric, and
/// apps/ws-echo.c for the socket-mode memory metric.
/// </summary>
public sealed class Apps : IDisposable
{
    private readonly string _source = Path.Combine(AppContext.BaseDirectory, "apps");

    public Apps()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("ws-bench-").FullName;
    }

    public string Directory { get; }

    public string EchoSh()
    {
        string target = Path.Combine(Directory, "echo.sh");
        File.Copy(Path.Combine(_source, "echo.sh"), target, overwrite: true);
        File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return target;
    }

    /// <summary>apps/echo.c: the line echo for the throughput metric. Throws
    /// <see cref="InvalidOperationException"/> with one line if there is no C compiler or
    /// the build fails.</summary>
    public string EchoC() => Compile("echo.c", "echo-c", "the throughput metric");

    /// <summary>apps/ws-echo.c: a WebSocket echo that owns its socket, for socket mode.</summary>
    public string WsEchoC() => Compile("ws-echo.c", "ws-echo-c", "the socket metric");

    private string Compile(string source, string name, string usedBy)
    {
        string compiler = FindOnPath("cc") ?? FindOnPath("gcc") ?? FindOnPath("clang")
            ?? throw new InvalidOperationException($"no C compiler (cc, gcc or clang) on PATH: {usedBy} builds apps/{source} with one; install gcc, or leave it out of --only");
        string target = Path.Combine(Directory, name);
        var info = new ProcessStartInfo(compiler) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[] { "-O2", "-o", target, Path.Combine(_source, source) })
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot run {compiler}");
        string errors = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)) || process.ExitCode != 0)
            throw new InvalidOperationException($"{compiler} -O2 apps/{source} failed: {errors.ReplaceLineEndings(" ").Trim()}");
        return target;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp dir is not worth failing a finished run over.
        }
    }
}
