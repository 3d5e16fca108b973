using System.Text.Json;
using static Pitts.Cli.Tests.CliRunner;

namespace Pitts.Cli.Tests;

public class McCullochPittsCommandTests
{
    // Output column of a printed truth table (the text after '|' on each row).
    private static int[] Column(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Where(l => !l.StartsWith('#') && !l.StartsWith('x'))
        .Select(l => int.Parse(l.Split('|')[1].Trim()))
        .ToArray();

    [Fact]
    public void WeightsAndThresholdPrintTheTruthTable()
    {
        var r = Run("mp", "--weights", "1,1", "--threshold", "2");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal([0, 0, 0, 1], Column(r.Out)); // AND: only 1+1 reaches 2
        Assert.Contains("x1 x2 | y", r.Out);
        // Inhibitory weights: only rows whose sum stays at or above -0.5 fire: 000, 001, 010.
        Assert.Equal([1, 1, 1, 0, 0, 0, 0, 0], Column(Run("mp", "--weights", "-1,-0.5,-0.5", "--threshold", "-0.5").Out));
    }

    [Theory]
    [InlineData("and", new[] { 0, 0, 0, 1 })]
    [InlineData("or", new[] { 0, 1, 1, 1 })]
    [InlineData("nand", new[] { 1, 1, 1, 0 })]
    [InlineData("nor", new[] { 1, 0, 0, 0 })]
    [InlineData("xor", new[] { 0, 1, 1, 0 })]
    [InlineData("not", new[] { 1, 0 })]
    [InlineData("XOR", new[] { 0, 1, 1, 0 })]
    public void GatePresets(string gate, int[] expected)
    {
        var r = Run("mp", "--gate", gate);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(expected, Column(r.Out));
    }

    [Fact]
    public void JsonCarriesUnitsAndRows()
    {
        var r = Run("mp", "--gate", "xor", "--json");
        Assert.Equal(0, r.ExitCode);
        var doc = JsonDocument.Parse(r.Out).RootElement;
        Assert.Equal("xor", doc.GetProperty("gate").GetString());
        Assert.Equal(2, doc.GetProperty("layers").GetArrayLength());
        var rows = doc.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(4, rows.Length);
        foreach (var row in rows)
        {
            var x = row.GetProperty("inputs").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(x[0] ^ x[1], row.GetProperty("outputs")[0].GetInt32());
        }
    }

    [Theory]
    [InlineData(new[] { "mp" }, "--gate")]
    [InlineData(new[] { "mp", "--weights", "1,1" }, "--threshold")]
    [InlineData(new[] { "mp", "--weights", "1,x", "--threshold", "1" }, "'x' is not a number")]
    [InlineData(new[] { "mp", "--gate", "xand" }, "unknown gate 'xand'")]
    [InlineData(new[] { "mp", "--gate", "and", "--weights", "1,1" }, "not both")]
    [InlineData(new[] { "mp", "--weights", "1,1", "--threshold", "two" }, "two")]
    public void BadInputIsOneLineAndExitCode2(string[] args, string expected) => AssertBadInput(Run(args), expected);
}
