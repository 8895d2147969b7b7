using System.Net;

namespace Supervisor.Options;

/// <summary>The validated command line, grouped by concern. Built once by
/// <see cref="OptionsParser"/>; nothing downstream parses a string again.</summary>
public sealed record ServerOptions(ListenOptions Listen, AppOptions App, LimitOptions Limits, SessionOptions Session,
    BusOptions Bus, AuthOptions Auth, LogOptions Log, AdmissionOptions Admission,
    ProxyOptions Proxies, PrivilegeOptions Privileges, Handoff.AppLimits AppLimits, ModeOptions Modes);

public sealed record ListenOptions(IReadOnlyList<IPAddress> Addresses, int Port);

/// <summary>Either one <see cref="Command"/> served at every path, or every executable in
/// <see cref="Directory"/> at /NAME; plain GET/HEAD requests get files from
/// <see cref="StaticDirectory"/> when set (--staticdir).</summary>
public sealed record AppOptions(
    string? Command,
    IReadOnlyList<string> Args,
    string? Directory,
    IReadOnlyList<string> PassEnv,
    IReadOnlyList<string> Headers,
    string? StaticDirectory = null);

public sealed record LimitOptions(int MaxForks, int MaxHeadBytes, TimeSpan HandshakeTimeout, TimeSpan ShutdownTimeout)
{
    /// <summary>--spare-workers: idle workers kept started ahead of need (0 = start one per
    /// connection, and never reuse).</summary>
    public int SpareWorkers { get; init; } = 8;

    /// <summary>--worker-reuse: connections one worker serves, one after another, before it
    /// is replaced (1 = a fresh process for every connection).</summary>
    public int WorkerReuse { get; init; } = 1000;
}

/// <summary><see cref="IdleSeconds"/>: --idle-timeout, 0 = off.</summary>
public sealed record SessionOptions(int CloseMs, int PingSeconds, int MaxMessageBytes, int IdleSeconds);

public sealed record LogOptions(string Level, bool Json);

/// <summary>The global FIFO and the control socket; a null path turns that part off.
/// <see cref="Mode"/> and <see cref="Group"/> decide who may push (both files get them).</summary>
public sealed record BusOptions(string? FifoPath, string? ControlPath, uint Mode, string? Group)
{
    /// <summary>With --user: the files (and a run folder made for them) are given to that
    /// account, so the server can still remove them and its apps can still push once
    /// root is dropped. Null: they belong to whoever started the server.</summary>
    public BusOwner? Owner { get; init; }

    /// <summary>--run-dir (or its default): the one folder made when missing. A folder that
    /// --fifo or --control name elsewhere must already exist.</summary>
    public string RunDirectory { get; init; } = "";
}

public sealed record BusOwner(uint Uid, uint Gid);

/// <summary>The handshake-time auth program (null: every upgrade is anonymous).</summary>
public sealed record AuthOptions(string? Program, TimeSpan Timeout);
