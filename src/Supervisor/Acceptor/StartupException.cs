namespace Supervisor.Acceptor;

/// <summary>Something at startup that the operator must fix (a path in the way, a port in
/// use): its message is the one line printed before exiting with status 1.</summary>
public sealed class StartupException(string message) : Exception(message);
