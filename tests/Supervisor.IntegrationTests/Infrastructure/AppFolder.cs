using System.Diagnostics;

namespace Supervisor.IntegrationTests.Infrastructure;

/// <summary>
/// A throwaway --dir: a fresh folder every user may enter (0755, so a server that drops
/// to another user still reaches it), filled with copies of worker-scripts/ apps,
/// scripts written on the spot, symlinks, FIFOs and other things a hostile path might
/// reach. Removed on Dispose.
/// </summary>
public sealed class AppFolder : IDisposable
{
    public AppFolder(string prefix = "ws-supervisor-test-apps-")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
        File.SetUnixFileMode(Path, Mode("755"));
    }

    public string Path { get; }

    public string this[string name] => System.IO.Path.Combine(Path, name);

    /// <summary>Copies worker-scripts/NAME in, keeping it executable.</summary>
    public AppFolder CopyScript(string name, string? as_ = null)
    {
        string target = this[as_ ?? name];
        File.Copy(Paths.Script(name), target);
        File.SetUnixFileMode(target, Mode("755"));
        return this;
    }

    public AppFolder WriteScript(string name, string body, string mode = "755")
    {
        string target = this[name];
        File.WriteAllText(target, "#!/bin/bash\n" + body + "\n");
        File.SetUnixFileMode(target, Mode(mode));
        return this;
    }

    public AppFolder Symlink(string name, string target)
    {
        File.CreateSymbolicLink(this[name], target);
        return this;
    }

    public AppFolder Subfolder(string name)
    {
        Directory.CreateDirectory(this[name]);
        File.SetUnixFileMode(this[name], Mode("755"));
        return this;
    }

    /// <summary>Runs a command (mkfifo, mknod); false if it failed (e.g. no CAP_MKNOD).</summary>
    public bool Run(string command, params string[] args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        process.StandardError.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            process.Kill();
            return false;
        }
        return process.ExitCode == 0;
    }

    public static UnixFileMode Mode(string octal) => (UnixFileMode)Convert.ToInt32(octal, 8);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
