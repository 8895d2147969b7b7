using System.Buffers.Binary;
using System.Text;

namespace Supervisor.Handoff;

/// <summary>
/// Everything a worker needs to serve one connection, sent as the payload of the
/// first control frame rather than on the command line: the request's headers (cookies
/// among them) end up in the environment, and argv is world-readable in /proc.
/// </summary>
public sealed record WorkerStart(
    string ConnectionId,
    string RemoteAddress,
    string RequestPath,
    string AppPath,
    IReadOnlyList<string> AppArgs,
    IReadOnlyList<byte[]> Environment,
    SessionSettings Settings)
{
    /// <summary>The rlimits the app starts under (none by default).</summary>
    public AppLimits AppLimits { get; init; } = AppLimits.None;

    /// <summary>The 101 response the acceptor composed; the worker writes it before
    /// anything else, so nothing can reach the client ahead of it, and a handover that
    /// fails leaves the acceptor free to answer the client itself.</summary>
    public byte[] SwitchingProtocols { get; init; } = [];

    /// <summary>The value of the app's environment variable <paramref name="name"/>, decoded
    /// as it was encoded (request bytes Latin-1, the server's own UTF-8); null if unset.</summary>
    public string? Variable(string name, Encoding encoding)
    {
        foreach (byte[] variable in Environment)
        {
            if (variable.Length > name.Length && variable[name.Length] == (byte)'='
                && Encoding.ASCII.GetString(variable, 0, name.Length) == name)
                return encoding.GetString(variable, name.Length + 1, variable.Length - name.Length - 1);
        }
        return null;
    }

    private enum Field : byte
    {
        ConnectionId = 1, RemoteAddress, RequestPath, AppPath, AppArg, Environment,
        CloseMs, PingSeconds, MaxMessageBytes, LogLevel, LogJson, IdleSeconds, AppLimits,

        // App modes and extensions (issue 7); numbered apart so fields added elsewhere
        // in the meantime never share a number with these.
        Mode = 32, Extensions, CgiConcurrency, CgiTimeoutSeconds,

        // Worker reuse: the worker writes the 101.
        SwitchingProtocols = 48,
    }

    public byte[] Encode()
    {
        var output = new MemoryStream();
        void Put(Field field, string value) => PutBytes(field, Encoding.UTF8.GetBytes(value));
        void PutBytes(Field field, byte[] bytes)
        {
            Span<byte> header = stackalloc byte[5];
            header[0] = (byte)field;
            BinaryPrimitives.WriteInt32BigEndian(header[1..], bytes.Length);
            output.Write(header);
            output.Write(bytes);
        }

        Put(Field.ConnectionId, ConnectionId);
        Put(Field.RemoteAddress, RemoteAddress);
        Put(Field.RequestPath, RequestPath);
        Put(Field.AppPath, AppPath);
        foreach (string arg in AppArgs)
            Put(Field.AppArg, arg);
        foreach (byte[] variable in Environment)
            PutBytes(Field.Environment, variable); // as the app gets them: not necessarily UTF-8
        Put(Field.CloseMs, Settings.CloseMs.ToString());
        Put(Field.PingSeconds, Settings.PingSeconds.ToString());
        Put(Field.MaxMessageBytes, Settings.MaxMessageBytes.ToString());
        Put(Field.LogLevel, Settings.LogLevel);
        Put(Field.LogJson, Settings.LogJson ? "1" : "0");
        Put(Field.IdleSeconds, Settings.IdleSeconds.ToString());
        if (!AppLimits.IsEmpty)
            Put(Field.AppLimits, AppLimits.Encode());
        Put(Field.Mode, AppModes.Name(Settings.Mode));
        if (Settings.Extensions is { } extensions)
            Put(Field.Extensions, extensions);
        Put(Field.CgiConcurrency, Settings.CgiConcurrency.ToString());
        Put(Field.CgiTimeoutSeconds, Settings.CgiTimeoutSeconds.ToString());
        if (SwitchingProtocols.Length > 0)
            PutBytes(Field.SwitchingProtocols, SwitchingProtocols);
        return output.ToArray();
    }

    public static WorkerStart Decode(ReadOnlySpan<byte> payload)
    {
        string id = "", remote = "", path = "", app = "", logLevel = "access";
        int closeMs = 0, pingSeconds = 0, maxMessage = 0, idleSeconds = 0;
        bool logJson = false;
        var args = new List<string>();
        var environment = new List<byte[]>();
        var limits = AppLimits.None;
        var mode = AppMode.Line;
        string? extensions = null;
        int cgiConcurrency = 1, cgiTimeoutSeconds = 30;
        byte[] switching = [];

        while (!payload.IsEmpty)
        {
            if (payload.Length < 5)
                throw new InvalidDataException("truncated start field");
            var field = (Field)payload[0];
            int length = BinaryPrimitives.ReadInt32BigEndian(payload[1..]);
            if (length < 0 || length > payload.Length - 5)
                throw new InvalidDataException("start field length out of range");
            var raw = payload.Slice(5, length);
            string value = Encoding.UTF8.GetString(raw);
            payload = payload[(5 + length)..];
            switch (field)
            {
                case Field.ConnectionId: id = value; break;
                case Field.RemoteAddress: remote = value; break;
                case Field.RequestPath: path = value; break;
                case Field.AppPath: app = value; break;
                case Field.AppArg: args.Add(value); break;
                case Field.Environment: environment.Add(raw.ToArray()); break;
                case Field.CloseMs: closeMs = int.Parse(value); break;
                case Field.PingSeconds: pingSeconds = int.Parse(value); break;
                case Field.MaxMessageBytes: maxMessage = int.Parse(value); break;
                case Field.LogLevel: logLevel = value; break;
                case Field.LogJson: logJson = value == "1"; break;
                case Field.IdleSeconds: idleSeconds = int.Parse(value); break;
                case Field.AppLimits: limits = AppLimits.Decode(value); break;
                case Field.Mode: mode = AppModes.Parse(value) ?? throw new InvalidDataException($"unknown mode {value}"); break;
                case Field.Extensions: extensions = value; break;
                case Field.CgiConcurrency: cgiConcurrency = int.Parse(value); break;
                case Field.CgiTimeoutSeconds: cgiTimeoutSeconds = int.Parse(value); break;
                case Field.SwitchingProtocols: switching = raw.ToArray(); break;
                default: break; // an unknown field from a newer acceptor is ignored
            }
        }
        return new WorkerStart(id, remote, path, app, args, environment,
            new SessionSettings(closeMs, pingSeconds, maxMessage, logLevel, logJson, idleSeconds)
            {
                Mode = mode,
                Extensions = extensions,
                CgiConcurrency = cgiConcurrency,
                CgiTimeoutSeconds = cgiTimeoutSeconds,
            })
        {
            AppLimits = limits,
            SwitchingProtocols = switching,
        };
    }
}

/// <summary>Per-connection settings the worker applies; all decided by the acceptor's options.</summary>
/// <param name="IdleSeconds">--idle-timeout: close after this long with no message either way (0 = never).</param>
public sealed record SessionSettings(int CloseMs, int PingSeconds, int MaxMessageBytes, string LogLevel, bool LogJson,
    int IdleSeconds = 0)
{
    /// <summary>How the app's stdin and stdout carry messages (docs/modes.md).</summary>
    public AppMode Mode { get; init; } = AppMode.Line;

    /// <summary>The Sec-WebSocket-Extensions value of the 101 (the permessage-deflate
    /// agreement), or null when the connection runs without extensions.</summary>
    public string? Extensions { get; init; }

    /// <summary>cgi mode: at most this many runs of the app at once per connection.</summary>
    public int CgiConcurrency { get; init; } = 1;

    /// <summary>cgi mode: a run still going after this long is killed and reported.</summary>
    public int CgiTimeoutSeconds { get; init; } = 30;
}
