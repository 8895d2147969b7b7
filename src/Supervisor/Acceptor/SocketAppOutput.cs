using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Serilog;
using Supervisor.Protocol.Lines;

namespace Supervisor.Acceptor;

/// <summary>
/// A socket-mode app's stdout and stderr: one end of a socket pair the app holds as fd 1
/// and 2, read by the acceptor until EOF (the app and any child it left holding it have
/// closed it), each line logged with the connection's id, as a worker logs its app's
/// stderr. Written straight to the server's stderr, they had no connection id and broke
/// --log-format=json. A socket, not a pipe, so that waiting costs no thread (the runtime
/// polls it), and a zero-byte receive waits, so an idle app's output holds no buffer.
/// </summary>
public static class SocketAppOutput
{
    /// <summary>Longest line logged whole, as for a worker's app; a longer one is dropped.</summary>
    private const int MaxLineBytes = 64 * 1024;

    private const int ReadSize = 4096;

    public static async Task PumpAsync(Socket output, ILogger log)
    {
        using (output)
        {
            var splitter = new LineSplitter(MaxLineBytes);
            void Log(ReadOnlyMemory<byte> line) => log.Information("app output: {AppOutput}", Encoding.UTF8.GetString(line.Span));
            try
            {
                while (true)
                {
                    await output.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                    byte[] buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
                    try
                    {
                        int n = await output.ReceiveAsync(buffer.AsMemory(0, ReadSize), SocketFlags.None);
                        if (n == 0)
                            break;
                        if (!splitter.Feed(buffer.AsSpan(0, n), Log))
                            splitter = new LineSplitter(MaxLineBytes); // drop an endless line, keep logging
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }
                }
                splitter.Flush(Log);
            }
            catch (SocketException)
            {
                // A reset is an end like any other.
            }
        }
    }
}
