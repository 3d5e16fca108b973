using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Pitts.Lab.Tests;

/// <summary>The two views of the neuron: McCulloch-Pitts truth tables and Hodgkin-Huxley spikes.</summary>
[Collection("lab")]
public sealed class NeuronPagesTests(LabFixture lab)
{
    private static async Task<string> Column(LabPage p, int rows)
    {
        var s = "";
        for (int r = 0; r < rows; r++) s += await p.ById($"tt-y-{r}").InnerTextAsync();
        return s;
    }

    [Fact]
    public async Task GatePresetsGiveTheirTruthTables()
    {
        await using var p = await lab.OpenAsync("/mcculloch-pitts?w=0,0&t=3");
        await Expect(p.ById("computes")).ToContainTextAsync("never fires");
        // Rows 00, 01, 10, 11.
        foreach (var (gate, column) in new[] { ("AND", "0001"), ("OR", "0111"), ("NAND", "1110"), ("NOR", "1000"), ("NOT", "10") })
        {
            await p.ById("preset-" + gate.ToLowerInvariant()).ClickAsync();
            await Expect(p.ById("computes")).ToHaveTextAsync($"This unit computes {gate}.");
            Assert.Equal(column, await Column(p, column.Length));
        }
        await p.WaitForUrlAsync(u => u.Contains("w=-1&t=0"));
        Assert.Empty(p.Errors);
    }

    [Fact]
    public async Task TogglingInputsFiresTheAndUnitOnlyWhenBothAreOn()
    {
        await using var p = await lab.OpenAsync("/mcculloch-pitts?w=1,1&t=2&x=00");
        await Expect(p.ById("mp-output")).ToHaveTextAsync("0");
        await p.ById("x1").ClickAsync();
        await Expect(p.ById("mp-output")).ToHaveTextAsync("0");
        await p.ById("x2").ClickAsync();
        await Expect(p.ById("mp-output")).ToHaveTextAsync("1");
        // The link keeps the inputs.
        await p.WaitForUrlAsync(u => u.Contains("x=11"));
        await using var q = await lab.OpenAsync(p.Page.Url);
        await Expect(q.ById("mp-output")).ToHaveTextAsync("1");
    }

    [Fact]
    public async Task XorNeedsTwoLayers()
    {
        await using var p = await lab.OpenAsync("/mcculloch-pitts");
        // No unit with integer weights in [-4, 4] computes XOR: 9² weight pairs × 18 thresholds = 1,458 tried.
        await Expect(p.ById("xor-search")).ToContainTextAsync("1,458");
        await Expect(p.ById("xor-search")).ToContainTextAsync("0 compute XOR");
        await Expect(p.ById("xor-out")).ToHaveTextAsync("0");
        await p.ById("xor-a").ClickAsync();
        await Expect(p.ById("xor-out")).ToHaveTextAsync("1");
        await p.ById("xor-b").ClickAsync();
        await Expect(p.ById("xor-out")).ToHaveTextAsync("0");
    }
}

/// <summary>The Hodgkin-Huxley page against published values of the model.</summary>
[Collection("lab")]
public sealed class HodgkinHuxleyPageTests(LabFixture lab)
{
    [Fact]
    public async Task CurrentAboveThresholdSpikesAndBelowDoesNot()
    {
        // Repetitive firing starts near 6.26 µA/cm² (Rinzel and Miller 1980); about 68 Hz at 10 µA/cm².
        await using var p = await lab.OpenAsync("/hodgkin-huxley?i=10&t=200");
        int above = int.Parse(await p.ById("spike-count").InnerTextAsync());
        Assert.InRange(above, 10, 14);   // 190 ms of step at ~68 Hz
        var exact = p.ById("current-exact");
        await exact.FillAsync("2");
        await exact.PressAsync("Tab");
        await Expect(p.ById("spike-count")).ToHaveTextAsync("0");
        await p.WaitForUrlAsync(u => u.Contains("i=2&"));
        Assert.Empty(p.Errors);
    }

    [Fact]
    public async Task OneMillisecondPulseHasAThresholdNear7()
    {
        // The 1 ms pulse threshold of the standard model is about 6.9 µA/cm².
        await using var p = await lab.OpenAsync("/hodgkin-huxley?protocol=pulse&width=1&i=9&t=40");
        await Expect(p.ById("spike-count")).ToHaveTextAsync("1");
        await using var q = await lab.OpenAsync("/hodgkin-huxley?protocol=pulse&width=1&i=5&t=40");
        await Expect(q.ById("spike-count")).ToHaveTextAsync("0");
    }

    [Fact]
    public async Task NonNumericCurrentIsRejected()
    {
        await using var p = await lab.OpenAsync("/hodgkin-huxley?i=10");
        var exact = p.ById("current-exact");
        await exact.FillAsync("ten");
        await exact.PressAsync("Tab");
        await Expect(p.ById("current-exact-error")).ToContainTextAsync("not a number");
        await exact.FillAsync("5000");
        await exact.PressAsync("Tab");
        await Expect(p.ById("current-exact-error")).ToContainTextAsync("out of range");
        await using var q = await lab.OpenAsync("/hodgkin-huxley?t=99999");
        await Expect(q.ById("link-warnings")).ToContainTextAsync("t=99999 ignored");
    }
}
