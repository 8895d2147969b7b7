namespace Supervisor.Unix;

/// <summary>"In the child, fd <see cref="Source"/> of the parent becomes fd <see cref="Target"/>."</summary>
public readonly record struct FdMapping(int Source, int Target);
