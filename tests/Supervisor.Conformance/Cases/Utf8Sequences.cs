using System.Text.Unicode;

namespace Supervisor.Conformance.Cases;

/// <summary>
/// The UTF-8 sequences of Autobahn's cases 6.5–6.23, in its order (so the numbers match),
/// drawn from Markus Kuhn's UTF-8 decoder stress test: each subcategory is a list of
/// (valid?, bytes). Valid means well-formed UTF-8 per RFC 3629 — noncharacters such as
/// U+FFFE included; surrogates, overlong forms and code points past U+10FFFF excluded.
/// </summary>
public static class Utf8Sequences
{
    public sealed record Category(string Title, IReadOnlyList<(bool Valid, byte[] Bytes)> Sequences);

    private static readonly byte[] Kosme = [0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5];

    public static IReadOnlyList<Category> All()
    {
        var missingLast = new byte[][]
        {
            [0xC0], [0xE0, 0x80], [0xF0, 0x80, 0x80], [0xF8, 0x80, 0x80, 0x80], [0xFC, 0x80, 0x80, 0x80, 0x80],
            [0xDF], [0xEF, 0xBF], [0xF7, 0xBF, 0xBF], [0xFB, 0xBF, 0xBF, 0xBF], [0xFD, 0xBF, 0xBF, 0xBF, 0xBF],
        };
        return
        [
            new("Some valid UTF-8 sequences",
            [
                V("hello$world"u8), V("hello\u00A2world"u8), V("hello\u20ACworld"u8), V([.. "hello"u8, 0xF0, 0xA4, 0xAD, 0xA2, .. "world"u8]), V(Kosme),
            ]),
            new("All prefixes of a valid UTF-8 string that contains multi-byte code points",
                Enumerable.Range(1, Kosme.Length).Select(n => (Utf8.IsValid(Kosme.AsSpan(0, n)), Kosme[..n])).ToList()),
            new("First possible sequence of a certain length", [V([0x00]), V([0xC2, 0x80]), V([0xE0, 0xA0, 0x80]), V([0xF0, 0x90, 0x80, 0x80])]),
            new("First possible sequence length 5/6 (invalid codepoints)", [X([0xF8, 0x88, 0x80, 0x80, 0x80]), X([0xFC, 0x84, 0x80, 0x80, 0x80, 0x80])]),
            new("Last possible sequence of a certain length", [V([0x7F]), V([0xDF, 0xBF]), V([0xEF, 0xBF, 0xBF]), V([0xF4, 0x8F, 0xBF, 0xBF])]),
            new("Last possible sequence length 4/5/6 (invalid codepoints)",
                [X([0xF7, 0xBF, 0xBF, 0xBF]), X([0xFB, 0xBF, 0xBF, 0xBF, 0xBF]), X([0xFD, 0xBF, 0xBF, 0xBF, 0xBF, 0xBF])]),
            new("Other boundary conditions",
                [V([0xED, 0x9F, 0xBF]), V([0xEE, 0x80, 0x80]), V([0xEF, 0xBF, 0xBD]), V([0xF4, 0x8F, 0xBF, 0xBF]), X([0xF4, 0x90, 0x80, 0x80])]),
            new("Unexpected continuation bytes",
            [
                X([0x80]), X([0xBF]), X([0x80, 0xBF]), X([0x80, 0xBF, 0x80]), X([0x80, 0xBF, 0x80, 0xBF]),
                X([0x80, 0xBF, 0x80, 0xBF, 0x80]), X([0x80, 0xBF, 0x80, 0xBF, 0x80, 0xBF]), X(Range(0x80, 0xBE).ToArray()),
            ]),
            new("Lonely start characters",
                new[] { (0xC0, 0xDE), (0xE0, 0xEE), (0xF0, 0xF6), (0xF8, 0xFA), (0xFC, 0xFC) }
                    .Select(r => X(Range(r.Item1, r.Item2).SelectMany(b => new[] { b, (byte)0x20 }).ToArray())).ToList()),
            new("Sequences with last continuation byte missing", missingLast.Select(X).ToList()),
            new("Concatenation of incomplete sequences", [X(missingLast.SelectMany(b => b).ToArray())]),
            new("Impossible bytes", [X([0xFE]), X([0xFF]), X([0xFE, 0xFE, 0xFF, 0xFF])]),
            new("Examples of an overlong ASCII character",
                [X([0xC0, 0xAF]), X([0xE0, 0x80, 0xAF]), X([0xF0, 0x80, 0x80, 0xAF]), X([0xF8, 0x80, 0x80, 0x80, 0xAF]), X([0xFC, 0x80, 0x80, 0x80, 0x80, 0xAF])]),
            new("Maximum overlong sequences",
                [X([0xC1, 0xBF]), X([0xE0, 0x9F, 0xBF]), X([0xF0, 0x8F, 0xBF, 0xBF]), X([0xF8, 0x87, 0xBF, 0xBF, 0xBF]), X([0xFC, 0x83, 0xBF, 0xBF, 0xBF, 0xBF])]),
            new("Overlong representation of the NUL character",
                [X([0xC0, 0x80]), X([0xE0, 0x80, 0x80]), X([0xF0, 0x80, 0x80, 0x80]), X([0xF8, 0x80, 0x80, 0x80, 0x80]), X([0xFC, 0x80, 0x80, 0x80, 0x80, 0x80])]),
            new("Single UTF-16 surrogates",
                new byte[] { 0xA0, 0xAD, 0xAE, 0xAF, 0xB0, 0xBE, 0xBF }.Select((second, i) => X([0xED, second, i is 0 or 2 or 4 or 5 ? (byte)0x80 : (byte)0xBF])).ToList()),
            new("Paired UTF-16 surrogates",
                (from high in new byte[][] { [0xED, 0xA0, 0x80], [0xED, 0xAD, 0xBF], [0xED, 0xAE, 0x80], [0xED, 0xAF, 0xBF] }
                 from low in new byte[][] { [0xED, 0xB0, 0x80], [0xED, 0xBF, 0xBF] }
                 select X([.. high, .. low])).ToList()),
            new("Non-character code points (valid UTF-8)", NonCharacters().Select(V).ToList()),
            new("Unicode specials (i.e. replacement char)",
                Range(0xB9, 0xBF).Select(last => V([0xEF, 0xBF, last])).ToList()),
        ];
    }

    /// <summary>U+FFFE, U+FFFF and the last two code points of planes 1–16.</summary>
    private static IEnumerable<byte[]> NonCharacters()
    {
        yield return [0xEF, 0xBF, 0xBE];
        yield return [0xEF, 0xBF, 0xBF];
        foreach (byte first in Range(0xF0, 0xF4))
        {
            foreach (byte second in new byte[] { 0x8F, 0x9F, 0xAF, 0xBF })
            {
                if (first == 0xF4 && second != 0x8F)
                    continue; // past U+10FFFF
                if (first == 0xF0 && second == 0x8F)
                    continue; // overlong
                foreach (byte last in new byte[] { 0xBE, 0xBF })
                    yield return [first, second, 0xBF, last];
            }
        }
    }

    private static IEnumerable<byte> Range(int first, int last) => Enumerable.Range(first, last - first + 1).Select(b => (byte)b);

    private static (bool, byte[]) V(ReadOnlySpan<byte> bytes) => (true, bytes.ToArray());

    private static (bool, byte[]) V(byte[] bytes) => (true, bytes);

    private static (bool, byte[]) X(byte[] bytes) => (false, bytes);
}
