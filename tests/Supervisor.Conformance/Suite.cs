using Supervisor.Conformance.Cases;
using Supervisor.Conformance.Fuzzing;

namespace Supervisor.Conformance;

/// <summary>Every implemented case, in Autobahn's order, and the group names of its report.</summary>
public static class Suite
{
    public static readonly IReadOnlyDictionary<string, string> GroupNames = new Dictionary<string, string>
    {
        ["1"] = "Framing",
        ["2"] = "Pings/Pongs",
        ["3"] = "Reserved Bits",
        ["4"] = "Opcodes",
        ["5"] = "Fragmentation",
        ["6"] = "UTF-8 Handling",
        ["7"] = "Close Handling",
        ["9"] = "Limits/Performance",
        ["10"] = "Auto-Fragmentation",
        ["12"] = "WebSocket Compression (different payloads)",
        ["13"] = "WebSocket Compression (different parameters)",
    };

    public static IReadOnlyList<ConformanceCase> All() =>
        Group1Framing.All()
            .Concat(Group2PingPong.All())
            .Concat(Group3ReservedBits.All())
            .Concat(Group4Opcodes.All())
            .Concat(Group5Fragmentation.All())
            .Concat(Group6Utf8.All())
            .Concat(Group7Close.All())
            .Concat(Group9Limits.All())
            .Concat(Group10AutoFragmentation.All())
            .Concat(Group12And13Deflate.All())
            .OrderBy(c => c.SortKey, SortKeyComparer.Instance)
            .ToList();

    /// <summary>Cases whose id equals or starts with one of the comma-separated patterns
    /// ("1,2.10,6.4" → group 1, case 2.10, cases 6.4.*); "*" or empty selects all.</summary>
    public static IReadOnlyList<ConformanceCase> Select(string? patterns)
    {
        var all = All();
        if (string.IsNullOrWhiteSpace(patterns) || patterns.Trim() == "*")
            return all;
        var list = patterns.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return all.Where(c => list.Any(p => c.Id == p || c.Id.StartsWith(p.TrimEnd('.', '*') + ".", StringComparison.Ordinal))).ToList();
    }

    private sealed class SortKeyComparer : IComparer<int[]>
    {
        public static readonly SortKeyComparer Instance = new();

        public int Compare(int[]? x, int[]? y)
        {
            for (int i = 0; i < Math.Min(x!.Length, y!.Length); i++)
            {
                if (x[i] != y[i])
                    return x[i].CompareTo(y[i]);
            }
            return x.Length.CompareTo(y.Length);
        }
    }
}
