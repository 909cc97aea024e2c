using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SseDashboard.Tests.Infrastructure;
using static SseDashboard.Tests.Auth.AuthTestClient;

namespace SseDashboard.Tests.Auth;

/// <summary>HTTPS as README has it: <c>--urls https://…</c> and <c>Kestrel:Certificates:Default</c>, which brings HTTP/2.</summary>
public sealed class HttpsTests
{
    [Fact]
    public async Task Https_WithACertificateFromSettings_ServesStreamsOverHttp2_AndTheSessionCookieIsSecure()
    {
        using var certificates = new TempDirectory();
        var (certPath, keyPath) = WriteSelfSignedPem(certificates.Path);
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?>
        {
            ["urls"] = "https://127.0.0.1:0",
            ["Kestrel:Certificates:Default:Path"] = certPath,
            ["Kestrel:Certificates:Default:KeyPath"] = keyPath,
        });
        using var client = server.NewClient();
        client.DefaultRequestVersion = HttpVersion.Version20;
        client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;

        using var login = await client.GetAsync($"/login?t={DashboardServer.Token}", Ct);
        await using var stream = await SseClient.ConnectAsync(client, "/sse?topics=clock");
        await using var second = await SseClient.ConnectAsync(client, "/sse?topics=clock");

        Assert.Equal("https", server.BaseAddress.Scheme);
        Assert.Equal(HttpVersion.Version20, login.Version);
        Assert.Contains("secure", SessionCookie(login)!.ToLowerInvariant().Split(';').Select(p => p.Trim()));
        Assert.Equal(HttpVersion.Version20, stream.Response.Version);
        Assert.Equal("clock", (await stream.NextAsync()).EventType);
        Assert.Equal("clock", (await second.NextAsync()).EventType);
    }

    private static (string Cert, string Key) WriteSelfSignedPem(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var (certPath, keyPath) = (Path.Combine(directory, "cert.pem"), Path.Combine(directory, "key.pem"));
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certPath, keyPath);
    }
}
