using System.Globalization;
using System.Net;

namespace Supervisor.Protocol.Proxy;

/// <summary>An address block in CIDR notation ("10.0.0.0/8", "2001:db8::/32"), or one
/// address ("192.0.2.1", "::1"), which is a block of one.</summary>
public sealed class IpNetwork
{
    private readonly byte[] _prefix;

    private IpNetwork(byte[] prefix, int prefixLength)
    {
        _prefix = prefix;
        PrefixLength = prefixLength;
    }

    public int PrefixLength { get; }

    public IPAddress Prefix => new(_prefix);

    /// <summary>Parses one block; on failure <paramref name="error"/> says why in words.
    /// Host bits set below the prefix ("10.0.0.1/8") are refused rather than masked away:
    /// they usually mean a typo in the length.</summary>
    public static bool TryParse(string text, out IpNetwork network, out string error)
    {
        network = null!;
        string trimmed = text.Trim();
        int slash = trimmed.IndexOf('/');
        string addressText = slash < 0 ? trimmed : trimmed[..slash];
        if (addressText.StartsWith('[') && addressText.EndsWith(']'))
            addressText = addressText[1..^1];
        if (!IpText.TryParse(addressText, out var address))
        {
            error = $"\"{text}\" is not an IP address or CIDR block (e.g. 10.0.0.0/8, 192.0.2.7, 2001:db8::/32)";
            return false;
        }
        bool mapped = address.IsIPv4MappedToIPv6;
        byte[] bytes = IpText.Normalize(address).GetAddressBytes();
        int bits = mapped ? 128 : bytes.Length * 8;
        int length = bytes.Length * 8;
        if (slash >= 0)
        {
            string lengthText = trimmed[(slash + 1)..];
            if (lengthText.Length is 0 or > 3 || !lengthText.All(char.IsAsciiDigit)
                || !int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > bits)
            {
                error = $"\"{text}\": the prefix length must be 0 to {bits}";
                return false;
            }
            // ::ffff:10.0.0.0/104 is the IPv4 block 10.0.0.0/8 written as IPv6.
            if (mapped)
                length -= 96;
            if (length < 0)
            {
                error = $"\"{text}\": an IPv4-mapped block needs a prefix length of at least 96";
                return false;
            }
        }
        if (!HostBitsClear(bytes, length))
        {
            error = $"\"{text}\" has address bits set past the /{length} prefix (did you mean {new IPAddress(Mask(bytes, length))}/{length}?)";
            return false;
        }
        network = new IpNetwork(bytes, length);
        error = "";
        return true;
    }

    public bool Contains(IPAddress address)
    {
        byte[] bytes = IpText.Normalize(address).GetAddressBytes();
        if (bytes.Length != _prefix.Length)
            return false;
        int full = PrefixLength / 8;
        for (int i = 0; i < full; i++)
        {
            if (bytes[i] != _prefix[i])
                return false;
        }
        int rest = PrefixLength % 8;
        if (rest == 0)
            return true;
        int mask = 0xFF << (8 - rest) & 0xFF;
        return (bytes[full] & mask) == _prefix[full];
    }

    public override string ToString() => $"{Prefix}/{PrefixLength}";

    private static bool HostBitsClear(byte[] bytes, int length) => Mask(bytes, length).AsSpan().SequenceEqual(bytes);

    private static byte[] Mask(byte[] bytes, int length)
    {
        var masked = new byte[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            int keep = Math.Clamp(length - i * 8, 0, 8);
            masked[i] = (byte)(bytes[i] & (0xFF << (8 - keep) & 0xFF));
        }
        return masked;
    }
}
