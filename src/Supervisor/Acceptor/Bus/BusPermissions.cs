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
        uint? gid = bus.Group is { } group ? FileOwnership.GroupId(group) : null;
        if (bus.Owner is { } owner)
            FileOwnership.SetOwner(path, owner.Uid, gid ?? owner.Gid);
        else if (gid is uint busGid)
            FileOwnership.SetGroup(path, busGid);
    }
}
