using Microsoft.Playwright;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.BrowserTests.Browser;

/// <summary>
/// Debian's headless Chromium (/usr/bin/chromium, `apt-get install chromium`) driven by
/// Playwright's bundled driver; Playwright's own browser download is never used. Each
/// instance has a fresh profile folder, removed on dispose, and every page it opens
/// records its console errors and uncaught exceptions.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly string[] Flags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private readonly IPlaywright _playwright;
    private readonly IBrowserContext _context;
    private readonly string _profile;

    private Chromium(IPlaywright playwright, IBrowserContext context, string profile)
    {
        _playwright = playwright;
        _context = context;
        _profile = profile;
    }

    public static async Task<Chromium> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"{ExecutablePath} not found: apt-get install chromium");
        string profile = Directory.CreateTempSubdirectory("ws-supervisor-chromium-").FullName;
        var playwright = await Playwright.CreateAsync();
        try
        {
            var context = await playwright.Chromium.LaunchPersistentContextAsync(profile, new()
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = Flags,
                ViewportSize = new() { Width = 1100, Height = 900 },
                Timeout = 30_000,
            });
            context.SetDefaultTimeout(15_000);
            foreach (var blank in context.Pages.ToList())
                await blank.CloseAsync();
            return new Chromium(playwright, context, profile);
        }
        catch
        {
            playwright.Dispose();
            Directory.Delete(profile, recursive: true);
            throw;
        }
    }

    /// <summary>A new tab of <paramref name="width"/> × <paramref name="height"/> CSS pixels.</summary>
    public async Task<TrackedPage> NewPageAsync(int width = 1100, int height = 900)
    {
        var page = await _context.NewPageAsync();
        await page.SetViewportSizeAsync(width, height);
        return new TrackedPage(page);
    }

    /// <summary>Where screenshots go: artifacts/screenshots/ in the checkout.</summary>
    public static string ScreenshotPath(string name)
    {
        string dir = Path.Combine(Paths.RepoRoot, "artifacts", "screenshots");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _context.CloseAsync();
        }
        finally
        {
            _playwright.Dispose();
            try
            {
                Directory.Delete(_profile, recursive: true);
            }
            catch (IOException)
            {
                // A leftover profile in /tmp is harmless.
            }
        }
    }
}
