using Supervisor.Options;
using Supervisor.Unix;

namespace Supervisor.Acceptor.Bus;

/// <summary>
/// The folder that holds the FIFO or the control socket. The run directory is created
/// when missing (mode 0755: writers need to reach the files inside; the files' own modes
/// decide who may write); any other folder must exist already. An existing one must be a
/// real directory, and in a shared place such as /tmp it must be ours: anyone could have
/// made /tmp/ws-supervisor-UID first.
/// </summary>
public static class RunDirectory
{
    /// <param name="bus">With --user, <see cref="BusOptions.Owner"/> is the account the server
    /// becomes: a folder made now is given to it (so it can remove its socket at exit), and
    /// one it already owns is ours.</param>
    /// <param name="flag">The flag that chose the folder, for the message if it cannot be used.</param>
    public static void Prepare(string directory, BusOptions bus, string flag)
    {
        var owner = bus.Owner;
        FileStatus? status;
        try
        {
            status = FileStatus.Of(directory);
            if (status is null && directory == bus.RunDirectory)
            {
                Folder.Create(directory, Convert.ToUInt32("755", 8));
                FileOwnership.SetMode(directory, Convert.ToUInt32("755", 8));
                if (owner is not null)
                    FileOwnership.SetOwner(directory, owner.Uid, owner.Gid);
                return;
            }
        }
        catch (UnixException e)
        {
            throw new StartupException($"{directory} ({flag}): {e.Call}: {e.Description}");
        }
        if (status is null)
            throw new StartupException($"no folder {directory} ({flag}); only the run directory is made when missing");
        if (status.Value.Kind != FileKind.Directory)
            throw new StartupException($"{directory} ({flag}) exists and is not a directory (a {status.Value.Kind}); it was left untouched");
        uint me = FileOwnership.EffectiveUserId;
        if (status.Value.Uid != me && status.Value.Uid != 0 && status.Value.Uid != owner?.Uid)
            throw new StartupException($"{directory} ({flag}) belongs to uid {status.Value.Uid}, not to this user ({me}); refusing to put the bus there");
    }
}
