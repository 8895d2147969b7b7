using System.Globalization;
using Supervisor.Handoff;
using Supervisor.Protocol.Frames;
using Supervisor.Unix;

namespace Supervisor.Worker;

/// <summary>
/// <c>ws-supervisor exec-app LIMITS PATH [ARGS…]</c>: started by a worker in place of the
/// app when --limit-* are set. Sets the limits on itself, then execs PATH with argv
/// PATH ARGS… and the environment it was given, byte for byte: the app keeps this pid
/// and process group, so to the worker nothing differs but the limits. A failure is one
/// line on stderr (the worker logs the app's stderr) and exit 127 (no such file) or 126,
/// as a shell would; the worker then closes the connection with 1011 (in socket mode, where
/// there is no worker, this does).
/// </summary>
public static class ExecAppMain
{
    private const int CannotExecute = 126;
    private const int NotFound = 127;

    public static int Run(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("ws-supervisor exec-app: usage: exec-app LIMITS PATH [ARGS...] (workers run this, not people)");
            return 2;
        }
        try
        {
            Apply(AppLimits.Decode(args[0]));
            ExecImage.Replace(args[1], args[1..]);
            return CannotExecute; // not reached: Replace returns only by throwing
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"ws-supervisor exec-app: {e.Message}");
            return 2;
        }
        catch (UnixException e)
        {
            Console.Error.WriteLine($"ws-supervisor exec-app: {e.Message}");
            TellSocketModeClient();
            return e.Errno == 2 /* ENOENT */ ? NotFound : CannotExecute;
        }
    }

    /// <summary>In socket mode (the acceptor started this with the client at fd 3, and says so
    /// in WS_SOCKET_FD) no worker is left to answer the client, and the 101 is out: it gets
    /// the close a worker sends for an app that cannot start, not a bare end of stream.</summary>
    private static void TellSocketModeClient()
    {
        if (Environment.GetEnvironmentVariable(Acceptor.SocketAppLauncher.SocketFdVariable)
            != HandoffContract.ClientSocketFd.ToString(CultureInfo.InvariantCulture))
            return;
        try
        {
            using var client = new FdStream(HandoffContract.ClientSocketFd);
            client.Write(CloseFrame.Server(1011, EndReasons.CloseText(EndReason.AppCouldNotStart)));
        }
        catch (UnixException)
        {
            // The client has gone: nobody to tell.
        }
    }

    private static void Apply(AppLimits limits)
    {
        if (limits.AddressSpaceBytes is ulong bytes)
            ResourceLimit.Set(Resource.AddressSpace, bytes, bytes);
        if (limits.CpuSeconds is ulong seconds)
            ResourceLimit.Set(Resource.Cpu, seconds, AppLimits.CpuHardLimit(seconds));
        if (limits.OpenFiles is ulong files)
            ResourceLimit.Set(Resource.OpenFiles, files, files);
        if (limits.Processes is ulong processes)
            ResourceLimit.Set(Resource.Processes, processes, processes);
    }
}
