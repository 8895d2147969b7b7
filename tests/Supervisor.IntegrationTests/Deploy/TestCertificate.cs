using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Supervisor.IntegrationTests.Deploy;

/// <summary>A self-signed certificate for localhost and 127.0.0.1, made in the test (no
/// openssl needed) and written as the PEM pair Apache and nginx read.</summary>
public static class TestCertificate
{
    public static (string CertFile, string KeyFile) Write(string dir)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        // Not a CA: Apache warns about a server certificate that is one.
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        string certFile = Path.Combine(dir, "cert.pem");
        string keyFile = Path.Combine(dir, "key.pem");
        File.WriteAllText(certFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return (certFile, keyFile);
    }
}
