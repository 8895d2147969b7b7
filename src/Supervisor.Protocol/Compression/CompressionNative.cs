using System.Runtime.InteropServices;

namespace Supervisor.Protocol.Compression;

/// <summary>
/// zlib, through the runtime's own shim (<c>libSystem.IO.Compression.Native</c>, zlib-ng
/// since .NET 9): the entry points the BCL's DeflateStream and its WebSocket deflater call,
/// named as in C. Chosen over System.IO.Compression's streams because those cannot be
/// given a window size (RFC 7692 §7.1.2.1: server_max_window_bits binds our deflater),
/// and over the system's libz because the shim is already linked into the NativeAOT
/// binary (the ILCompiler package binds it directly, DirectPInvoke) and sits beside the
/// framework in a JIT run, so nothing new is loaded either way. The only P/Invoke
/// outside Supervisor.Unix: it touches no descriptor, only bytes.
/// </summary>
internal static partial class CompressionNative
{
    private const string Lib = "libSystem.IO.Compression.Native";

    public const int Z_OK = 0;
    public const int Z_STREAM_END = 1;
    public const int Z_STREAM_ERROR = -2;
    public const int Z_DATA_ERROR = -3;
    public const int Z_MEM_ERROR = -4;
    public const int Z_BUF_ERROR = -5;

    public const int Z_NO_FLUSH = 0;
    public const int Z_SYNC_FLUSH = 2;

    public const int Z_DEFAULT_COMPRESSION = -1;
    public const int Z_DEFLATED = 8;
    public const int Z_DEFAULT_STRATEGY = 0;

    /// <summary>The shim's PAL_ZStream (pal_zlib.h): the z_stream it allocates is behind
    /// internalState, and the pointers and counts are copied in and out on every call, so
    /// this struct need not stay put between calls, only during one.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PAL_ZStream
    {
        public nint nextIn;
        public nint nextOut;
        public nint msg;
        public nint internalState;
        public uint availIn;
        public uint availOut;
    }

    [LibraryImport(Lib)]
    public static partial int CompressionNative_DeflateInit2_(ref PAL_ZStream stream, int level, int method, int windowBits, int memLevel, int strategy);

    [LibraryImport(Lib)]
    public static partial int CompressionNative_Deflate(ref PAL_ZStream stream, int flush);

    [LibraryImport(Lib)]
    public static partial int CompressionNative_DeflateEnd(ref PAL_ZStream stream);

    [LibraryImport(Lib)]
    public static partial int CompressionNative_InflateInit2_(ref PAL_ZStream stream, int windowBits);

    [LibraryImport(Lib)]
    public static partial int CompressionNative_Inflate(ref PAL_ZStream stream, int flush);

    [LibraryImport(Lib)]
    public static partial int CompressionNative_InflateEnd(ref PAL_ZStream stream);

    /// <summary>zlib's message for the last error (PAL_ZStream.msg), or the code's name.</summary>
    public static string Describe(in PAL_ZStream stream, int code) =>
        stream.msg != 0 && Marshal.PtrToStringUTF8(stream.msg) is { Length: > 0 } message ? message
        : code switch
        {
            Z_DATA_ERROR => "invalid data",
            Z_MEM_ERROR => "out of memory",
            Z_STREAM_ERROR => "inconsistent stream",
            _ => $"zlib error {code}",
        };
}
