using System.Net.Sockets;
using Serilog;
using Supervisor.Handoff;

namespace Supervisor.Worker;

/// <summary>
/// Broadcasts and targeted messages from the acceptor go to the client; the task
/// completes when the acceptor says "going away". If the acceptor goes away itself, the
/// connection lives on without the bus: it is the client's, not the acceptor's.
/// </summary>
public static class ControlForwarder
{
    public static async Task ForwardUntilGoingAwayAsync(ControlChannel control, ClientSender sender, ILogger log)
    {
        try
        {
            while (await control.ReadAsync() is { } frame)
            {
                switch (frame.Type)
                {
                    case FrameType.Text:
                        await sender.SendTextAsync(frame.Payload);
                        break;
                    case FrameType.GoingAway:
                        return;
                }
            }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or InvalidDataException)
        {
            log.Debug("control channel failed: {Error}", e.Message);
        }
        log.Debug("acceptor gone; the connection carries on");
        await Task.Delay(Timeout.Infinite);
    }
}
