using System.Text;
using Supervisor.Conformance.Fuzzing;

namespace Supervisor.Conformance;

/// <summary>The summary table (one row per Autobahn group, one column per outcome) and a
/// line for every case that is not OK, saying why.</summary>
public static class Report
{
    private static readonly Outcome[] Columns = [Outcome.Ok, Outcome.NonStrict, Outcome.Informational, Outcome.Unimplemented, Outcome.Failed];

    public static string Format(IReadOnlyList<CaseResult> results, TimeSpan elapsed)
    {
        var text = new StringBuilder();
        string header = $"{"Group",-50} {"Cases",5}" + string.Concat(Columns.Select(c => $" {Outcomes.Name(c),13}"));
        text.AppendLine(header).AppendLine(new string('-', header.Length));
        foreach (var group in results.GroupBy(r => r.Case.Group))
        {
            string name = $"{group.Key} {Suite.GroupNames.GetValueOrDefault(group.Key, "")}";
            text.Append($"{name,-50} {group.Count(),5}");
            foreach (var column in Columns)
                text.Append($" {group.Count(r => r.Outcome == column),13}");
            text.AppendLine();
        }
        text.AppendLine(new string('-', header.Length));
        text.Append($"{"Total",-50} {results.Count,5}");
        foreach (var column in Columns)
            text.Append($" {results.Count(r => r.Outcome == column),13}");
        text.AppendLine().AppendLine($"({elapsed.TotalSeconds:0} s)");

        var notOk = results.Where(r => r.Outcome != Outcome.Ok).ToList();
        if (notOk.Count > 0)
        {
            text.AppendLine().AppendLine("Cases not OK:");
            foreach (var r in notOk)
                text.AppendLine($"  {r.Case.Id,-8} {Outcomes.Name(r.Outcome),-13} {r.Detail}");
        }
        return text.ToString();
    }

    /// <summary>One line per case, for a log.</summary>
    public static string Line(CaseResult r) =>
        $"{r.Case.Id,-8} {Outcomes.Name(r.Outcome),-13} {r.Duration.TotalMilliseconds,7:0} ms  {(r.Outcome == Outcome.Ok ? "" : r.Detail)}";
}
