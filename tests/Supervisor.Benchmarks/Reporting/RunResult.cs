namespace Supervisor.Benchmarks.Reporting;

/// <summary>What one run of one metric measured on one server, by key ("p50", "rate"…);
/// or, with <see cref="Failure"/> set, why it has no figures ("stalled" is an expected
/// outcome for websocketd, not the harness failing).</summary>
public sealed class RunResult
{
    public const string Stalled = "stalled";

    public Dictionary<string, double> Values { get; } = [];

    public string? Failure { get; set; }

    /// <summary>Something worth a line under the table without voiding the figures
    /// (a few failed connections, a run cut short by its time bound).</summary>
    public List<string> Notes { get; } = [];

    public static RunResult Failed(string why) => new() { Failure = why };
}

/// <summary>Every run of one metric, per server (websocketd's list is empty for ours-only metrics).</summary>
public sealed record MetricRuns(IReadOnlyList<RunResult> Ours, IReadOnlyList<RunResult> Theirs);
