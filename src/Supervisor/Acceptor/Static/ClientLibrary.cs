using System.Security.Cryptography;

namespace Supervisor.Acceptor.Static;

/// <summary>
/// The browser client library, built into the binary (an EmbeddedResource, which NativeAOT
/// keeps) and served on every server, with or without --staticdir, so any page can load
/// the copy that matches the server it talks to: /ws-supervisor.js as a classic script
/// (it sets window.WsSupervisor) and /ws-supervisor.mjs as an ES module.
/// </summary>
/// <remarks>Its ETag is what lets Cache-Control: no-cache work: the browser revalidates on
/// every load and gets a 304 until the server is upgraded to another library.</remarks>
public static class ClientLibrary
{
    public const string ScriptPath = "/ws-supervisor.js";
    public const string ModulePath = "/ws-supervisor.mjs";

    private static readonly Lazy<LibraryFile> s_script = new(() => Load("ws-supervisor.js"));
    private static readonly Lazy<LibraryFile> s_module = new(() => Load("ws-supervisor.mjs"));

    /// <summary>The file served at <paramref name="rawPath"/>, or null if it is not one of ours.</summary>
    public static LibraryFile? Find(string rawPath) => rawPath switch
    {
        ScriptPath => s_script.Value,
        ModulePath => s_module.Value,
        _ => null,
    };

    private static LibraryFile Load(string name)
    {
        using var stream = typeof(ClientLibrary).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"resource {name} is missing from the binary");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        // A hash of the content, not the binary's build time: a rebuild that leaves the
        // library as it was keeps every browser's copy valid (RFC 9110 §8.8.3).
        string etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 12)) + "\"";
        return new LibraryFile(bytes, etag);
    }
}

/// <summary>One file of the library: its bytes and its entity-tag (quotes included).</summary>
public sealed record LibraryFile(byte[] Content, string ETag);
