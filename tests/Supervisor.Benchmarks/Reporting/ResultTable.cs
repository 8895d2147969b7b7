using System.Globalization;
using System.Text;

namespace Supervisor.Benchmarks.Reporting;

/// <summary>What a row's "met?" column checks: a ratio to websocketd (ours/theirs), an
/// absolute bound on our figure, or nothing (a figure shown for context).</summary>
public enum Goal
{
    Info,
    RatioAtMost,
    RatioAtLeast,
    OursAtMost,
    OursBelow,
}

/// <summary>One line of the table: which run value it shows (<see cref="Key"/>), in what
/// unit, and the target from issue 8.</summary>
public sealed record RowSpec(string Label, string Key, string Unit, Goal Goal, double Bound = 1.0, string? Target = null)
{
    public string TargetText => Target ?? Goal switch
    {
        Goal.RatioAtMost => $"≤ {Bound.ToString("0.0", CultureInfo.InvariantCulture)}×",
        Goal.RatioAtLeast => $"≥ {Bound.ToString("0.0", CultureInfo.InvariantCulture)}×",
        Goal.OursAtMost => $"≤ {ResultTable.Format(Bound, Unit)}",
        Goal.OursBelow => $"< {ResultTable.Format(Bound, Unit)}",
        _ => "—",
    };
}

public sealed record TableRow(string Metric, string Ours, string Theirs, string Ratio, string Target, string Met);

/// <summary>The report: each row the median over runs of each server, their ratio, the
/// target and whether it is met. Printed aligned for a terminal or as Markdown for README.</summary>
public sealed class ResultTable
{
    private readonly List<TableRow> _rows = [];
    private readonly List<string> _notes = [];

    public IReadOnlyList<string> Notes => _notes;

    public void Add(RowSpec spec, MetricRuns runs)
    {
        var ours = Summarize(runs.Ours, spec);
        var theirs = Summarize(runs.Theirs, spec);
        string ratio = ours.Value is double o && theirs.Value is double t && t != 0
            ? (o / t).ToString("0.00", CultureInfo.InvariantCulture) + "×"
            : "—";
        _rows.Add(new TableRow(spec.Label, ours.Text, theirs.Text, ratio, spec.TargetText, Met(spec, ours, theirs)));
    }

    public void AddNote(string note)
    {
        if (!_notes.Contains(note))
            _notes.Add(note);
    }

    private readonly record struct Cell(double? Value, string Text);

    private static Cell Summarize(IReadOnlyList<RunResult> runs, RowSpec spec)
    {
        if (runs.Count == 0)
            return new Cell(null, "—");
        var failures = runs.Where(r => r.Failure is not null).Select(r => r.Failure!).ToList();
        if (failures.Count > 0)
        {
            string first = failures[0];
            string text = failures.All(f => f == first) && (first == RunResult.Stalled || first.StartsWith("n/a", StringComparison.Ordinal))
                ? first
                : "failed";
            if (failures.Count < runs.Count)
                text += $" ({failures.Count} of {runs.Count} runs)";
            return new Cell(null, text);
        }
        var values = runs.Where(r => r.Values.ContainsKey(spec.Key)).Select(r => r.Values[spec.Key]).ToList();
        if (values.Count == 0)
            return new Cell(null, "—");
        double median = Stats.Median(values);
        return new Cell(median, Format(median, spec.Unit));
    }

    private static string Met(RowSpec spec, Cell ours, Cell theirs)
    {
        if (spec.Goal == Goal.Info || ours.Text.StartsWith("n/a", StringComparison.Ordinal))
            return "—";
        if (ours.Value is not double o)
            return "no";
        switch (spec.Goal)
        {
            case Goal.OursAtMost:
                return YesNo(o <= spec.Bound);
            case Goal.OursBelow:
                return YesNo(o < spec.Bound);
        }
        if (theirs.Value is not double t)
            return theirs.Text.StartsWith(RunResult.Stalled, StringComparison.Ordinal) ? "yes" : "?";
        double ratio = o / t;
        return YesNo(spec.Goal == Goal.RatioAtMost ? ratio <= spec.Bound : ratio >= spec.Bound);
    }

    private static string YesNo(bool met) => met ? "yes" : "no";

    public static string Format(double value, string unit)
    {
        string number = unit switch
        {
            "ms" => value.ToString(value < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture),
            "MB/s" => value.ToString("0.0", CultureInfo.InvariantCulture),
            _ => value.ToString("#,0", CultureInfo.InvariantCulture),
        };
        return $"{number} {unit}";
    }

    private static readonly string[] Headings = ["metric", "ws-supervisor", "websocketd", "ratio (ours/theirs)", "target", "met?"];

    private static string[] Cells(TableRow row) => [row.Metric, row.Ours, row.Theirs, row.Ratio, row.Target, row.Met];

    public string ToText()
    {
        var lines = new List<string[]> { Headings };
        lines.AddRange(_rows.Select(Cells));
        int[] widths = Enumerable.Range(0, Headings.Length).Select(c => lines.Max(l => l[c].Length)).ToArray();
        var text = new StringBuilder();
        for (int i = 0; i < lines.Count; i++)
        {
            // Figures right-aligned so their decimal points line up; names left-aligned.
            var cells = lines[i].Select((cell, c) => c is 0 or 4 or 5 || i == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]));
            text.AppendLine(string.Join("  ", cells).TrimEnd());
            if (i == 0)
                text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        }
        AppendNotes(text);
        return text.ToString();
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| " + string.Join(" | ", Headings) + " |");
        text.AppendLine("|---|---:|---:|---:|---|---|");
        foreach (var row in _rows)
            text.AppendLine("| " + string.Join(" | ", Cells(row).Select(c => c.Replace("|", "\\|"))) + " |");
        AppendNotes(text);
        return text.ToString();
    }

    private void AppendNotes(StringBuilder text)
    {
        if (_notes.Count == 0)
            return;
        text.AppendLine();
        foreach (string note in _notes)
            text.AppendLine($"- {note}");
    }
}
