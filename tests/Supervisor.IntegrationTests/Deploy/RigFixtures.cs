namespace Supervisor.IntegrationTests.Deploy;

/// <summary>One rig for a whole test class, started on first use (never when the proxy is
/// missing: those tests are skipped). Ping every 2 s, proxy timeout 5 s, as the idle
/// test uses, so every test runs against the same short-timeout deployment.</summary>
public abstract class RigFixture(ProxyKind kind) : IDisposable
{
    private readonly Lazy<ProxyRig> _rig = new(() => ProxyRig.Start(kind, pingSeconds: 2, proxyTimeoutSeconds: 5));

    public ProxyRig Rig => _rig.Value;

    public void Dispose()
    {
        if (_rig.IsValueCreated)
            _rig.Value.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class ApacheRigFixture() : RigFixture(ProxyKind.Apache);

public sealed class NginxRigFixture() : RigFixture(ProxyKind.Nginx);
