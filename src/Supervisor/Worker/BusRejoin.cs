using System.Text;
using Serilog;
using Supervisor.Handoff;
using Supervisor.Unix;

namespace Supervisor.Worker;

/// <summary>
/// A connection whose acceptor has gone (killed: kill -9, the OOM killer) keeps running,
/// and this brings it back onto the bus: about once a second it tries the control socket
/// of whatever server now runs in the acceptor's place, and asks it to adopt the
/// connection (<see cref="AdoptRequest"/>). Once adopted, that connection is its control
/// channel: pushed messages arrive on it as they did on fd 4, and "going away" too. If
/// that server goes as well, it starts over. It stops when the connection is over.
/// </summary>
public sealed class BusRejoin(SessionLink session, string controlPath, Func<bool> serving, Action goAway)
{
    /// <summary>One connect(2) a second per surviving connection: cheap while nothing
    /// listens (ECONNREFUSED at once), and a new server has them back within a second or so.
    /// The jitter spreads a thousand survivors over a quarter of a second instead of one
    /// burst at the control socket's backlog.</summary>
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);
    private const int RetryJitterMs = 250;

    /// <summary>How long one attempt may take: connect, the request, the answer.</summary>
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(2);

    private const int MaxAnswerBytes = 1024;

    private ILogger? Log => session.Log;

    public void Run()
    {
        Log?.Information("the acceptor has gone; the connection carries on, and rejoins the bus of a server started in its place ({Control})",
            controlPath);
        string? lastFailure = null;
        while (serving())
        {
            Thread.Sleep(RetryInterval + TimeSpan.FromMilliseconds(Random.Shared.Next(RetryJitterMs)));
            if (!serving())
                return;
            WorkerLink? link = TryJoin(out string failure);
            if (link is null)
            {
                // Said once per kind of failure: "nothing listening" every second would flood the log.
                if (failure != lastFailure)
                    Log?.Information("not on the bus yet: {Failure}", failure);
                lastFailure = failure;
                continue;
            }
            lastFailure = null;
            Log?.Information("rejoined the bus at {Control}", controlPath);
            using (link)
                ReadUntilEnd(link);
            if (serving())
                Log?.Information("the server at {Control} has gone too; the connection carries on and tries again", controlPath);
        }
    }

    /// <summary>Frames from the adopting server, as from the acceptor: messages in order.</summary>
    private void ReadUntilEnd(WorkerLink link)
    {
        try
        {
            while (link.Read() is var (frame, descriptor))
            {
                if (descriptor >= 0)
                    FdPair.Close(descriptor); // never sent on this channel
                switch (frame.Type)
                {
                    case FrameType.Text:
                        session.Deliver(frame.Payload);
                        break;
                    case FrameType.GoingAway:
                        goAway();
                        break;
                }
            }
        }
        catch (Exception e) when (e is UnixException or InvalidDataException)
        {
            Log?.Debug("the adopting server's channel failed: {Error}", e.Message);
        }
    }

    /// <summary>The channel to a server that adopted the connection, or null and why not.</summary>
    private WorkerLink? TryJoin(out string failure)
    {
        int fd;
        try
        {
            fd = UnixSocketFile.ConnectDescriptor(controlPath, AttemptTimeout);
        }
        catch (UnixException e)
        {
            failure = e.Message;
            return null;
        }
        var attempt = new FdStream(fd);
        try
        {
            // The server's user is the one its workers run as: a socket at that path served
            // by anyone else is not the server, and must not learn this client's user and path.
            uint own = FileOwnership.EffectiveUserId;
            if (PeerCredentials.Of(fd) is not { } peer || peer.Uid != own)
            {
                failure = $"{controlPath} is not served by this worker's user (uid {own})";
                return null;
            }
            attempt.Write(Encoding.UTF8.GetBytes(session.DescribeForAdoption().ToLine()));
            string? answer = ReadAnswer(attempt, DateTime.UtcNow + AttemptTimeout);
            if (answer != AdoptRequest.Accepted)
            {
                failure = $"{controlPath} answered: {answer ?? "nothing"}";
                return null;
            }
            failure = "";
            attempt = null; // the link owns the descriptor from here on
            return new WorkerLink(fd);
        }
        catch (UnixException e)
        {
            failure = $"{controlPath}: {e.Message}";
            return null;
        }
        finally
        {
            attempt?.Dispose();
        }
    }

    /// <summary>One line, read a byte at a time (the frames that follow it are the link's),
    /// or null if it does not come whole by <paramref name="deadline"/>.</summary>
    private static string? ReadAnswer(FdStream stream, DateTime deadline)
    {
        var line = new List<byte>();
        byte[] one = new byte[1];
        while (line.Count < MaxAnswerBytes)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !ReadinessPoll.WaitReadable(stream.Fd, left) || stream.Read(one) == 0)
                return null;
            if (one[0] == (byte)'\n')
                return Encoding.UTF8.GetString(line.ToArray());
            line.Add(one[0]);
        }
        return null;
    }
}
