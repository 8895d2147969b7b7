using Supervisor.Handoff;
using Supervisor.Unix;

namespace Supervisor.Worker;

/// <summary>
/// <c>ws-supervisor worker</c>: started by the acceptor, never by hand. Adopts the control
/// channel (fd 4) and the send gate's page (fd 5), and serves the connections the acceptor hands it, one at a time, until
/// it is told to retire (see <see cref="WorkerLoop"/>).
/// </summary>
public static class WorkerMain
{
    public static int Run(string[] args)
    {
        int control;
        SendGate sendGate;
        try
        {
            if (args.Contains(HandoffContract.NonDumpableFlag))
                Privileges.MakeNonDumpable();
            control = InheritedSocket.Check(HandoffContract.ControlFd);
            sendGate = new SendGate(SharedPage.Map(HandoffContract.SendGateFd));
            FdPair.Close(HandoffContract.SendGateFd); // mapped; the number is free again
        }
        catch (Exception e) when (e is UnixException or InvalidOperationException)
        {
            Console.Error.WriteLine($"ws-supervisor worker: {e.Message} (workers are started by the acceptor, not by hand)");
            return 2;
        }
        using var link = new WorkerLink(control);
        using (sendGate)
            return new WorkerLoop(link, sendGate).Run();
    }
}
