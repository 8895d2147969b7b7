using System.Globalization;
using Supervisor.Conformance;
using Supervisor.Conformance.Fuzzing;
using Supervisor.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Supervisor.IntegrationTests;

/// <summary>
/// The Autobahn-style conformance suite (tests/Supervisor.Conformance, docs/conformance.md)
/// against the installed binary in exact mode, one test per group: nothing may be
/// FAILED. Groups 1–7 and 10 run against the bash echo (worker-scripts/exact-echo.sh);
/// groups 9, 12 and 13 — thousands of messages, up to 16 MiB — against the Python one
/// (exact-echo.py), since bash forks `head` for every message. The table so far is
/// rewritten to artifacts/test-logs/conformance-summary.txt after each group.
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class ConformanceTests(ITestOutputHelper output)
{
    /// <summary>Autobahn's time bounds × this (WS_CONFORMANCE_TIME_SCALE, default 2): a
    /// connection here costs two process starts, on a machine shared with other work.</summary>
    private static readonly double TimeScale =
        double.TryParse(Environment.GetEnvironmentVariable("WS_CONFORMANCE_TIME_SCALE"), NumberStyles.Float, CultureInfo.InvariantCulture, out double scale)
            ? scale : 2;

    private static readonly List<CaseResult> AllResults = [];

    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    [InlineData("3")]
    [InlineData("4")]
    [InlineData("5")]
    [InlineData("6")]
    [InlineData("7")]
    [InlineData("9")]
    [InlineData("10")]
    [InlineData("12")]
    [InlineData("13")]
    public async Task Conformance_AutobahnGroup_NothingFailed(string group)
    {
        var cases = Suite.Select(group);
        Assert.NotEmpty(cases);
        using var server = SupervisorProcess.Start("--dir=worker-scripts", "--max-message=16M", "--ping-interval=0");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var runner = new Runner(server.Url("/exact-echo.sh"), server.Url("/exact-echo.py"), TimeScale,
            r => output.WriteLine(Report.Line(r)));

        var results = await runner.RunAsync(cases, CancellationToken.None);

        string table = Report.Format(results, clock.Elapsed);
        output.WriteLine(table);
        WriteSummary(results);
        var failed = results.Where(r => r.Outcome == Outcome.Failed).Select(r => $"{r.Case.Id}: {r.Detail}").ToList();
        Assert.True(failed.Count == 0, $"FAILED cases:\n{string.Join('\n', failed)}\n\n{table}");
    }

    private static void WriteSummary(IReadOnlyList<CaseResult> results)
    {
        lock (AllResults)
        {
            AllResults.RemoveAll(r => results.Any(n => n.Case.Id == r.Case.Id));
            AllResults.AddRange(results);
            var ordered = AllResults.OrderBy(r => r.Case.SortKey, Comparer<int[]>.Create(CompareKeys)).ToList();
            string directory = Path.Combine(Paths.RepoRoot, "artifacts", "test-logs");
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, "conformance-summary.txt"),
                Report.Format(ordered, TimeSpan.FromTicks(ordered.Sum(r => r.Duration.Ticks))));
        }
    }

    private static int CompareKeys(int[]? x, int[]? y)
    {
        for (int i = 0; i < Math.Min(x!.Length, y!.Length); i++)
        {
            if (x[i] != y[i])
                return x[i].CompareTo(y[i]);
        }
        return x.Length.CompareTo(y.Length);
    }
}
