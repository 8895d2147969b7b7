namespace Supervisor.Cli;

/// <summary>A CLI failure: its message is the one line printed before exiting 1.</summary>
public sealed class CliException(string message) : Exception(message);
