using System.Globalization;

namespace Supervisor.Acceptor.SelfChecks;

/// <summary>
/// Whether the process limits hold the connections --maxforks allows. The acceptor keeps
/// two fds per open connection for its whole life (its end of the worker's control channel,
/// and its copy of the client socket for pushed messages) and one per handshake in
/// progress; a worker's own fds count against its own
/// copy of the limit, not the acceptor's. Each connection is also a worker process with
/// its threads plus the app: RLIMIT_NPROC (per user, root exempt) and the cgroup's
/// pids.max (systemd's TasksMax=) count every one of those tasks.
/// </summary>
public static class ResourceCheck
{
    /// <summary>Listeners, FIFO, control socket, epoll, logs and handshakes in flight: an
    /// acceptor holds 15 fds plus one per spare worker, and two more per open connection
    /// (measured: 37 with 10 connections and 2 spares).</summary>
    private const int AcceptorBaseFds = 64;

    private const int AcceptorFdsPerConnection = 2;

    /// <summary>Tasks one connection costs: a serving worker runs 9 threads (measured with
    /// `ps -L`: its main loop, the control reader, the connection's three, and four of the
    /// runtime's own, signal handling among them), its app is at least one more. A spare
    /// worker waiting for a connection runs 4.</summary>
    public const int TasksPerConnection = 10;

    /// <summary>Below this many connections an unlimited --maxforks is worth a warning: the
    /// limit is low enough to be reached by a modest site.</summary>
    private const long ModestSite = 1000;

    /// <summary>About how many connections an fd limit of <paramref name="fdLimit"/> holds.</summary>
    public static long ConnectionCapacity(ulong fdLimit) =>
        Math.Max(0, (long)Math.Min(fdLimit, int.MaxValue) - AcceptorBaseFds) / AcceptorFdsPerConnection;

    public static IEnumerable<string> Check(int maxForks, ulong fdLimit, TaskLimit? taskLimit)
    {
        long fdCapacity = ConnectionCapacity(fdLimit);
        if (maxForks > 0 && maxForks > fdCapacity)
        {
            yield return $"the file descriptor limit ({fdLimit}) is too low for --maxforks={maxForks}: the acceptor holds two fds " +
                $"per open connection and one per handshake, so past about {fdCapacity} connections accept() fails with EMFILE " +
                "and new clients are turned away as if the server were full; raise it (LimitNOFILE= in the unit, ulimit -n) " +
                "or lower --maxforks";
        }
        else if (maxForks == 0 && fdCapacity < ModestSite * 4)
        {
            yield return $"no --maxforks, and the file descriptor limit is {fdLimit}: past about {fdCapacity} connections accept() " +
                $"fails with EMFILE and new clients are turned away; raise the limit (LimitNOFILE=65536 in the unit, ulimit -n), " +
                $"or say so with --maxforks={fdCapacity}";
        }

        if (taskLimit is { } tasks)
        {
            long taskCapacity = Math.Max(0, (tasks.Limit - 16) / TasksPerConnection);
            bool tooLow = maxForks > 0 ? maxForks > taskCapacity : taskCapacity < Math.Min(ModestSite, fdCapacity);
            if (tooLow)
            {
                string wanted = maxForks > 0 ? $"fewer than --maxforks={maxForks}" : "with no --maxforks to turn the rest away cleanly";
                yield return $"{tasks.Name} is {tasks.Limit.ToString(CultureInfo.InvariantCulture)}: room for about {taskCapacity} " +
                    $"connections (each is a worker process with its threads plus its app, about {TasksPerConnection} tasks), {wanted}; " +
                    $"past that, workers cannot start and clients are turned away; raise it ({tasks.Remedy}) or set --maxforks={taskCapacity}";
            }
        }
    }
}

/// <summary>A ceiling on tasks (processes and threads) that the connections share.</summary>
public readonly record struct TaskLimit(string Name, long Limit, string Remedy);
