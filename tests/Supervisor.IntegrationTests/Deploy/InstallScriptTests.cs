using System.Diagnostics;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Deploy;

/// <summary>
/// install.sh --systemd and --uninstall, on a throwaway prefix and unit folder, with the
/// binary under test as --binary (no second build). systemctl is never reached here: a
/// unit folder other than /etc/systemd/system is written and left for the user to enable.
/// </summary>
public sealed class InstallScriptTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ws-supervisor-test-install-").FullName;

    private string Prefix => Path.Combine(_dir, "prefix");

    private string Units => Path.Combine(_dir, "units");

    private string Unit => Path.Combine(Units, "ws-supervisor.service");

    [Fact]
    public void Systemd_PrebuiltBinary_WritesTheUnitForTheInstalledPathsAndSaysItIsNotEnabled()
    {
        var (exit, stdout, stderr) = Run("--prefix", Prefix, "--binary", Paths.Binary, "--systemd", "--unit-dir", Units);

        Assert.True(exit == 0, $"install.sh exited {exit}: {stderr}\n{stdout}");
        string bin = Path.Combine(Prefix, "bin", "ws-supervisor");
        string scripts = Path.Combine(Prefix, "share", "ws-supervisor", "worker-scripts");
        Assert.True(File.Exists(bin));
        Assert.True(File.Exists(Path.Combine(scripts, "echo.sh")));

        var unit = File.ReadAllLines(Unit);
        Assert.Contains(unit, l => l.StartsWith("# Made by: ws-supervisor config systemd", StringComparison.Ordinal));
        Assert.Contains("Type=notify", unit);
        string execStart = unit.Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal));
        Assert.StartsWith($"ExecStart={bin} --port=8080 ", execStart);
        Assert.EndsWith($" --dir={scripts}", execStart);
        Assert.Contains($"Installed {Unit}", stdout);
        Assert.Contains($"Not enabled: {Units} is not /etc/systemd/system", stdout);
    }

    [Fact]
    public void Uninstall_RemovesWhatInstallPutThereAndNothingElse()
    {
        Assert.Equal(0, Run("--prefix", Prefix, "--binary", Paths.Binary, "--systemd", "--unit-dir", Units).Exit);
        // Things of the user's, next to ours: none of them may go.
        string otherTool = Path.Combine(Prefix, "bin", "other-tool");
        File.WriteAllText(otherTool, "#!/bin/sh\n");
        string dropIn = Path.Combine(Units, "ws-supervisor.service.d", "override.conf");
        Directory.CreateDirectory(Path.GetDirectoryName(dropIn)!);
        File.WriteAllText(dropIn, "[Service]\nEnvironment=X=1\n");
        string notes = Path.Combine(Prefix, "share", "ws-supervisor", "my-notes.txt");
        File.WriteAllText(notes, "mine");

        var (exit, stdout, stderr) = Run("--uninstall", "--prefix", Prefix, "--unit-dir", Units);

        Assert.True(exit == 0, $"install.sh --uninstall exited {exit}: {stderr}\n{stdout}");
        Assert.False(File.Exists(Path.Combine(Prefix, "bin", "ws-supervisor")));
        Assert.False(Directory.Exists(Path.Combine(Prefix, "share", "ws-supervisor", "worker-scripts")));
        Assert.False(File.Exists(Unit));
        Assert.True(File.Exists(otherTool));
        Assert.True(File.Exists(dropIn));
        Assert.True(File.Exists(notes));
        Assert.Contains($"Removed {Path.Combine(Prefix, "bin", "ws-supervisor")}", stdout);
        Assert.Contains($"Removed {Unit}", stdout);
        Assert.Contains($"Left {Unit}.d/: your drop-ins", stdout);
        Assert.Contains($"Left {Path.Combine(Prefix, "share", "ws-supervisor")}/: it holds files install.sh did not put there", stdout);

        var (again, said, _) = Run("--uninstall", "--prefix", Prefix, "--unit-dir", Units);
        Assert.Equal(0, again);
        Assert.Contains("Nothing to remove", said);
    }

    [Fact]
    public void Systemd_UnitOfSomeoneElseInTheWay_LeftUntouchedAndNothingInstalled()
    {
        Directory.CreateDirectory(Units);
        File.WriteAllText(Unit, "[Service]\nExecStart=/bin/true\n");

        var (exit, _, stderr) = Run("--prefix", Prefix, "--binary", Paths.Binary, "--systemd", "--unit-dir", Units);

        Assert.Equal(1, exit);
        Assert.Contains($"{Unit} exists and was not written by install.sh: left untouched", stderr);
        Assert.Equal("[Service]\nExecStart=/bin/true\n", File.ReadAllText(Unit));
        Assert.False(File.Exists(Path.Combine(Prefix, "bin", "ws-supervisor")));
    }

    [Fact]
    public void Help_DescribesSystemdAndUninstall()
    {
        var (exit, stdout, _) = Run("--help");
        Assert.Equal(0, exit);
        Assert.Contains("--systemd", stdout);
        Assert.Contains("--uninstall", stdout);
        Assert.Contains("systemctl enable --now ws-supervisor", stdout);
    }

    private static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Paths.RepoRoot,
        };
        info.ArgumentList.Add(Path.Combine(Paths.RepoRoot, "install.sh"));
        foreach (string arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"install.sh {string.Join(' ', args)} did not finish within 60 s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
