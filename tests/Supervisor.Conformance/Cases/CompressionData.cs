using System.Text;

namespace Supervisor.Conformance.Cases;

/// <summary>
/// Stand-ins for Autobahn's group 12/13 test files (a JSON file, Lena as a bitmap, Goethe's
/// Faust, an HTML page, a PDF), generated from fixed seeds so every run sends the same
/// bytes: the same kinds of data — structured text, smooth image, prose, markup, nearly
/// incompressible binary — not the same files. Text sets are ASCII, so a slice at any
/// byte is still valid UTF-8.
/// </summary>
public static class CompressionData
{
    public sealed record DataSet(string Name, bool Binary, byte[] Bytes);

    private static readonly Lazy<DataSet[]> Sets = new(() =>
    [
        new("Large JSON data file", false, Json()),
        new("Picture, bitmap 512x512 grey", true, Bitmap()),
        new("Human readable text, German prose", true, Prose()),
        new("Large HTML file", false, Html()),
        new("A larger PDF-like binary", true, PdfLike()),
    ]);

    /// <summary>12.1 … 12.5, in Autobahn's order of subcategories.</summary>
    public static IReadOnlyList<DataSet> All => Sets.Value;

    private static byte[] Json()
    {
        var random = new Random(1);
        var text = new StringBuilder("[");
        string[] tags = ["alpha", "beta", "gamma", "delta", "omega"];
        for (int i = 0; text.Length < 190_000; i++)
        {
            if (i > 0)
                text.Append(',');
            text.Append($$"""{"id":{{i}},"name":"user_{{random.Next(100000)}}","email":"u{{random.Next(100000)}}@example.org","active":{{(random.Next(2) == 0 ? "true" : "false")}},"score":{{random.Next(10000) / 100.0:0.00}},"tags":["{{tags[random.Next(5)]}}","{{tags[random.Next(5)]}}"]}""");
        }
        return Encoding.ASCII.GetBytes(text.Append(']').ToString());
    }

    private static byte[] Html()
    {
        var random = new Random(4);
        var text = new StringBuilder("<!DOCTYPE html><html><head><title>Report</title></head><body><table>\n");
        for (int i = 0; text.Length < 260_000; i++)
            text.Append($"<tr class=\"row{i % 2}\"><td>{i}</td><td><a href=\"/item/{random.Next(50000)}\">Item {random.Next(50000)}</a></td><td>{random.Next(1000)}.{random.Next(100):00} EUR</td></tr>\n");
        return Encoding.ASCII.GetBytes(text.Append("</table></body></html>\n").ToString());
    }

    private static byte[] Prose()
    {
        var random = new Random(3);
        string[] words = ["Habe", "nun", "ach", "Philosophie", "Juristerei", "und", "Medizin", "leider", "auch", "Theologie",
            "durchaus", "studiert", "mit", "heißem", "Bemühn", "da", "steh", "ich", "armer", "Tor", "bin", "so", "klug", "als", "wie", "zuvor", "Größe", "Übermut"];
        var text = new StringBuilder();
        while (text.Length < 220_000)
        {
            int length = 5 + random.Next(10);
            for (int i = 0; i < length; i++)
                text.Append(words[random.Next(words.Length)]).Append(i == length - 1 ? ".\n" : " ");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static byte[] Bitmap()
    {
        var random = new Random(2);
        const int size = 512;
        var bytes = new byte[1078 + size * size]; // BMP headers and a 256-entry palette, then pixels
        "BM"u8.CopyTo(bytes);
        for (int i = 0; i < 256; i++)
            bytes[54 + i * 4] = bytes[55 + i * 4] = bytes[56 + i * 4] = (byte)i;
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                double shade = 128 + 60 * Math.Sin(x / 37.0) * Math.Cos(y / 23.0) + 40 * Math.Sin((x + y) / 91.0);
                bytes[1078 + y * size + x] = (byte)Math.Clamp(shade + random.Next(-6, 7), 0, 255);
            }
        }
        return bytes;
    }

    private static byte[] PdfLike()
    {
        var random = new Random(5);
        var output = new MemoryStream();
        output.Write("%PDF-1.4\n"u8);
        for (int i = 0; output.Length < 1_040_000; i++)
        {
            output.Write(Encoding.ASCII.GetBytes($"{i} 0 obj << /Length 4096 /Filter /FlateDecode >>\nstream\n"));
            var noise = new byte[4096];
            random.NextBytes(noise);
            output.Write(noise);
            output.Write("\nendstream\nendobj\n"u8);
        }
        return output.ToArray();
    }
}
