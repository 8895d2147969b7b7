namespace Supervisor.Protocol.Static;

/// <summary>
/// Content-Type by file extension, for the types a web page is made of. Browsers refuse
/// a module script or a stylesheet served with the wrong type (and with nosniff, any
/// script), so these must be exact; text types say UTF-8 so a page need not.
/// Anything unknown is application/octet-stream: downloaded, never rendered or run.
/// </summary>
public static class ContentTypes
{
    public const string Fallback = "application/octet-stream";

    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".htm"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",     // RFC 9239 §6
        [".mjs"] = "text/javascript; charset=utf-8",
        [".json"] = "application/json",                  // RFC 8259 §11: no charset parameter
        [".map"] = "application/json",
        [".webmanifest"] = "application/manifest+json",
        [".txt"] = "text/plain; charset=utf-8",
        [".md"] = "text/markdown; charset=utf-8",
        [".csv"] = "text/csv; charset=utf-8",
        [".xml"] = "application/xml",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".gif"] = "image/gif",
        [".webp"] = "image/webp",
        [".avif"] = "image/avif",
        [".ico"] = "image/x-icon",
        [".wasm"] = "application/wasm",                 // WebAssembly.instantiateStreaming needs it
        [".woff"] = "font/woff",
        [".woff2"] = "font/woff2",
        [".ttf"] = "font/ttf",
        [".otf"] = "font/otf",
        [".mp3"] = "audio/mpeg",
        [".ogg"] = "audio/ogg",
        [".wav"] = "audio/wav",
        [".mp4"] = "video/mp4",
        [".webm"] = "video/webm",
        [".pdf"] = "application/pdf",
        [".zip"] = "application/zip",
    };

    public static string For(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        string extension = Path.GetExtension(fileName);
        return ByExtension.TryGetValue(extension, out var type) ? type : Fallback;
    }
}
