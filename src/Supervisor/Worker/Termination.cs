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
}
