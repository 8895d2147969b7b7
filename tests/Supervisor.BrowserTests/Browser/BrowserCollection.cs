namespace Supervisor.BrowserTests.Browser;

/// <summary>One Chromium at a time: the backoff tests measure timers, and two browsers at
/// once on two cores would measure the machine instead.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection
{
    public const string Name = "browser";
}
