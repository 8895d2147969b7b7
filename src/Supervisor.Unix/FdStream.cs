using System.Runtime.InteropServices;

namespace Supervisor.Unix;

/// <summary>
/// Blocking read/write on a raw pipe fd we own, for the worker's dedicated pump
/// threads. Cheaper than a FileStream (no buffering layer, no seek probing) and
/// explicit about EINTR, EOF and EPIPE.
/// </summary>
public sealed unsafe class FdStream : IDisposable
{
    private int _fd;

    public FdStream(int fd) => _fd = fd;

    public int Fd => _fd;

    /// <summary>Bytes read, 0 at end of file.</summary>
    public int Read(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                nint n = LibC.read(_fd, p, buffer.Length);
                if (n >= 0)
                    return (int)n;
                int errno = Marshal.GetLastPInvokeError();
                if (errno != LibC.EINTR)
                    throw new UnixException("read", errno);
            }
        }
    }

    /// <summary>Writes everything; throws UnixException (EPIPE) if the reader has gone.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            int done = 0;
            while (done < data.Length)
            {
                nint n = LibC.write(_fd, p + done, data.Length - done);
                if (n >= 0)
                {
                    done += (int)n;
                    continue;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (errno != LibC.EINTR)
                    throw new UnixException("write", errno);
            }
        }
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
            LibC.close(fd);
    }
}
