using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Serilog;
using Supervisor.Handoff;
using Supervisor.Protocol.Lines;
using Supervisor.Unix;

namespace Supervisor.Acceptor.Bus;

/// <summary>
/// One control client's connection: its request lines answered in order, at the pace the
/// client reads the answers, and closed when it has asked nothing for a while. Unless its
/// first request is a worker's `adopt` (<see cref="Adoptions"/>): then the connection
/// leaves the session, and with it the idle timeout and the count of open connections.
/// </summary>
/// <remarks>
/// Requests are answered one at a time, and while more than <see cref="MaxUnsentAnswerBytes"/>
/// of answers wait for the client, no further request is read: a client that pipelines
/// thousands of `list` and reads nothing costs the acceptor 64 KiB plus one answer, and
/// the kernel's socket buffer, instead of every answer at once (measured before: 100 such
/// clients took the acceptor from 37 MB to ~900 MB).
/// </remarks>
internal sealed class ControlSession(Socket client, ControlCommands commands, Adoptions? adoptions, int maxMessageBytes,
    ILogger log)
{
    /// <summary>Well above one answer of the CLI's or a PHP page's (`ok N`, a `list` of a few
    /// hundred connections), and below the ~208 KiB the kernel buffers on a unix socket,
    /// so a client that reads keeps the socket full and never waits on the bound.</summary>
    public const int MaxUnsentAnswerBytes = 64 * 1024;

    /// <summary>Every request is answered at once and the sub-commands give up after 2 s:
    /// a connection that asks nothing, or reads none of its answers, for 10 s is a leak or
    /// a hog, and each holds an acceptor descriptor. Nothing in the protocol streams.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(10);

    private readonly ArrayBufferWriter<byte> _unsent = new(4096);
    private readonly CancellationTokenSource _idle = new(IdleTimeout);

    /// <summary>True if the connection was adopted: the socket is the registry's now.</summary>
    public async Task<bool> RunAsync()
    {
        using var _ = _idle;
        var peer = PeerCredentials.Of(client);
        int answered = 0;
        AdoptRequest? adopting = null;
        string peerName = peer is { } p ? PeerName(p.Uid) : "?";
        int peerPid = peer?.Pid ?? 0;
        uint peerUid = peer?.Uid ?? uint.MaxValue;
        var peerLog = log.ForContext("PeerPid", peerPid).ForContext("PeerUid", peerUid);
        void Answer(ReadOnlyMemory<byte> line)
        {
            answered++;
            if (line.Span.StartsWith(AdoptPrefix) || line.Span.SequenceEqual(AdoptPrefix.TrimEnd((byte)' ')))
            {
                AnswerAdopt(line.Span[Math.Min(AdoptPrefix.Length, line.Length)..], answered == 1, peer, peerLog, ref adopting);
                _idle.CancelAfter(IdleTimeout);
                return;
            }
            string answer = commands.Execute(line.Span);
            var (pushes, summary) = ControlAudit.Describe(line.Span);
            const string Template = "control: {Command} from uid {PeerUid} ({PeerUser}) pid {PeerPid}: {Answer}";
            if (pushes)
                peerLog.Information(Template, summary, peerUid, peerName, peerPid, answer);
            else
                peerLog.Debug(Template, summary, peerUid, peerName, peerPid, Shorten(answer));
            Add(answer);
            _idle.CancelAfter(IdleTimeout);
        }

        // A request line carries a message plus a short command and target.
        var splitter = new LineSplitter(maxMessageBytes + 1024);
        byte[] buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int n;
                try
                {
                    n = await client.ReceiveAsync(buffer, SocketFlags.None, _idle.Token);
                }
                catch (OperationCanceledException)
                {
                    await SayIdleAsync(peerLog);
                    return false;
                }
                if (n == 0)
                    break;
                // One line at a time, so the bound is checked between any two answers.
                for (int start = 0; start < n;)
                {
                    int newline = buffer.AsSpan(start, n - start).IndexOf((byte)'\n');
                    int end = newline < 0 ? n : start + newline + 1;
                    bool ok = splitter.Feed(buffer.AsSpan(start, end - start), Answer);
                    start = end;
                    if (!ok)
                    {
                        Add("error request line longer than --max-message");
                        await SendAsync();
                        return false;
                    }
                    if (adopting is not null)
                    {
                        // The worker waits for the answer before it says anything more: bytes
                        // after the request would be lost between the two protocols.
                        if (start < n)
                            Add("error adopt: nothing may follow it before its answer");
                        else if (adoptions!.Adopt(client, adopting, peerPid) is { } refusal)
                            Add(refusal);
                        else
                            return true;
                        adopting = null;
                    }
                    if (_unsent.WrittenCount > MaxUnsentAnswerBytes)
                        await SendAsync();
                }
                await SendAsync();
            }
            // A last request without a newline (PHP's fwrite without "\n") still counts.
            splitter.Flush(Answer);
            if (adopting is not null)
                Add("error adopt: the connection was shut down before its answer");
            await SendAsync();
        }
        catch (SocketException e)
        {
            peerLog.Debug("control client left: {Error}", e.Message);
        }
        catch (OperationCanceledException)
        {
            peerLog.Debug("control client read none of its answers for {Seconds} s: closed", IdleTimeout.TotalSeconds);
        }
        return false;
    }

    private static ReadOnlySpan<byte> AdoptPrefix => "adopt "u8;

    /// <summary>Checks an `adopt` request; a sound one is left in <paramref name="adopting"/>
    /// for the read loop to carry out once nothing else is pending, anything else answered
    /// with one error line (and a refused peer logged as a warning).</summary>
    private void AnswerAdopt(ReadOnlySpan<byte> json, bool first, PeerCredentials? peer, ILogger peerLog,
        ref AdoptRequest? adopting)
    {
        if (adoptions is null)
        {
            Add("error unknown command 'adopt' (try: help)");
            return;
        }
        if (Adoptions.Refusal(peer, FileOwnership.EffectiveUserId) is { } refusal)
        {
            if (adoptions.FirstRefusalOf(peer?.Uid ?? uint.MaxValue))
                peerLog.Warning("control: {Refusal} (pid {PeerPid}); connections that outlived a server running as another " +
                    "user cannot join this one (said once per uid)", refusal, peer?.Pid ?? 0);
            else
                peerLog.Debug("control: {Refusal} (pid {PeerPid})", refusal, peer?.Pid ?? 0);
            Add("error " + refusal);
            return;
        }
        if (!first)
        {
            Add("error adopt must be the first request on its connection");
            return;
        }
        if (AdoptRequest.Parse(json, out string error) is not { } request)
        {
            Add("error adopt: " + error);
            return;
        }
        adopting = request;
    }

    private void Add(string answer)
    {
        Encoding.UTF8.GetBytes(answer, _unsent);
        _unsent.Write("\n"u8);
    }

    private async Task SendAsync()
    {
        if (_unsent.WrittenCount == 0)
            return;
        await client.SendAsync(_unsent.WrittenMemory, SocketFlags.None, _idle.Token);
        _unsent.ResetWrittenCount();
        _idle.CancelAfter(IdleTimeout);
        // Requests are answered synchronously: a client that pipelines and reads as fast
        // gives the thread back here, so other clients' answers do not wait behind it.
        await Task.Yield();
    }

    /// <summary>Tells the client why before closing; a client that is not reading
    /// does not hold the close up.</summary>
    private async Task SayIdleAsync(ILogger peerLog)
    {
        peerLog.Debug("control client sent no request for {Seconds} s: closed", IdleTimeout.TotalSeconds);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            byte[] line = Encoding.ASCII.GetBytes($"error no request for {IdleTimeout.TotalSeconds} s: closing the connection\n");
            await client.SendAsync(line, SocketFlags.None, patience.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // It is closed either way.
        }
    }

    private static string PeerName(uint uid)
    {
        try
        {
            return UserAccount.Find(uid)?.Name ?? "no name";
        }
        catch (UnixException)
        {
            return "no name";
        }
    }

    /// <summary>list and count answers can be long; the debug line needs their start only.</summary>
    private static string Shorten(string answer) => answer.Length <= 120 ? answer : answer[..120] + "…";
}
