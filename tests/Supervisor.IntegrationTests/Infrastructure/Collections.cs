namespace Supervisor.IntegrationTests.Infrastructure;

/// <summary>
/// Tests that load the machine (dozens of processes, hundreds of connections, megabytes
/// through a pipe) share this collection, so they run one after another rather than on
/// top of each other and of the timing-sensitive tests.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LoadCollection
{
    public const string Name = "load";
}
