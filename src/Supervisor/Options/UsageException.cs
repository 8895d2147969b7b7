namespace Supervisor.Options;

/// <summary>A command-line mistake: its message is the one line the user sees (exit 2).</summary>
public sealed class UsageException(string message) : Exception(message);
