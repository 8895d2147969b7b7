using System.Diagnostics;
using Supervisor.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Supervisor.IntegrationTests;

/// <summary>
/// The benchmark (tests/Supervisor.Benchmarks, issue 8) at its smallest setting, so it
/// never rots: it must start both servers, run every metric and print the whole table.
/// Its figures are not judged here (speed lives in the benchmark, not in tests).
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class BenchmarkSmokeTests(ITestOutputHelper output)
{
    private static readonly string[] Rows =
    [
        "connect→first echo p50", "connections/s, 16 at a time", "PSS per idle connection",
        "one worker process, median PSS", "echo RTT p50", "echo messages/s",
        "throughput, 1 KiB", "throughput, 64 KiB", "socket mode: PSS per idle connection", "FIFO broadcast to",
    ];

    [Fact]
    public async Task Quick_BothServersEveryMetric_TablePrintedExitZero()
    {
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0/
        string program = Path.Combine(Paths.RepoRoot, "tests", "Supervisor.Benchmarks", "bin", configuration, "net10.0", "Supervisor.Benchmarks.dll");
        Assert.True(File.Exists(program), $"not built: {program}");

        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { program, "--supervisor", Paths.Binary, "--websocketd", "/usr/bin/websocketd", "--quick", "--markdown" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var bench = Process.Start(start)!;
        var stdout = bench.StandardOutput.ReadToEndAsync();
        var stderr = bench.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await bench.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            bench.Kill(entireProcessTree: true);
            Assert.Fail($"the quick benchmark ran over 5 minutes; its progress:\n{await stderr}");
        }
        string report = await stdout;
        output.WriteLine(report);
        Assert.True(bench.ExitCode == 0, $"exit {bench.ExitCode}; stderr:\n{await stderr}");
        var table = report.Split('\n').Where(line => line.StartsWith("| ", StringComparison.Ordinal)).ToList();
        Assert.All(Rows, row => Assert.Contains(table, line => line.Contains(row, StringComparison.Ordinal)));
        // Column 2 is ours: every metric must have produced a figure (websocketd may stall).
        Assert.All(table, line => Assert.DoesNotContain("failed", line.Split('|')[2], StringComparison.Ordinal));
    }
}
