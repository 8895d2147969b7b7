using System.Text.RegularExpressions;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Bus;

/// <summary>The sub-commands' usage mistakes: one line, exit 2, before any server is asked,
/// never a stack trace; each sub-command takes its own options only, so none is silently
/// dropped or sent as text. RUN is a fresh folder, FIFO a FIFO in it, LONG a folder whose
/// control.sock path would be 126 bytes.</summary>
public sealed class CliUsageTests : IDisposable
{
    private readonly AppFolder _folder = new("ws-supervisor-test-cli-");

    public CliUsageTests() => Assert.True(_folder.Run("mkfifo", _folder["global.fifo"]), "mkfifo failed");

    [Theory]
    [InlineData(new[] { "status", "--run-dir=" }, "--run-dir= is empty")]
    [InlineData(new[] { "broadcast", "--run-dir=", "hi" }, "--run-dir= is empty")]
    [InlineData(new[] { "send", "--control=", "--user=1", "hi" }, "--control= is empty")]
    [InlineData(new[] { "status", "--run-dir=LONG" }, "--run-dir: the control socket LONG/control.sock would be 126 bytes long, and a unix socket path holds at most 107")]
    [InlineData(new[] { "status", "--run-dir=FIFO" }, "--run-dir=FIFO: not a directory")]
    [InlineData(new[] { "broadcast", "--run-dir=RUN", "see", "--json" }, "unknown option --json for broadcast (text that starts with -- goes after --)")]
    [InlineData(new[] { "send", "--run-dir=RUN", "--user=1", "--user=2", "hi" }, "--user given more than once")]
    [InlineData(new[] { "send", "--user", "--run-dir=RUN", "hi" }, "--user needs a value")]
    [InlineData(new[] { "status", "--run-dir=RUN", "extra", "words" }, "status takes no TEXT (got \"extra words\")")]
    [InlineData(new[] { "status", "--json=yes", "--run-dir=RUN" }, "--json takes no value")]
    [InlineData(new[] { "status", "--run-dir=RUN", "--control=RUN/control.sock" }, "give --run-dir or --control, not both")]
    [InlineData(new[] { "status", "--control=off" }, "--control=off: the sub-commands talk to the server through its control socket")]
    public void Cli_Mistake_OneLineExit2(string[] args, string expected)
    {
        var (code, stdout, stderr, _) = BusControl.RunCli(args.Select(Fill).ToArray());

        Assert.Equal("", stdout);
        Assert.StartsWith($"ws-supervisor {args[0]}: {Fill(expected)}", Assert.Single(Lines(stderr)));
        Assert.Equal(2, code);
    }

    [Theory]
    [InlineData("status", "-h")]
    [InlineData("broadcast", "hi", "--help")]
    public void Cli_HelpAnywhere_UsageAndExit0(params string[] args)
    {
        var (code, stdout, stderr, _) = BusControl.RunCli(args);

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.StartsWith("usage: ws-supervisor broadcast", stdout);
    }

    /// <summary>status takes no text, so the hint about text after "--" would mislead.</summary>
    [Fact]
    public void Status_UnknownOption_NoHintAboutText()
    {
        var (code, _, stderr, _) = BusControl.RunCli("status", "--bogus");

        Assert.Equal(2, code);
        Assert.Equal("ws-supervisor status: unknown option --bogus for status", Assert.Single(Lines(stderr)));
    }

    /// <summary>The startup line's "try:" is copied by people: with a --run-dir of its own,
    /// the plain `ws-supervisor status` it used to suggest asked the default folder instead.</summary>
    [Fact]
    public async Task Startup_StatusHint_ReachesThisServer()
    {
        using var server = SupervisorProcess.Start($"--run-dir={_folder.Path}", Paths.Script("echo.sh"));
        var said = await server.WaitForLogAsync(new Regex(@"\(try: ws-supervisor (status[^)]*)\)"), TimeSpan.FromSeconds(5));
        string hint = said.Groups[1].Value;

        var (code, stdout, _, _) = BusControl.RunCli(hint.Split(' '));

        Assert.Equal($"status --run-dir={_folder.Path}", hint);
        Assert.Equal(0, code);
        Assert.Contains("connections: 0", stdout);
    }

    /// <summary>.NET's own connect reported ENOTDIR as "Unknown socket error".</summary>
    [Fact]
    public void Cli_ControlPathThroughAFile_SaysWhatTheKernelSaid()
    {
        var (code, _, stderr, _) = BusControl.RunCli("status", $"--control={Fill("FIFO")}/control.sock");

        Assert.Equal(1, code);
        Assert.Equal($"ws-supervisor status: cannot connect to {Fill("FIFO")}/control.sock: Not a directory", Assert.Single(Lines(stderr)));
    }

    public void Dispose() => _folder.Dispose();

    private string Fill(string text)
    {
        string longDir = _folder[new string('x', 126 - _folder.Path.Length - "/control.sock".Length - 1)];
        return text.Replace("LONG", longDir).Replace("FIFO", _folder["global.fifo"]).Replace("RUN", _folder.Path);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
