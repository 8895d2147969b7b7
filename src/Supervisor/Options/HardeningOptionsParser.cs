using System.Globalization;
using Supervisor.Handoff;
using Supervisor.Protocol.Proxy;
using Supervisor.Unix;

namespace Supervisor.Options;

/// <summary>The flags of the security work (issue 4): trusted proxies, the account to
/// drop to, and the apps' resource limits. Each mistake is one <see cref="UsageException"/>.</summary>
internal static class HardeningOptionsParser
{
    public static readonly string[] Flags =
        ["trusted-proxy", "user", "group", "limit-as", "limit-cpu", "limit-nofile", "limit-nproc"];

    public static ProxyOptions ParseProxies(Dictionary<string, List<string>> values)
    {
        if (!values.TryGetValue("trusted-proxy", out var lists))
            return new ProxyOptions(TrustedProxies.None);
        TrustedProxies proxies;
        try
        {
            proxies = TrustedProxies.Parse(lists);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--trusted-proxy: {e.Message}");
        }
        if (proxies.IsEmpty)
            throw new UsageException($"--trusted-proxy={string.Join(',', lists)} names no proxy: give an address or CIDR block, or leave the flag out");
        return new ProxyOptions(proxies);
    }

    public static PrivilegeOptions ParsePrivileges(Dictionary<string, List<string>> values, Func<string, string?> single)
    {
        string? userName = single("user");
        string? groupName = single("group");
        if (userName is null)
        {
            if (groupName is not null)
                throw new UsageException("--group needs --user (the group is set when root drops to that user)");
            return PrivilegeOptions.None;
        }
        uint me = FileOwnership.EffectiveUserId;
        if (me != 0)
            throw new UsageException($"--user={userName} needs root to switch users (running as uid {me}); start as root, or leave --user out");
        var user = UserAccount.Find(userName) ?? throw new UsageException($"--user={userName}: no such user");
        uint gid = user.Gid;
        if (groupName is not null)
            gid = FileOwnership.GroupId(groupName) ?? throw new UsageException($"--group={groupName}: no such group");
        return new PrivilegeOptions(user, gid, groupName);
    }

    /// <summary>The FIFO and the control socket are never open to every user of the host:
    /// writing pushes a message to every client, and reading the FIFO takes lines away
    /// from the server (a FIFO has one queue, shared by all its readers).</summary>
    public static void CheckBusMode(string text, uint mode)
    {
        if ((mode & 0x7) != 0)
            throw new UsageException($"--bus-mode={text}: gives every user of this host access to the FIFO and the control socket; keep the last digit 0 (e.g. 0660) and use --bus-group=GROUP for the users who may push");
    }

    public static AppLimits ParseLimits(Func<string, string?> single) => new(
        Limit(single, "limit-as", Resource.AddressSpace, isSize: true),
        Limit(single, "limit-cpu", Resource.Cpu, isSize: false),
        Limit(single, "limit-nofile", Resource.OpenFiles, isSize: false),
        Limit(single, "limit-nproc", Resource.Processes, isSize: false));

    private static ulong? Limit(Func<string, string?> single, string name, Resource resource, bool isSize)
    {
        string? text = single(name);
        if (text is null)
            return null;
        ulong? value = isSize ? ParseSize(text) : ParseCount(text);
        if (value is not ulong limit || limit == 0)
        {
            throw new UsageException(isSize
                ? $"--{name}={text}: expected a size above zero, in bytes or with K, M or G (e.g. 512M)"
                : $"--{name}={text}: expected a whole number above zero");
        }
        // The app gets soft = hard = the value (CPU: hard one second later), and a process
        // that is not root may lower a hard limit but never raise it.
        ulong hard = resource == Resource.Cpu ? AppLimits.CpuHardLimit(limit) : limit;
        ulong current = ResourceLimit.Get(resource).Hard;
        if (current != ResourceLimit.Infinity && hard > current)
            throw new UsageException($"--{name}={text}: above the hard limit this server runs under ({current}; see ulimit -H)");
        return limit;
    }

    private static ulong? ParseSize(string text)
    {
        ulong multiplier = 1;
        string digits = text;
        switch (text.Length > 0 ? char.ToUpperInvariant(text[^1]) : ' ')
        {
            case 'K': (multiplier, digits) = (1UL << 10, text[..^1]); break;
            case 'M': (multiplier, digits) = (1UL << 20, text[..^1]); break;
            case 'G': (multiplier, digits) = (1UL << 30, text[..^1]); break;
        }
        if (ParseCount(digits) is not ulong number || number > ulong.MaxValue / multiplier)
            return null;
        return number * multiplier;
    }

    private static ulong? ParseCount(string text) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value) ? value : null;
}
