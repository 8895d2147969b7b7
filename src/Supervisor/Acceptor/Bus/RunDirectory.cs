using Supervisor.Options;
using Supervisor.Unix;

namespace Supervisor.Acceptor.Bus;

/// <summary>
/// The folder that holds the FIFO and the control socket. Created when missing (mode
/// 0755: writers need to reach the files inside; the files' own modes decide who may
/// write). An existing one must be a real directory, and in a shared place such as
/// /tmp it must be ours: anyone could have made /tmp/ws-supervisor-UID first.
/// </summary>
public static class RunDirectory
{
    /// <param name="owner">With --user, the account the server becomes: a folder made now is
    /// given to it (so it can remove its socket at exit), and one it already owns is ours.</param>
    public static void Prepare(string directory, BusOwner? owner = null)
    {
        var status = FileStatus.Of(directory);
        if (status is null)
        {
            Directory.CreateDirectory(directory);
            FileOwnership.SetMode(directory, Convert.ToUInt32("755", 8));
            if (owner is not null)
                FileOwnership.SetOwner(directory, owner.Uid, owner.Gid);
            return;
        }
        if (status.Value.Kind != FileKind.Directory)
            throw new StartupException($"{directory} exists and is not a directory (a {status.Value.Kind}); it was left untouched");
        uint me = FileOwnership.EffectiveUserId;
        if (status.Value.Uid != me && status.Value.Uid != 0 && status.Value.Uid != owner?.Uid)
            throw new StartupException($"{directory} belongs to uid {status.Value.Uid}, not to this user ({me}); refusing to put the bus there");
    }
}
