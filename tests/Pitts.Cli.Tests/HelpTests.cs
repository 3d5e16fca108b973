using System.CommandLine;

namespace Pitts.Cli.Tests;

/// <summary>
/// Help names the tool as users type it, <c>pitts</c>, never the file it is built as (Pitts.Cli): the usage line
/// of the root and of every subcommand.
/// </summary>
public sealed class HelpTests
{
    /// <summary>The line after "Usage:" in a help text, trimmed.</summary>
    internal static string UsageLine(string help)
    {
        var lines = help.Replace("\r\n", "\n").Split('\n');
        int i = Array.FindIndex(lines, l => l.Trim() == "Usage:");
        Assert.True(i >= 0 && i + 1 < lines.Length, $"no 'Usage:' section in:\n{help}");
        return lines[i + 1].Trim();
    }

    [Fact]
    public void Root_help_usage_says_pitts()
    {
        var r = CliRunner.Run("--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("pitts [command] [options]", UsageLine(r.Out));
        Assert.DoesNotContain("Pitts.Cli", r.Out);
    }

    [Fact]
    public void Subcommand_help_usage_says_pitts()
    {
        var r = CliRunner.Run("hh", "run", "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("pitts hh run ", UsageLine(r.Out));
        Assert.DoesNotContain("Pitts.Cli", r.Out);
    }

    [Fact]
    public void Every_command_help_usage_starts_with_its_full_pitts_path()
    {
        var paths = new List<string[]>();
        void Walk(Command c, string[] path)
        {
            paths.Add(path);
            foreach (var s in c.Subcommands) Walk(s, [.. path, s.Name]);
        }
        Walk(Program.BuildRootCommand(), []);
        Assert.True(paths.Count > 10, $"only {paths.Count} commands found");
        foreach (var path in paths)
        {
            var r = CliRunner.Run([.. path, "--help"]);
            Assert.Equal(0, r.ExitCode);
            var usage = UsageLine(r.Out);
            var expected = string.Join(' ', ["pitts", .. path]);
            Assert.True(usage == expected || usage.StartsWith(expected + " ", StringComparison.Ordinal),
                $"'{string.Join(' ', path)} --help' usage line is '{usage}', expected it to start with '{expected}'");
            Assert.DoesNotContain("Pitts.Cli", r.Out);
        }
    }

    [Fact]
    public void Version_option_still_works()
    {
        var r = CliRunner.Run("--version");
        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", r.Out.Trim());
    }
}
