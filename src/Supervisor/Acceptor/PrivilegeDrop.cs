using Serilog;
using Supervisor.Options;
using Supervisor.Unix;

namespace Supervisor.Acceptor;

/// <summary>
/// --user: once the listening sockets, the FIFO and the control socket exist (all made as
/// root, the bus files given to the user), the acceptor becomes that user for good —
/// initgroups, setgid, setuid — and proves it: getresuid/getresgid give the target for
/// real, effective and saved ids, every thread in /proc/self/task says the same (glibc
/// changes all threads; the kernel keeps credentials per thread, so this is the check
/// that matters for a multi-threaded runtime), and setuid(0) fails. Workers and apps are
/// its children, so they start as that user. Anything amiss stops startup with one line.
/// </summary>
public static class PrivilegeDrop
{
    public static void Apply(ServerOptions options, ILogger log)
    {
        if (options.Privileges.User is not { } user)
            return;
        uint uid = user.Uid, gid = options.Privileges.Gid;
        try
        {
            Privileges.Drop(user.Name, uid, gid);
        }
        catch (UnixException e)
        {
            throw new StartupException($"cannot become user {user.Name}: {e.Message}");
        }

        var uids = Privileges.UserIds();
        var gids = Privileges.GroupIds();
        if (uids != new Privileges.Ids(uid, uid, uid) || gids != new Privileges.Ids(gid, gid, gid))
            throw new StartupException($"dropping to {user.Name} did not take: uids {uids}, gids {gids}, expected {uid} and {gid}");
        var threads = Privileges.ThreadIds();
        var stray = threads.FirstOrDefault(t => t.Uids.Any(id => id != uid) || t.Gids.Any(id => id != gid));
        if (stray is not null)
            throw new StartupException($"thread {stray.Tid} kept uids {string.Join(' ', stray.Uids)} and gids {string.Join(' ', stray.Gids)} after dropping to {user.Name}");
        if (uid != 0 && Privileges.CanRegainRoot())
            throw new StartupException($"dropped to {user.Name}, yet setuid(0) still succeeds; refusing to run");

        CheckCanRun(options, user.Name);
        log.Information("Running as {User} (uid {Uid}, gid {Gid}, groups {Groups}); all {Threads} threads checked",
            user.Name, uid, gid, string.Join(',', Privileges.SupplementaryGroups()), threads.Count);
    }

    /// <summary>What used to be root's to run must now be the user's: this binary (every
    /// worker is it), the app, the --auth program or the --dir folder. Better one line now
    /// than 1011, 503 or 404 on every connection. Asked with access(2) once the drop is
    /// done, so the kernel weighs that user's uid, groups, ACLs and every folder above,
    /// as execve(2) will; the parser's own check ran as root, who may run anything with
    /// an x bit.</summary>
    private static void CheckCanRun(ServerOptions options, string userName)
    {
        string self = Environment.ProcessPath ?? "";
        if (!Executable.IsRunnableByMe(self))
            throw new StartupException($"user {userName} cannot run {self}, which every worker runs; make it executable for that user");
        if (options.App.Command is { } command && !Executable.IsRunnableByMe(command))
            throw new StartupException($"user {userName} cannot run {command}; make it (and the folders above it) accessible to that user");
        if (options.Auth.Program is { } auth && !Executable.IsRunnableByMe(auth))
            throw new StartupException($"user {userName} cannot run the --auth program {auth}; make it (and the folders above it) accessible to that user");
        if (options.App.Directory is { } dir && !Executable.IsRunnableByMe(dir))
            throw new StartupException($"user {userName} cannot enter --dir {dir}; make it (and the folders above it) accessible to that user");
    }
}
