namespace Supervisor.Protocol.Handshake;

/// <summary>RFC 6455 §4.2.2 step 5.4: base64(SHA-1(key + GUID)).</summary>
public static class AcceptKey
{
    public const string Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    public static string Compute(string clientKey) => throw new NotImplementedException();
}
