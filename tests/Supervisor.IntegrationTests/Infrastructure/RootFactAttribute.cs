namespace Supervisor.IntegrationTests.Infrastructure;

/// <summary>A test that needs root (to switch users, to make devices): skipped, saying so,
/// when the tests run as anyone else. CI runs them as root.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
            Skip = "needs root (CI runs the tests as root): run them as root to check the privilege drop";
    }
}

/// <summary>The theory form of <see cref="RootFactAttribute"/>.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
            Skip = "needs root (CI runs the tests as root): run them as root to check the privilege drop";
    }
}
