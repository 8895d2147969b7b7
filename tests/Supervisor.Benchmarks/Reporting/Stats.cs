namespace Supervisor.Benchmarks.Reporting;

public static class Stats
{
    /// <summary>Nearest-rank percentile (the smallest sample with at least p % of the samples
    /// at or below it): always a value that was measured, never an interpolation.</summary>
    public static double Percentile(IReadOnlyList<double> samples, double percent)
    {
        if (samples.Count == 0)
            throw new ArgumentException("no samples", nameof(samples));
        var sorted = samples.Order().ToArray();
        int rank = (int)Math.Ceiling(percent / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    /// <summary>The middle run of an odd count, the mean of the middle two of an even one.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
            throw new ArgumentException("no values", nameof(values));
        var sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
