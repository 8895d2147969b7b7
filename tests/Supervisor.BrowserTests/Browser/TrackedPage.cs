using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Supervisor.BrowserTests.Browser;

/// <summary>One tab, with every console error and uncaught exception it reported, each
/// with the time it arrived, so a test can allow an exact message in an exact window
/// (a refused connection while the server is down) and nothing else.</summary>
public sealed class TrackedPage
{
    public sealed record Problem(DateTime At, string Kind, string Text);

    private readonly List<Problem> _problems = [];

    public TrackedPage(IPage page)
    {
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
                Add("console.error", message.Text);
        };
        page.PageError += (_, error) => Add("pageerror", error);
    }

    public IPage Page { get; }

    public IReadOnlyList<Problem> Problems
    {
        get
        {
            lock (_problems)
                return _problems.ToArray();
        }
    }

    /// <summary>Fails unless every problem matches <paramref name="allowed"/> and arrived
    /// inside [<paramref name="from"/>, <paramref name="to"/>]. Uncaught exceptions are never allowed.</summary>
    public void AssertNoProblems(Regex? allowed = null, DateTime? from = null, DateTime? to = null)
    {
        var unexpected = Problems.Where(p =>
            p.Kind != "console.error" || allowed is null || !allowed.IsMatch(p.Text)
            || p.At < (from ?? DateTime.MaxValue) || p.At > (to ?? DateTime.MinValue)).ToList();
        Assert.True(unexpected.Count == 0,
            $"{Page.Url}: unexpected console errors or uncaught exceptions:\n" +
            string.Join('\n', unexpected.Select(p => $"  {p.At:HH:mm:ss.fff} {p.Kind}: {p.Text}")));
    }

    private void Add(string kind, string text)
    {
        lock (_problems)
            _problems.Add(new Problem(DateTime.UtcNow, kind, text));
    }
}
