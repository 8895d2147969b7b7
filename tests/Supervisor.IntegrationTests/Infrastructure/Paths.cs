namespace Supervisor.IntegrationTests.Infrastructure;

/// <summary>Where the binary under test and the example apps are. The tests run the real
/// installed native binary, never the project's build output, so they check what ships.</summary>
public static class Paths
{
    public const string BinaryVariable = "WS_SUPERVISOR_BIN";

    private static readonly Lazy<string> s_repoRoot = new(FindRepoRoot);

    public static string RepoRoot => s_repoRoot.Value;

    public static string WorkerScripts => Path.Combine(RepoRoot, "worker-scripts");

    public static string Script(string name) => Path.Combine(WorkerScripts, name);

    /// <summary>A test-only helper program from tests/Supervisor.IntegrationTests/Fixtures.</summary>
    public static string Fixture(string name) => Path.Combine(RepoRoot, "tests", "Supervisor.IntegrationTests", "Fixtures", name);

    /// <summary>WS_SUPERVISOR_BIN, else the test prefix ./test.sh installs into.</summary>
    public static string Binary
    {
        get
        {
            string? fromEnvironment = Environment.GetEnvironmentVariable(BinaryVariable);
            if (!string.IsNullOrEmpty(fromEnvironment))
            {
                if (!File.Exists(fromEnvironment))
                    throw new InvalidOperationException($"{BinaryVariable}={fromEnvironment}: no such file");
                return fromEnvironment;
            }
            string fallback = Path.Combine(RepoRoot, "artifacts", "test-prefix", "bin", "ws-supervisor");
            if (!File.Exists(fallback))
                throw new InvalidOperationException(
                    $"ws-supervisor binary not found: {BinaryVariable} is unset and {fallback} does not exist; " +
                    "run ./test.sh (or ./install.sh --prefix artifacts/test-prefix) first");
            return fallback;
        }
    }

    public const string SocketEchoVariable = "WS_SOCKET_ECHO_BIN";

    /// <summary>samples/SocketEcho, published natively by ./test.sh: WS_SOCKET_ECHO_BIN, else
    /// artifacts/test-prefix/samples/socket-echo/socket-echo.</summary>
    public static string SocketEcho
    {
        get
        {
            string path = Environment.GetEnvironmentVariable(SocketEchoVariable) is { Length: > 0 } fromEnvironment
                ? fromEnvironment
                : Path.Combine(RepoRoot, "artifacts", "test-prefix", "samples", "socket-echo", "socket-echo");
            if (!File.Exists(path))
                throw new InvalidOperationException(
                    $"socket-echo not found at {path}: run ./test.sh, or publish samples/SocketEcho there (see test.sh)");
            return path;
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Supervisor.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no Supervisor.sln above {AppContext.BaseDirectory}");
    }
}
