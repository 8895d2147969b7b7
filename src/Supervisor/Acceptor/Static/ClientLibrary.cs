using System.Reflection;

namespace Supervisor.Acceptor.Static;

/// <summary>
/// The browser client library, built into the binary (an EmbeddedResource, which NativeAOT
/// keeps) and served on every server, with or without --staticdir, so any page can load
/// the copy that matches the server it talks to: /ws-supervisor.js as a classic script
/// (it sets window.WsSupervisor) and /ws-supervisor.mjs as an ES module.
/// </summary>
public static class ClientLibrary
{
    public const string ScriptPath = "/ws-supervisor.js";
    public const string ModulePath = "/ws-supervisor.mjs";

    private static readonly Lazy<byte[]> s_script = new(() => Load("ws-supervisor.js"));
    private static readonly Lazy<byte[]> s_module = new(() => Load("ws-supervisor.mjs"));

    /// <summary>The file served at <paramref name="rawPath"/>, or null if it is not one of ours.</summary>
    public static byte[]? Find(string rawPath) => rawPath switch
    {
        ScriptPath => s_script.Value,
        ModulePath => s_module.Value,
        _ => null,
    };

    private static byte[] Load(string name)
    {
        using var stream = typeof(ClientLibrary).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"resource {name} is missing from the binary");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
