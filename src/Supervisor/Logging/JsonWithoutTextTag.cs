using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Json;

namespace Supervisor.Logging;

/// <summary>The JSON format, minus <see cref="ConnectionLog.TextTag"/>: that property is the
/// text line's " ID ADDR" prefix, and a JSON line already has ConnectionId and
/// RemoteAddress as fields of their own.</summary>
public sealed class JsonWithoutTextTag : ITextFormatter
{
    private readonly JsonFormatter _json = new(renderMessage: true);

    public void Format(LogEvent logEvent, TextWriter output)
    {
        logEvent.RemovePropertyIfPresent(ConnectionLog.TextTag);
        _json.Format(logEvent, output);
    }
}
