using System.Text.Unicode;

namespace Supervisor.Protocol.Engine;

/// <summary>
/// Checks a text message for UTF-8 as its pieces arrive (RFC 6455 §8.1), so a bad byte
/// fails the connection when it comes, not when the message ends: a character may be cut
/// between two frames or two reads, and its first bytes are judged as far as they go.
/// Over-long forms, surrogates and code points above U+10FFFF are all invalid (RFC 3629).
/// </summary>
public struct Utf8Stream
{
    private uint _pending;     // the bytes of a character cut short, first byte lowest
    private int _pendingCount;
    private int _pendingNeeds; // that character's whole length

    /// <summary>False if <paramref name="piece"/>, after what came before, cannot be UTF-8.</summary>
    public bool Append(ReadOnlySpan<byte> piece)
    {
        if (_pendingCount > 0)
        {
            while (_pendingCount < _pendingNeeds && !piece.IsEmpty)
            {
                _pending |= (uint)piece[0] << (8 * _pendingCount++);
                piece = piece[1..];
            }
            Span<byte> character = stackalloc byte[4];
            for (int i = 0; i < _pendingCount; i++)
                character[i] = (byte)(_pending >> (8 * i));
            if (_pendingCount < _pendingNeeds)
                return IsValidStart(character[.._pendingCount]);
            _pendingCount = 0;
            _pending = 0;
            if (!Utf8.IsValid(character[.._pendingNeeds]))
                return false;
        }

        int cut = StartOfCutCharacter(piece, out int needs);
        if (!Utf8.IsValid(piece[..cut]))
            return false;
        ReadOnlySpan<byte> tail = piece[cut..];
        if (tail.IsEmpty)
            return true;
        if (!IsValidStart(tail))
            return false;
        for (int i = 0; i < tail.Length; i++)
            _pending |= (uint)tail[i] << (8 * i);
        _pendingCount = tail.Length;
        _pendingNeeds = needs;
        return true;
    }

    /// <summary>At the end of the message: false if it stopped inside a character.</summary>
    public readonly bool IsComplete => _pendingCount == 0;

    /// <summary>Where a character that <paramref name="piece"/> ends before its last byte
    /// starts, or the length of the piece if none does; that character's length.</summary>
    private static int StartOfCutCharacter(ReadOnlySpan<byte> piece, out int needs)
    {
        needs = 0;
        for (int back = 1; back <= Math.Min(3, piece.Length); back++)
        {
            byte b = piece[^back];
            if ((b & 0xC0) == 0x80)
                continue; // a continuation byte: the character starts further back
            int length = LengthFromFirstByte(b);
            if (length > back)
            {
                needs = length;
                return piece.Length - back;
            }
            break;
        }
        return piece.Length;
    }

    /// <summary>1–4 for a byte that can start a character, 0 for one that cannot
    /// (a continuation byte, C0/C1 which only start over-long forms, F5–FF).</summary>
    private static int LengthFromFirstByte(byte b) => b switch
    {
        < 0x80 => 1,
        >= 0xC2 and <= 0xDF => 2,
        >= 0xE0 and <= 0xEF => 3,
        >= 0xF0 and <= 0xF4 => 4,
        _ => 0,
    };

    /// <summary>Whether the first bytes of a character, fewer than it needs, can still
    /// become a valid one: RFC 3629 §4 narrows the second byte after E0, ED, F0 and F4.
    /// The first byte is a valid start already (<see cref="StartOfCutCharacter"/>).</summary>
    private static bool IsValidStart(ReadOnlySpan<byte> start)
    {
        if (start.Length >= 2)
        {
            byte second = start[1];
            bool ok = start[0] switch
            {
                0xE0 => second is >= 0xA0 and <= 0xBF, // else over-long
                0xED => second is >= 0x80 and <= 0x9F, // else a surrogate
                0xF0 => second is >= 0x90 and <= 0xBF, // else over-long
                0xF4 => second is >= 0x80 and <= 0x8F, // else above U+10FFFF
                _ => (second & 0xC0) == 0x80,
            };
            if (!ok)
                return false;
        }
        return start.Length < 3 || (start[2] & 0xC0) == 0x80;
    }
}
