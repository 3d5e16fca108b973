namespace Pitts.Cli.Tests;

/// <summary>Runs the pitts command line in-process, exactly as Program.Main does, capturing both streams.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Err);

    public static Result Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Program.Run(args, o, e);
        return new Result(code, o.ToString(), e.ToString());
    }

    /// <summary>Parses CSV output: the header and the rows as numbers.</summary>
    public static (string[] Header, double[][] Rows) Csv(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var rows = lines.Skip(1)
            .Select(l => l.Split(',').Select(x => double.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray())
            .ToArray();
        return (header, rows);
    }

    /// <summary>Asserts a refused run: exit code 2, nothing on stdout, one line on stderr naming <paramref name="expected"/>, no stack trace.</summary>
    public static void AssertBadInput(Result r, string expected)
    {
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Out);
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", r.Err);
    }
}
