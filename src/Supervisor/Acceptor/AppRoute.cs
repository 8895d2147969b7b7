namespace Supervisor.Acceptor;

/// <summary>Which executable serves a request path, and the CGI names for the split.</summary>
public sealed record AppRoute(string Executable, IReadOnlyList<string> Args, string ScriptName, string PathInfo);
