using System.Net;
using System.Net.Sockets;

namespace Supervisor.Options;

/// <summary>--address: the addresses to listen on, each bound once with the same --port.</summary>
public static partial class OptionsParser
{
    private static IReadOnlyList<IPAddress> ParseAddresses(Dictionary<string, List<string>> values)
    {
        if (!values.TryGetValue("address", out var list))
            return [IPAddress.Loopback];
        var addresses = new List<IPAddress>();
        foreach (string text in list.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            string bare = text.StartsWith('[') && text.EndsWith(']') ? text[1..^1] : text;
            if (bare == "localhost")
                bare = "127.0.0.1";
            if (!IPAddress.TryParse(bare, out var address))
                throw new UsageException($"--address={text}: not an IP address (use e.g. 127.0.0.1, 0.0.0.0 or [::1])");
            // Found here, the second bind of the same port would report the port "held by
            // another process".
            if (addresses.Contains(address))
                throw new UsageException($"--address: {address} given twice");
            addresses.Add(address);
        }
        if (addresses.Count == 0)
            throw new UsageException($"--address={string.Join(',', list)} names no address: give one such as 127.0.0.1 or 0.0.0.0");
        foreach (var any in addresses.Where(a => a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any)))
        {
            // The wildcard already listens on every address of its family (IPv6 sockets are
            // IPV6_V6ONLY here, so :: and 0.0.0.0 go together), and a second bind would fail.
            var overlap = addresses.FirstOrDefault(a => !a.Equals(any) && a.AddressFamily == any.AddressFamily);
            if (overlap is not null)
                throw new UsageException($"--address: {Bracketed(any)} already listens on every {Family(any)} address, {Bracketed(overlap)} too; give one or the other");
        }
        return addresses;
    }

    private static string Bracketed(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    private static string Family(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
}
