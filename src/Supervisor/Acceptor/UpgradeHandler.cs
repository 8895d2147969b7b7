using System.Net;
using System.Net.Sockets;
using Serilog;
using Supervisor.Acceptor.Admission;
using Supervisor.Acceptor.Auth;
using Supervisor.Acceptor.Bus;
using Supervisor.Acceptor.Channels;
using Supervisor.Acceptor.Pool;
using Supervisor.Acceptor.Static;
using Supervisor.Handoff;
using Supervisor.Options;
using Supervisor.Protocol.Cgi;
using Supervisor.Protocol.Extensions;
using Supervisor.Protocol.Handshake;
using Supervisor.Unix;

namespace Supervisor.Acceptor;

/// <summary>
/// One new connection, from the first byte to the handoff: read the head, validate it
/// (RFC 6455 §4.2.1), route it, check its origin, admit it (capacity, per-client limits,
/// spawn rate), run the auth program, then hand the socket to a worker. Every refusal
/// goes through <see cref="RejectAsync"/>, the one place that answers with a status, or
/// for "retry later" limits through <see cref="RefuseForLimitAsync"/>, and touches this
/// connection alone.
/// </summary>
public sealed class UpgradeHandler(ServerOptions options, AppRouter router, WorkerRegistry registry,
    WorkerPool pool, WorkerReports reports, AuthProgram? auth, ClientReadiness readiness, ILogger log)
{
    private const string ServerSoftware = "ws-supervisor/" + Program.Version;

    /// <summary>Workers tried for one connection before it is told to retry later: more
    /// than one spare dying at once is already unusual.</summary>
    private const int HandoverAttempts = 3;

    private readonly StaticFileServer _static = new(options.App, log);

    private readonly AdmissionGate _gate = new(options);

    private readonly SocketAppLauncher _socketApps = new();

    /// <summary>Admitted connections (live workers and upgrades on their way to one).</summary>
    public int Admitted => _gate.Count;

    public async Task HandleAsync(Socket socket)
    {
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        try
        {
            var read = await HeadReader.ReadAsync(socket, readiness, options.Limits.MaxHeadBytes, options.Limits.HandshakeTimeout);
            if (read.Head is not { } head)
            {
                if (read.Reason == RejectionReason.None)
                    socket.Dispose(); // gone before a whole head arrived
                else
                    await RejectAsync(socket, remote, read.Reason, null);
                return;
            }

            // From here on `remote` is the client as far as we can vouch for it: the peer, or
            // what a --trusted-proxy says. It is REMOTE_ADDR, the log's address, and the
            // address per-address limits count.
            var client = ClientAddress.Resolve(options.Proxies, remote, head);
            if (client.Proxy is { } proxy)
                log.Debug("{Remote} came through trusted proxy {Proxy} (https: {Https}, host: {Host})",
                    $"{client.Address}:{client.Port}", proxy, client.Https, client.Host ?? head.Host);
            remote = new IPEndPoint(client.Address, client.Port);
            if (_static.Serves(head))
            {
                await _static.ServeAsync(socket, remote, head); // plain GET/HEAD: --staticdir, /ws-supervisor.js
                return;
            }
            if (_static.Covers(head) && head.Method is not ("GET" or "HEAD"))
            {
                await RejectAsync(socket, remote, RejectionReason.StaticMethodNotAllowed, head.Target);
                return;
            }

            var reason = HandshakeValidator.Validate(head, out var request);
            if (reason != RejectionReason.None || request is null)
            {
                await RejectAsync(socket, remote, reason, head.Target);
                return;
            }

            if (router.Resolve(head.RawPath) is not { } route)
            {
                await RejectAsync(socket, remote, RejectionReason.NoSuchApp, head.Target);
                return;
            }

            string connectionId = ConnectionIds.New();
            // The host the browser asked for: a trusted proxy's X-Forwarded-Host, else the request's own.
            string host = client.Host ?? request.Host;
            var (serverName, serverPort) = ServerAddress.FromHost(host, client.Https);
            var cgi = new CgiRequest(request.Head, route.ScriptName, route.PathInfo, Format(remote.Address), remote.Port,
                serverName, serverPort, client.Https, connectionId, RemoteUser: null, ServerSoftware)
            {
                ForwardedHost = client.Host,
            };
            if (EnvironmentLimits.FirstTooLong(CgiEnvironment.Build(cgi)) is { } tooLong)
            {
                await RejectAsync(socket, remote, RejectionReason.FieldTooLargeForApp, head.Target,
                    $"{tooLong.Name} would be {tooLong.Bytes} bytes, and Linux passes at most {EnvironmentLimits.MaxStringBytes}.");
                return;
            }
            if (OriginCheck.Refusal(options.Admission.Origin, request, host, cgi.Https) is { } originRefusal)
            {
                await RejectAsync(socket, remote, RejectionReason.OriginNotAllowed, head.Target, originRefusal);
                return;
            }
            var admitted = _gate.TryAdmit(cgi.RemoteAddr, out var ticket);
            if (admitted != RejectionReason.None || ticket is null)
            {
                await RefuseForLimitAsync(socket, remote, request, admitted);
                return;
            }
            using var admission = ticket; // the slots go back unless Launch moves them to the registry

            if (auth is not null)
            {
                var decision = await auth.CheckAsync(AppEnvironment.Build(cgi, options));
                switch (decision.Outcome)
                {
                    case AuthOutcome.Denied:
                        admission.Dispose();
                        await RejectAsync(socket, remote, RejectionReason.AuthDenied, head.Target, decision.Text);
                        return;
                    case AuthOutcome.Failed:
                        log.Error("auth failed for {Remote} {Target}: {Error}", remote, head.Target, decision.Text);
                        admission.Dispose();
                        await RejectAsync(socket, remote, RejectionReason.AuthFailed, head.Target);
                        return;
                }
                if (ticket.TryAddUser(decision.Text) is var perUser && perUser != RejectionReason.None)
                {
                    admission.Dispose();
                    await RefuseForLimitAsync(socket, remote, request, perUser);
                    return;
                }
                cgi = cgi with { RemoteUser = decision.Text };
            }

            Launch(socket, remote, request, route, cgi, ticket);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            log.Debug("connection from {Remote} lost during the handshake: {Error}", remote, e.Message);
            socket.Dispose();
        }
        catch (Exception e)
        {
            // A bug met by one request's bytes must cost that connection only: nobody
            // observes this task, so without this the socket would just be left open.
            log.Error(e, "internal error handling {Remote}; connection closed", remote);
            socket.Dispose();
        }
    }

    /// <summary>On success the worker owns the connection, and the registry entry owns the
    /// slots of <paramref name="ticket"/>.</summary>
    private void Launch(Socket socket, IPEndPoint remote, WebSocketRequest request, AppRoute route, CgiRequest cgi,
        AdmissionTicket ticket)
    {
        string connectionId = cgi.ConnectionId;
        var session = options.Session;
        var mode = ModeChoice.For(route, options);
        // RFC 7692: the acceptor alone negotiates; the worker (or a socket-mode app) runs
        // exactly what the 101 says, read back from the same text.
        string? extensions = options.Modes.Compression ? PerMessageDeflate.Negotiate(request.Extensions)?.ToHeaderValue() : null;
        var start = new WorkerStart(connectionId, $"{cgi.RemoteAddr}:{remote.Port}", request.Head.Target,
            route.Executable, route.Args, AppEnvironment.BuildBytes(cgi, options),
            new SessionSettings(session.CloseMs, session.PingSeconds, session.MaxMessageBytes, options.Log.Level, options.Log.Json,
                session.IdleSeconds)
            {
                Mode = mode,
                Extensions = extensions,
                CgiConcurrency = options.Modes.CgiConcurrency,
                CgiTimeoutSeconds = options.Modes.CgiTimeoutSeconds,
            })
        {
            AppLimits = options.AppLimits,
        };

        // Browsers fail a handshake that offered subprotocols and got none back, so the
        // first offer is accepted, as websocketd does; the app sees them all in
        // HTTP_SEC_WEBSOCKET_PROTOCOL.
        string? subprotocol = request.Subprotocols.Count > 0 ? request.Subprotocols[0] : null;
        byte[] switching = HttpResponses.SwitchingProtocols(AcceptKey.Compute(request.Key), subprotocol, extensions, options.App.Headers);

        if (mode == AppMode.Socket)
        {
            LaunchSocketApp(socket, request, start, switching, ticket, route.ScriptName, cgi.RemoteUser);
            return;
        }

        // The slots go with whichever worker takes the connection.
        var admission = ticket.Transfer();
        WorkerProcess worker;
        WorkerOutbox outbox;
        DirectPush direct;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                worker = pool.Rent();
            }
            catch (UnixException e)
            {
                admission.Dispose();
                log.Error("cannot start a worker for {Remote}: {Error}", remote, e.Message);
                _ = RefuseForLimitAsync(socket, remote, request, RejectionReason.SpawnFailed);
                return;
            }

            // Registered before the worker can write the 101: what is pushed from now on queues
            // in the outbox, which starts sending once the start frame is out (and writes to
            // the client itself only once the worker has opened the gate, after the 101).
            direct = new DirectPush(socket, worker.Gate, readiness);
            outbox = new WorkerOutbox(worker.Control, direct, connectionId, log);
            registry.Add(new WorkerEntry(worker.Pid, connectionId, route.ScriptName, start.RemoteAddress, cgi.RemoteUser,
                worker.Control, outbox) { Admission = admission, Direct = direct });
            try
            {
                WorkerLauncher.Handover(socket, worker.Control, start with { SwitchingProtocols = switching });
                break;
            }
            catch (Exception e) when (e is UnixException or SocketException or ObjectDisposedException)
            {
                // A spare that died since it was last heard from (killed while idle, say):
                // the client has had no answer yet, so the next worker may take it.
                log.Warning("worker {WorkerPid} could not take {Remote}: {Error}", worker.Pid, remote, e.Message);
                registry.TryRemove(worker.Pid, out _, releaseAdmission: false);
                pool.Discard(worker);
                if (attempt < HandoverAttempts)
                    continue;
                admission.Dispose();
                _ = RefuseForLimitAsync(socket, remote, request, RejectionReason.SpawnFailed);
                return;
            }
        }
        // Our copy of the socket stays open, in the DirectPush, until the connection is over.
        outbox.Start();
        log.Debug("handed {Remote} {Target} to worker {WorkerPid} as {ConnectionId} (user {User})",
            remote, request.Head.Target, worker.Pid, connectionId, cgi.RemoteUser ?? "-");
    }

    /// <summary>Socket mode: the app is the connection's only process, and may speak first:
    /// the launcher sends the 101 before the spawn, and answers a failure itself.</summary>
    private void LaunchSocketApp(Socket socket, WebSocketRequest request, WorkerStart start, byte[] switching, AdmissionTicket ticket,
        string scriptName, string? userId)
    {
        var connectionLog = Logging.ConnectionLog.For(log, start.ConnectionId, start.RemoteAddress);
        if (_socketApps.Launch(socket, switching, start, connectionLog) is not { } app)
            return;
        var outbox = new WorkerOutbox(app.Control, direct: null, start.ConnectionId, log);
        var entry = new WorkerEntry(app.Pid, start.ConnectionId, scriptName, start.RemoteAddress, userId, app.Control, outbox)
        {
            Admission = ticket.Transfer(),
            SocketAppTarget = request.Head.Target,
        };
        entry.AppPid = app.Pid; // its own group leader: shutdown's last resort kills the group
        connectionLog.ForContext(Logging.LogSetup.AccessProperty, true).Information(
            "connection opened: {Path} app={AppPid} mode=socket", request.Head.Target, app.Pid);
        registry.Add(entry);
        reports.Listen(entry); // before the outbox starts: a send that finds the buffer full waits through the poller
        outbox.Start();
    }

    /// <summary>"Retry later" refusals (<see cref="Rejections.IsRetryLater"/>): by default a
    /// 101 and an immediate close 1013 a browser's script can read, else the HTTP status.</summary>
    private Task RefuseForLimitAsync(Socket socket, IPEndPoint remote, WebSocketRequest request, RejectionReason reason) =>
        options.Admission.LimitResponse == LimitResponse.Close
            ? LimitAnswer.SendAsync(socket, remote, request, reason, options.App.Headers, log)
            : RejectAsync(socket, remote, reason, request.Head.Target);

    private async Task RejectAsync(Socket socket, IPEndPoint remote, RejectionReason reason, string? target, string? detail = null)
    {
        int status = Rejections.StatusCode(reason);
        if (detail is null)
            log.Information("rejected {Remote} {Target}: {Status} {Reason}", remote, target ?? "-", status, reason);
        else
            log.Information("rejected {Remote} {Target}: {Status} {Reason} {Detail}", remote, target ?? "-", status, reason, detail);
        try
        {
            await socket.SendAsync(HttpResponses.Rejection(reason, detail, options.App.Headers), SocketFlags.None);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            socket.Dispose(); // the client is gone: nobody to answer
            return;
        }
        await LingeringClose.RunAsync(socket, TimeSpan.FromSeconds(1));
    }

    private static string Format(IPAddress address) =>
        (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
