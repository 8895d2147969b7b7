namespace Supervisor.Conformance.Fuzzing;

/// <summary>
/// One case, named by its Autobahn number ("5.15") with Autobahn's description; the
/// script drives a <see cref="CaseRun"/> and states its expectations on it.
/// </summary>
public sealed record ConformanceCase(string Id, string Description, Func<CaseRun, Task> Script)
{
    /// <summary>The Sec-WebSocket-Extensions offer to make (null: none).</summary>
    public string? Offer { get; init; }

    /// <summary>Runs against the bulk URL (groups 9, 12, 13: many or large messages).</summary>
    public bool Bulk { get; init; }

    /// <summary>The whole case is dropped if still running after this (× time scale).</summary>
    public double TimeoutSeconds { get; init; } = 10;

    /// <summary>Groups 12 and 13 run their messages through the BCL client engine with
    /// permessage-deflate instead of hand-built frames.</summary>
    public Func<EngineRun, Task>? EngineScript { get; init; }

    public string Group => Id[..Id.IndexOf('.')];

    /// <summary>"6.10.3" sorts after "6.9.1".</summary>
    public int[] SortKey => Id.Split('.').Select(int.Parse).ToArray();
}
