using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Supervisor.Logging;

/// <summary>
/// Serilog configured in code, one way for both roles: every line carries the process
/// role and pid (and, in a worker, the connection id and remote address); everything
/// goes to stderr, which a worker shares with its acceptor, so one terminal or one
/// journal holds the whole story.
/// </summary>
public static class LogSetup
{
    /// <summary>websocketd's levels, most verbose first. "access" is the default and
    /// includes one line per connection opened and ended; "info" is the same minus those.</summary>
    public static readonly string[] Levels = ["debug", "trace", "access", "info", "error", "fatal"];

    /// <summary>The property that marks a connection open/end line as an access-log event.</summary>
    public const string AccessProperty = "Access";

    public static bool IsLevel(string name) => Array.IndexOf(Levels, name) >= 0;

    public static Logger Create(string role, string level, bool json, params (string Name, object Value)[] context)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(MinimumFor(level))
            .Enrich.WithProperty("Role", role)
            .Enrich.WithProperty("Pid", Environment.ProcessId);
        foreach (var (name, value) in context)
            configuration = configuration.Enrich.WithProperty(name, value);
        if (level == "info")
            configuration = configuration.Filter.ByExcluding(e => e.Properties.ContainsKey(AccessProperty));

        return json
            ? configuration.WriteTo.Console(new JsonWithoutTextTag(), standardErrorFromLevel: LogEventLevel.Verbose).CreateLogger()
            : configuration.WriteTo.Console(
                outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} {Level:u3} {Role}[{Pid}]{ConnectionTag} {Message:lj}{NewLine}{Exception}",
                standardErrorFromLevel: LogEventLevel.Verbose).CreateLogger();
    }

    private static LogEventLevel MinimumFor(string level) => level switch
    {
        "debug" => LogEventLevel.Verbose,
        "trace" => LogEventLevel.Debug,
        "access" or "info" => LogEventLevel.Information,
        "error" => LogEventLevel.Error,
        "fatal" => LogEventLevel.Fatal,
        _ => LogEventLevel.Information,
    };
}
