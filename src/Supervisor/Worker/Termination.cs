using Supervisor.Unix;

namespace Supervisor.Worker;

/// <summary>
/// How an app is stopped once its client has gone, as a table: each row is what to do
/// and how long to wait for the app to exit before the next row. The waits are
/// websocketd's (100 ms, 250 ms, 500 ms), with --closems added to the first, so apps
/// that rely on its timing behave the same here.
/// </summary>
public static class Termination
{
    private sealed record Step(string Name, int Signal, Func<int, int> WaitMs);

    private static readonly Step[] Steps =
    [
        new("stdin EOF", 0, closeMs => 100 + closeMs),
        new("SIGINT", Processes.SIGINT, _ => 250),
        new("SIGTERM", Processes.SIGTERM, _ => 500),
        new("SIGKILL", Processes.SIGKILL, _ => 5000),
    ];

    /// <summary>Walks the table until the app has exited; returns the name of the step
    /// that ended it ("already exited" if it was gone before the first step).</summary>
    public static async Task<string> StopAsync(AppProcess app, int closeMs)
    {
        if (app.Exited.IsCompleted)
            return "already exited";
        foreach (var step in Steps)
        {
            if (step.Signal == 0)
                app.CloseStdin();
            else
                app.Signal(step.Signal);
            if (await app.Exited.FinishesWithin(TimeSpan.FromMilliseconds(step.WaitMs(closeMs))))
                return step.Name;
        }
        return "still running after SIGKILL";
    }

    /// <summary>How often <see cref="StopGroupAsync"/> looks whether the group is empty: it
    /// cannot wait for processes that are not its children.</summary>
    private static readonly TimeSpan GroupPoll = TimeSpan.FromMilliseconds(10);

    private static readonly Task Never = new TaskCompletionSource().Task;

    /// <summary>After the app itself: whatever is left of its process group (a background
    /// child that outlived it, holding its stdout or not) gets the table's signals, so
    /// nothing of a connection outlives it. Returns the step that emptied the group, or null
    /// if nothing of it was left. SIGKILL is not waited for: it cannot be caught.</summary>
    public static async Task<string?> StopGroupAsync(int processGroup, int closeMs)
    {
        if (!ProcessGroup.HasLiveMember(processGroup))
            return null;
        foreach (var step in Steps.Where(s => s.Signal != 0))
        {
            Processes.Signal(-processGroup, step.Signal);
            if (step.Signal == Processes.SIGKILL)
                return step.Name;
            var deadline = Environment.TickCount64 + step.WaitMs(closeMs);
            while (Environment.TickCount64 < deadline)
            {
                await Never.FinishesWithin(GroupPoll); // on the worker loop, one of its own timers
                if (!Processes.Signal(-processGroup, 0))
                    return step.Name;
            }
            if (!ProcessGroup.HasLiveMember(processGroup))
                return step.Name; // only zombies left, waiting for whoever adopted them
        }
        return "SIGKILL";
    }
}
