using Supervisor.Options;
using Supervisor.Unix;

namespace Supervisor.Acceptor.Bus;

/// <summary>Who may push: the FIFO and the control socket get the same mode (default
/// 0660) and, with --bus-group, the same group, so "www-data's PHP and cron can write" is
/// one flag. Set explicitly after creation, because the umask would otherwise decide.</summary>
public static class BusPermissions
{
    public static void Apply(string path, BusOptions bus)
    {
        FileOwnership.SetMode(path, bus.Mode);
        if (bus.Group is { } group && FileOwnership.GroupId(group) is uint gid)
            FileOwnership.SetGroup(path, gid);
    }
}
