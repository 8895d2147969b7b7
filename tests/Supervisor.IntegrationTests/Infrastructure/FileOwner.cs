using System.Diagnostics;
using System.Globalization;

namespace Supervisor.IntegrationTests.Infrastructure;

/// <summary>Who owns a file, and the ids a process runs with, as the kernel reports them.</summary>
public static class FileOwner
{
    /// <summary>"uid:gid mode" of a path (not following a final symlink), e.g. "65534:65534 660".</summary>
    public static string Of(string path)
    {
        var info = new ProcessStartInfo("stat") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in new[] { "-c", "%u:%g %a", path })
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit(TimeSpan.FromSeconds(10));
        return output;
    }

    /// <summary>A user's uid and primary gid from /etc/passwd.</summary>
    public static (uint Uid, uint Gid) Account(string name)
    {
        foreach (string line in File.ReadLines("/etc/passwd"))
        {
            string[] fields = line.Split(':');
            if (fields.Length > 3 && fields[0] == name)
                return (uint.Parse(fields[2], CultureInfo.InvariantCulture), uint.Parse(fields[3], CultureInfo.InvariantCulture));
        }
        throw new InvalidOperationException($"no user {name} in /etc/passwd");
    }

    /// <summary>Every thread's "Uid:" and "Gid:" lines (real, effective, saved, filesystem).</summary>
    public static IReadOnlyList<(int Tid, string Uid, string Gid)> ThreadIds(int pid)
    {
        var threads = new List<(int, string, string)>();
        foreach (string dir in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(Path.Combine(dir, "status"));
            }
            catch (IOException)
            {
                continue; // the thread ended while we looked
            }
            threads.Add((int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture),
                lines.First(l => l.StartsWith("Uid:", StringComparison.Ordinal)),
                lines.First(l => l.StartsWith("Gid:", StringComparison.Ordinal))));
        }
        return threads;
    }
}
