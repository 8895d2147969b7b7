using System.Globalization;
using System.Text.RegularExpressions;

namespace Supervisor.IntegrationTests.Infrastructure;

/// <summary>What a process's epoll instances watch, read from /proc: each epoll fd's
/// fdinfo has one "tfd: FD events: MASK data: … ino: INODE" line per registration (proc(5)).
/// And which sockets are the acceptor's control channels, from /proc/net/unix. Sockets are
/// told apart by inode, not fd number: a registration outlives the fd it was made with
/// while another process holds the file (a client socket handed to a worker), so one fd
/// number can appear twice, once for a file this process has closed.</summary>
public static partial class EpollWatches
{
    public const uint EPOLLIN = 0x001;
    public const uint EPOLLOUT = 0x004;

    /// <summary>The file with inode <paramref name="Inode"/>, registered as fd
    /// <paramref name="Fd"/>, is watched by the epoll at <paramref name="EpollFd"/> for
    /// <paramref name="Events"/> (EPOLLET and the other flags included).</summary>
    public readonly record struct Watch(int EpollFd, int Fd, uint Events, ulong Inode)
    {
        public override string ToString() => $"fd {Fd} (inode {Inode}) in epoll {EpollFd} for 0x{Events:x}";
    }

    /// <summary>Every fd registered in any of <paramref name="pid"/>'s epoll instances.</summary>
    public static IReadOnlyList<Watch> Of(int pid)
    {
        var watches = new List<Watch>();
        foreach (var (fd, target) in Links(pid))
        {
            if (target != "anon_inode:[eventpoll]")
                continue;
            string[] lines;
            try
            {
                lines = File.ReadAllLines($"/proc/{pid}/fdinfo/{fd}");
            }
            catch (IOException)
            {
                continue; // closed meanwhile
            }
            foreach (string line in lines)
            {
                if (TfdLine().Match(line) is { Success: true } match)
                    watches.Add(new Watch(fd, int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
                        uint.Parse(match.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                        ulong.Parse(match.Groups[3].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            }
        }
        return watches;
    }

    /// <summary>The inodes of the acceptor's control channels: its unix stream sockets that
    /// are connected and have no name, which only a socketpair's end is here (the control
    /// socket it listens on, and every connection accepted there, carry that socket's path).</summary>
    public static IReadOnlySet<ulong> ControlChannels(int pid)
    {
        var unnamedConnected = new HashSet<ulong>();
        foreach (string line in File.ReadLines("/proc/net/unix").Skip(1))
        {
            // Num RefCount Protocol Flags Type St Inode [Path]
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 7 && fields[4] == "0001" && fields[5] == "03")
                unnamedConnected.Add(ulong.Parse(fields[6], CultureInfo.InvariantCulture));
        }
        return SocketsOf(pid, unnamedConnected);
    }

    /// <summary>The inodes of <paramref name="pid"/>'s established TCP connections: in the
    /// acceptor, its copies of the clients' sockets (kept for writing pushed messages).</summary>
    public static IReadOnlySet<ulong> ClientSockets(int pid)
    {
        var established = new HashSet<ulong>();
        foreach (string file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(file))
                continue;
            foreach (string line in File.ReadLines(file).Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …
                string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 9 && fields[3] == "01")
                    established.Add(ulong.Parse(fields[9], CultureInfo.InvariantCulture));
            }
        }
        return SocketsOf(pid, established);
    }

    /// <summary>Those of <paramref name="inodes"/> that are sockets <paramref name="pid"/> holds.</summary>
    private static HashSet<ulong> SocketsOf(int pid, IReadOnlySet<ulong> inodes)
    {
        var held = new HashSet<ulong>();
        foreach (var (_, target) in Links(pid))
        {
            if (SocketLink().Match(target) is { Success: true } match
                && ulong.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) is var inode && inodes.Contains(inode))
                held.Add(inode);
        }
        return held;
    }

    private static IEnumerable<(int Fd, string Target)> Links(int pid)
    {
        foreach (string path in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            string? target;
            try
            {
                target = new FileInfo(path).LinkTarget;
            }
            catch (IOException)
            {
                continue; // closed meanwhile
            }
            if (target is not null)
                yield return (int.Parse(Path.GetFileName(path), CultureInfo.InvariantCulture), target);
        }
    }

    [GeneratedRegex(@"^tfd:\s*(\d+)\s+events:\s*([0-9a-f]+)\s.*\sino:([0-9a-f]+)")]
    private static partial Regex TfdLine();

    [GeneratedRegex(@"^socket:\[(\d+)\]$")]
    private static partial Regex SocketLink();
}
