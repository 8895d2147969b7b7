using System.Buffers;
using Supervisor.Protocol.Lines;
using Supervisor.Unix;

namespace Supervisor.Worker;

/// <summary>
/// App → client (stdout, one line = one text message) on a thread of its own doing
/// blocking reads: a pipe has no readiness notification in the runtime's socket engine,
/// and a dedicated reader is the cheapest way never to make the two directions wait on
/// each other. Each line goes to the client from the same thread (the client stream
/// blocks too), so a line out costs no thread hop. (stderr goes to the log from
/// <see cref="AppWatcher"/>.)
/// </summary>
public static class AppOutputPump
{
    /// <summary>How the app's stdout ended. <see cref="FramingError"/>: exact-mode output that
    /// breaks the framing (or a message over --max-message), so the stream cannot be trusted.</summary>
    public enum Outcome { EndOfOutput, LineTooLong, ClientGone, FramingError }

    private const int ReadSize = 16 * 1024;

    public static Task<Outcome> StartStdout(FdStream stdout, ClientSender sender, int maxLineBytes) =>
        RunOnThread("app-stdout", () =>
        {
            var splitter = new LineSplitter(maxLineBytes);
            bool clientGone = false;
            // One delegate for the connection: a local function passed as an argument
            // becomes a new delegate at every call, an allocation per read of stdout.
            Action<ReadOnlyMemory<byte>> send = line =>
            {
                if (!clientGone && !sender.SendText(line))
                    clientGone = true;
            };

            // Rented: the worker's next connection reuses it (and this thread) instead of
            // leaving 16 KiB of garbage per connection on the heap.
            byte[] buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
            try
            {
                int n;
                while ((n = ReadOrEof(stdout, buffer)) > 0)
                {
                    if (!splitter.Feed(buffer.AsSpan(0, n), send))
                        return Outcome.LineTooLong;
                    if (clientGone)
                        return Outcome.ClientGone;
                }
                splitter.Flush(send);
                return clientGone ? Outcome.ClientGone : Outcome.EndOfOutput;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        });

    internal static int ReadOrEof(FdStream stream, byte[] buffer)
    {
        try
        {
            return stream.Read(buffer);
        }
        catch (Exception e) when (e is UnixException or ObjectDisposedException)
        {
            return 0;
        }
    }

    internal static Task<Outcome> RunOnThread(string name, Func<Outcome> body) => DedicatedThread.Run(name, body);
}
