using Serilog;
using Supervisor.Unix;

namespace Supervisor.Acceptor;

/// <summary>
/// A thread that waits on one epoll for as long as the acceptor lives and hands every
/// report, (tag, events), to a callback that must return at once. The acceptor's own
/// epolls (control channels, request heads) run on these instead of the runtime's
/// socket engine.
/// </summary>
public static class EpollThread
{
    /// <summary>Reports taken per wait; more wait for the next one.</summary>
    private const int ReportsPerWait = 256;

    public static void Start(Epoll epoll, string name, Action<ulong, uint> onReport, ILogger log) =>
        new Thread(() => Run(epoll, name, onReport, log)) { IsBackground = true, Name = name }.Start();

    private static void Run(Epoll epoll, string name, Action<ulong, uint> onReport, ILogger log)
    {
        var ready = new (ulong Tag, uint Events)[ReportsPerWait];
        while (true)
        {
            int count;
            try
            {
                count = epoll.Wait(ready, -1);
            }
            catch (UnixException e)
            {
                // Not expected of a valid epoll fd; pausing keeps a persistent failure from spinning.
                log.Error("{Thread}: {Error}", name, e.Message);
                Thread.Sleep(100);
                continue;
            }
            for (int i = 0; i < count; i++)
                onReport(ready[i].Tag, ready[i].Events);
        }
    }
}
