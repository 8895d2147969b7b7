namespace Supervisor.Unix;

/// <summary>The rlimits an app may be given (getrlimit/setrlimit, Linux numbering).</summary>
public enum Resource
{
    Cpu = LibC.RLIMIT_CPU,
    Processes = LibC.RLIMIT_NPROC,
    OpenFiles = LibC.RLIMIT_NOFILE,
    AddressSpace = LibC.RLIMIT_AS,
}

public static class ResourceLimit
{
    public const ulong Infinity = LibC.RLIM_INFINITY;

    public static (ulong Soft, ulong Hard) Get(Resource resource)
    {
        if (LibC.getrlimit((int)resource, out var limit) != 0)
            throw UnixException.FromLastError($"getrlimit({Name(resource)})");
        return (limit.rlim_cur, limit.rlim_max);
    }

    public static void Set(Resource resource, ulong soft, ulong hard)
    {
        var limit = new LibC.RLimit { rlim_cur = soft, rlim_max = hard };
        if (LibC.setrlimit((int)resource, limit) != 0)
            throw UnixException.FromLastError($"setrlimit({Name(resource)}, {soft}, {hard})");
    }

    public static string Name(Resource resource) => resource switch
    {
        Resource.Cpu => "RLIMIT_CPU",
        Resource.Processes => "RLIMIT_NPROC",
        Resource.OpenFiles => "RLIMIT_NOFILE",
        Resource.AddressSpace => "RLIMIT_AS",
        _ => resource.ToString(),
    };
}
