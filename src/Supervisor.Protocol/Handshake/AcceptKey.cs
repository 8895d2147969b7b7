using System.Security.Cryptography;
using System.Text;

namespace Supervisor.Protocol.Handshake;

/// <summary>RFC 6455 §4.2.2 step 5.4: base64(SHA-1(key + GUID)).</summary>
public static class AcceptKey
{
    public const string Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    public static string Compute(string clientKey)
    {
        ArgumentNullException.ThrowIfNull(clientKey);
        // The key is the field value as sent (trimmed of OWS), not its decoded bytes.
        // A validated key is ASCII; keys of other lengths only reach here in tests.
        int length = Encoding.ASCII.GetByteCount(clientKey) + Guid.Length;
        Span<byte> input = length <= 256 ? stackalloc byte[length] : new byte[length];
        int n = Encoding.ASCII.GetBytes(clientKey, input);
        Encoding.ASCII.GetBytes(Guid, input[n..]);

        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(input, hash);
        return Convert.ToBase64String(hash);
    }
}
