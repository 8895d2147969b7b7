using System.Text;
using System.Text.RegularExpressions;
using Supervisor.IntegrationTests.Infrastructure;

namespace Supervisor.IntegrationTests.Deploy;

/// <summary>`ws-supervisor config KIND ...` run as a user would, and the ws-supervisor
/// command line its comments say to run.</summary>
public static partial class GeneratedConfig
{
    public static string Print(params string[] args)
    {
        var (exit, stdout, stderr) = SupervisorProcess.RunToExit(["config", .. args], TimeSpan.FromSeconds(20));
        Assert.True(exit == 0, $"ws-supervisor config {string.Join(' ', args)} exited {exit}: {stderr}");
        Assert.Equal("", stderr);
        return stdout;
    }

    /// <summary>The words of the "Run ws-supervisor with ..." line (binary first), split as a
    /// shell would split the single-quoted form the generator prints.</summary>
    public static IReadOnlyList<string> ServerCommand(string snippet)
    {
        var match = RunLine().Match(snippet);
        Assert.True(match.Success, $"no ws-supervisor command line in:\n{snippet}");
        return ShellWords(match.Groups[1].Value);
    }

    /// <summary>The arguments after the binary, for <see cref="SupervisorProcess.Start"/>: the
    /// binary must be the one under test and the port the one asked for; both go.</summary>
    public static List<string> ServerArguments(string snippet, int port)
    {
        var words = ServerCommand(snippet);
        Assert.Equal(Paths.Binary, words[0]);
        Assert.Contains($"--port={port}", words);
        return words.Skip(1).Where(w => w != $"--port={port}").ToList();
    }

    private static List<string> ShellWords(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool quoted = false, inWord = false;
        foreach (char c in line)
        {
            if (c == '\'')
            {
                quoted = !quoted;
                inWord = true;
            }
            else if (c == ' ' && !quoted)
            {
                if (inWord)
                    words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }
        if (inWord)
            words.Add(word.ToString());
        return words;
    }

    [GeneratedRegex(@"^# 1\. Run ws-supervisor[^\n]*\n#\s+(\S.*)$", RegexOptions.Multiline)]
    private static partial Regex RunLine();
}
