using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Deploy;

/// <summary>What `ws-supervisor config` prints, read by what will read it: Apache's own
/// configtest, and the hand-written snippets of docs/hardening.md, which must say what the
/// generator says.</summary>
public sealed class GeneratedConfigCheckTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ws-supervisor-test-configcheck-").FullName;

    /// <summary>Apache refuses "ServerName *.example.org" ("apache2 -t" fails); the wildcard
    /// goes in a ServerAlias.</summary>
    [ApacheFact]
    public void Apache_WildcardServerName_ApacheConfigtestAccepts()
    {
        string site = GeneratedConfig.Print("apache", "--server-name=*.example.org", "--tls", "--dir=worker-scripts");

        Assert.Contains("    ServerAlias *.example.org", site.Split('\n'));
        var (exit, output) = ApacheServer.ConfigTest(_dir, site);
        Assert.True(exit == 0, $"apache2 -t exited {exit}:\n{output}");
        Assert.Contains("Syntax OK", output);
    }

    [Theory]
    [InlineData("nginx", new[] { "--dir=worker-scripts" })]
    [InlineData("apache", new[] { "--tls", "--dir=worker-scripts" })]
    public void HardeningDoc_ProxySnippet_EveryLineIsOneConfigPrints(string kind, string[] args)
    {
        string doc = File.ReadAllText(Path.Combine(Paths.RepoRoot, "docs", "hardening.md"));
        string fence = $"```{kind}\n";
        int start = doc.IndexOf(fence, StringComparison.Ordinal);
        Assert.True(start >= 0, $"no {fence.Trim()} block in docs/hardening.md");
        start += fence.Length;
        var snippet = doc[start..doc.IndexOf("```", start, StringComparison.Ordinal)].Split('\n')
            .Select(l => l.Trim()).Where(l => l.Length > 0).ToList();

        var generated = GeneratedConfig.Print([kind, .. args]).Split('\n').Select(l => l.Trim()).ToHashSet();

        Assert.NotEmpty(snippet);
        Assert.All(snippet, line => Assert.True(generated.Contains(line), $"docs/hardening.md says \"{line}\"; config {kind} never prints it"));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
