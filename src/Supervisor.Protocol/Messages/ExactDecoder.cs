namespace Supervisor.Protocol.Messages;

/// <summary>Why an app's exact-mode output could not be read; the session ends on any.</summary>
public enum ExactDecodeError
{
    None,
    /// <summary>The header line is not <c>T LEN</c> or <c>B LEN</c>.</summary>
    BadHeader,
    /// <summary>LEN is larger than the message limit (--max-message).</summary>
    TooLong,
    /// <summary>The byte after the payload is not <c>\n</c>: the app miscounted.</summary>
    MissingNewline,
    /// <summary>The output ended inside a message.</summary>
    Truncated,
}

/// <summary>
/// Reads the <see cref="ExactFraming"/> stream an app writes to stdout, fed in whatever
/// chunks the pipe delivers. A message is handed to the callback once it is whole,
/// trailing newline included; the memory is valid only during the call. After an error
/// the decoder stays failed. Not thread-safe: one reader per stream.
/// </summary>
public sealed class ExactDecoder(int maxMessageBytes)
{
    private enum State { Header, Payload, Trailer, Failed }

    private readonly byte[] _header = new byte[ExactFraming.MaxHeaderBytes];
    private int _headerCount;
    private State _state;
    private MessageKind _kind;
    private byte[] _payload = [];
    private int _expected;
    private int _filled;
    private ExactDecodeError _failure;

    /// <summary>Consumes all of <paramref name="input"/>; returns the first error, or None.</summary>
    public ExactDecodeError Feed(ReadOnlySpan<byte> input, Action<MessageKind, ReadOnlyMemory<byte>> onMessage)
    {
        while (!input.IsEmpty)
        {
            switch (_state)
            {
                case State.Failed:
                    return _failure;

                case State.Header:
                {
                    int newline = input.IndexOf((byte)'\n');
                    int take = newline < 0 ? input.Length : newline + 1;
                    if (_headerCount + take > _header.Length)
                        return Fail(ExactDecodeError.BadHeader);
                    input[..take].CopyTo(_header.AsSpan(_headerCount));
                    _headerCount += take;
                    input = input[take..];
                    if (newline < 0)
                        break;
                    var error = ParseHeader(_header.AsSpan(0, _headerCount - 1));
                    if (error != ExactDecodeError.None)
                        return Fail(error);
                    _headerCount = 0;
                    _filled = 0;
                    _payload = _expected == 0 ? [] : new byte[_expected];
                    _state = _expected == 0 ? State.Trailer : State.Payload;
                    break;
                }

                case State.Payload:
                {
                    int take = Math.Min(input.Length, _expected - _filled);
                    input[..take].CopyTo(_payload.AsSpan(_filled));
                    _filled += take;
                    input = input[take..];
                    if (_filled == _expected)
                        _state = State.Trailer;
                    break;
                }

                case State.Trailer:
                    if (input[0] != (byte)'\n')
                        return Fail(ExactDecodeError.MissingNewline);
                    input = input[1..];
                    _state = State.Header;
                    byte[] payload = _payload;
                    _payload = [];
                    onMessage(_kind, payload);
                    break;
            }
        }
        return _state == State.Failed ? _failure : ExactDecodeError.None;
    }

    /// <summary>At end of output: None if it ended between messages, else Truncated.</summary>
    public ExactDecodeError Finish() =>
        _state == State.Header && _headerCount == 0 ? ExactDecodeError.None : ExactDecodeError.Truncated;

    private ExactDecodeError ParseHeader(ReadOnlySpan<byte> line)
    {
        // "T 0" is the shortest header: a type, one space, at least one digit.
        if (line.Length < 3 || line[1] != (byte)' ')
            return ExactDecodeError.BadHeader;
        if (line[0] is not ((byte)MessageKind.Text or (byte)MessageKind.Binary))
            return ExactDecodeError.BadHeader;
        var digits = line[2..];
        if (digits.Length > 1 && digits[0] == (byte)'0')
            return ExactDecodeError.BadHeader;
        long length = 0;
        foreach (byte b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9')
                return ExactDecodeError.BadHeader;
            length = length * 10 + (b - '0');
            if (length > maxMessageBytes)
                return ExactDecodeError.TooLong;
        }
        _kind = (MessageKind)line[0];
        _expected = (int)length;
        return ExactDecodeError.None;
    }

    private ExactDecodeError Fail(ExactDecodeError error)
    {
        _state = State.Failed;
        _failure = error;
        _payload = [];
        return error;
    }
}
