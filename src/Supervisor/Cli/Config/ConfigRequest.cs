namespace Supervisor.Cli.Config;

/// <summary>What <c>ws-supervisor config KIND</c> was asked for, validated once by
/// <see cref="ConfigParser"/>: the writers only format it.</summary>
public sealed record ConfigRequest(
    ConfigKind Kind,
    BackendSpec Backend,
    ProxySpec Proxy,
    ServiceSpec Service);

public enum ConfigKind { Apache, Nginx, Systemd }

/// <summary>ws-supervisor itself: where it listens, how it is started, what it serves.</summary>
public sealed record BackendSpec(
    string Executable,
    bool BinaryMode,
    string Address,
    int Port,
    int PingSeconds,
    IReadOnlyList<string> TrustedProxies,
    string? RunDir,
    string? BusGroup,
    int MaxForks,
    string? Dir,
    IReadOnlyList<string> Command)
{
    /// <summary>--origin, passed on as given (checked): the pages that may connect.</summary>
    public string? Origins { get; init; }

    /// <summary>ws://ADDRESS:PORT, with brackets around an IPv6 address.</summary>
    public string Authority => Address.Contains(':') ? $"[{Address}]:{Port}" : $"{Address}:{Port}";
}

/// <summary>The proxy in front (Apache or nginx): the public side of the same connections.</summary>
public sealed record ProxySpec(
    string PublicPath,
    string? ServerName,
    ListenSpec Http,
    ListenSpec? Tls,
    string CertFile,
    string KeyFile,
    int TimeoutSeconds,
    bool Htaccess);

/// <summary>A proxy's listening socket: a port, on every address unless one is given.</summary>
public sealed record ListenSpec(string? Address, int Port)
{
    public override string ToString() =>
        Address is null ? Port.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : Address.Contains(':') ? $"[{Address}]:{Port}" : $"{Address}:{Port}";
}

/// <summary>The systemd unit's own choices.</summary>
public sealed record ServiceSpec(string User, string? Group, int ShutdownTimeoutSeconds);
