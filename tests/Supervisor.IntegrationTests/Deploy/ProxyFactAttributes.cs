namespace Supervisor.IntegrationTests.Deploy;

/// <summary>A test through the real Apache: skipped, saying how to get it, where Debian's
/// apache2 is not installed. .ci/run installs it, so CI always runs these.</summary>
public sealed class ApacheFactAttribute : FactAttribute
{
    public ApacheFactAttribute()
    {
        if (!ApacheServer.IsInstalled)
            Skip = $"Apache is not installed ({ApacheServer.Binary} or {ApacheServer.ModulesDir} missing): apt-get install apache2";
    }
}

/// <summary>A test through the real nginx: skipped, saying how to get it, where it is not installed.</summary>
public sealed class NginxFactAttribute : FactAttribute
{
    public NginxFactAttribute()
    {
        if (!NginxServer.IsInstalled)
            Skip = $"nginx is not installed ({NginxServer.Binary} missing): apt-get install nginx";
    }
}

/// <summary>A test through every installed proxy at once: skipped only when there is none.</summary>
public sealed class AnyProxyFactAttribute : FactAttribute
{
    public AnyProxyFactAttribute()
    {
        if (!ApacheServer.IsInstalled && !NginxServer.IsInstalled)
            Skip = "neither Apache nor nginx is installed: apt-get install apache2 nginx";
    }
}
