using System.Globalization;

namespace Supervisor.Acceptor.SelfChecks;

/// <summary>
/// Whether --limit-nproc leaves the apps any room to fork. Linux's RLIMIT_NPROC is checked
/// against every task (thread, not process) of the app's real user, and with --user that
/// user also runs the acceptor and every worker: a fork in the app fails with EAGAIN once
/// they all add up to the limit, whatever the app itself did.
/// </summary>
public static class AppProcessLimitCheck
{
    /// <summary>Measured with `ps -L` on an idle server: the acceptor runs 12 threads; fewer
    /// just after startup, before its thread pool and poll threads are all up.</summary>
    public const int AcceptorTasks = 12;

    /// <summary>A spare worker waiting for a connection runs 4 threads (measured).</summary>
    public const int IdleWorkerTasks = 4;

    public static IEnumerable<string> Check(ulong? limitNproc, bool appsRunAsRoot, int acceptorTasks, int spareWorkers, int maxForks)
    {
        if (limitNproc is not ulong limit)
            yield break;
        if (appsRunAsRoot)
        {
            yield return $"--limit-nproc={limit} has no effect: the apps run as root, whom the kernel does not hold to RLIMIT_NPROC; " +
                "run them as another user (--user) or leave it off";
            yield break;
        }
        long server = Math.Max(acceptorTasks, AcceptorTasks) + (long)spareWorkers * IdleWorkerTasks;
        long perConnection = ResourceCheck.TasksPerConnection;
        long connections = Math.Max(0, ((long)Math.Min(limit, (ulong)int.MaxValue) - server) / perConnection);
        string counted = $"RLIMIT_NPROC counts every thread of the apps' user, and the acceptor and {spareWorkers} spare workers " +
            $"are about {server.ToString(CultureInfo.InvariantCulture)} already, each connection about {perConnection} more " +
            "(its worker's threads and the app)";
        if (connections < 1)
        {
            yield return $"--limit-nproc={limit} is below what the server's own threads need: {counted}, so no app could fork; " +
                $"give at least {server + perConnection} plus {perConnection} per connection plus what one app forks (docs/hardening.md), or leave it off";
        }
        else if (maxForks > 0 && connections < maxForks)
        {
            yield return $"--limit-nproc={limit} leaves apps room to fork in about {connections} connections, fewer than " +
                $"--maxforks={maxForks}: {counted}; past that, an app's fork fails with EAGAIN; raise it to at least " +
                $"{server + perConnection * maxForks} plus what one app forks, or leave it off";
        }
    }
}
