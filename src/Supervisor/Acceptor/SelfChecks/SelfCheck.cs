using System.Globalization;
using Serilog;
using Supervisor.Options;
using Supervisor.Unix;

namespace Supervisor.Acceptor.SelfChecks;

/// <summary>
/// Runs once the acceptor listens and the bus is open: everything that would bite later
/// (at the thousandth connection, or when cron first pushes) is said now, one warning line
/// each. Nothing here stops the server; a check that cannot read its facts says nothing.
/// </summary>
public static class SelfCheck
{
    public static IReadOnlyList<string> Run(ServerOptions options, ulong fdLimit, string? fifoPath, string? controlPath, ILogger log)
    {
        var warnings = new List<string>();
        warnings.AddRange(ResourceCheck.Check(options.Limits.MaxForks, fdLimit, TightestTaskLimit()));
        // Apps run as this process's user: the one --user made it, if given.
        warnings.AddRange(AppProcessLimitCheck.Check(options.AppLimits.Processes, FileOwnership.EffectiveUserId == 0,
            ThreadCount(), options.Limits.SpareWorkers, options.Limits.MaxForks));

        int protectedFifos = StickyDirectory.ProtectedFifos();
        foreach (var (what, path) in new[] { ("global FIFO", fifoPath), ("control socket", controlPath) })
        {
            if (path is null || FileStatus.Of(path) is not { } status)
                continue;
            warnings.AddRange(BusAccessCheck.Check(what, path, status, BusAccessCheck.Ancestors(path),
                options.Bus.Group is not null, protectedFifos));
        }

        foreach (string warning in warnings)
            log.Warning("self-check: {Warning:l}", warning);
        return warnings;
    }

    /// <summary>This process's threads now; 0 if /proc cannot say.</summary>
    private static int ThreadCount()
    {
        try
        {
            return Directory.GetDirectories("/proc/self/task").Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>The lower of RLIMIT_NPROC (not enforced for root) and the cgroup's pids.max.</summary>
    private static TaskLimit? TightestTaskLimit()
    {
        TaskLimit? tightest = null;
        if (FileOwnership.EffectiveUserId != 0 && SoftLimit("Max processes") is { } nproc)
            tightest = new TaskLimit("the process limit (RLIMIT_NPROC, counting every process and thread of this user)", nproc,
                "LimitNPROC= in the unit, ulimit -u");
        if (CgroupPidsMax() is { } pids && (tightest is null || pids < tightest.Value.Limit))
            tightest = new TaskLimit("the cgroup's task limit (pids.max, systemd's TasksMax=)", pids, "TasksMax= in the unit");
        return tightest;
    }

    /// <summary>A soft limit from /proc/self/limits ("Max processes  96365  96365  processes");
    /// null when unlimited or unreadable.</summary>
    private static long? SoftLimit(string name)
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/limits"))
            {
                if (!line.StartsWith(name, StringComparison.Ordinal))
                    continue;
                string soft = line[name.Length..].TrimStart().Split(' ', 2)[0];
                return long.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value : null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }

    /// <summary>pids.max of this process's cgroup, cgroup v2 ("0::/path") or v1's pids
    /// controller ("N:pids:/path"); null when there is none or it is "max".</summary>
    private static long? CgroupPidsMax()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/cgroup"))
            {
                string[] fields = line.Split(':', 3);
                if (fields.Length != 3)
                    continue;
                string? file = fields[1] == "pids" ? $"/sys/fs/cgroup/pids{fields[2]}/pids.max"
                    : fields[0] == "0" && fields[1] == "" ? $"/sys/fs/cgroup{fields[2]}/pids.max"
                    : null;
                if (file is not null && File.Exists(file)
                    && long.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long max))
                    return max;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }
}
