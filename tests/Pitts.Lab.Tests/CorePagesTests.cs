using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Pitts.Lab.Tests;

/// <summary>Gradient descent, losses and networks pages: key interactions against hand-computed values.</summary>
[Collection("lab")]
public sealed class CorePagesTests(LabFixture lab)
{
    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    [Fact]
    public async Task ClickingTheLandscapeStartsThereAndTheOptimizersDescend()
    {
        await using var p = await lab.OpenAsync("/gradient-descent?f=bowl&lr=0.1");
        // The plot area spans 52..508 px horizontally and 12..482 px vertically for w in [-2.5, 2.5]².
        var svg = p.ById("landscape-plot").Locator("svg");
        double px = 52 + (1.0 + 2.5) / 5 * 456, py = 12 + (1 - (1.5 + 2.5) / 5) * 470;
        await svg.ClickAsync(new LocatorClickOptions { Position = new Position { X = (float)px, Y = (float)py } });
        // L(1, 1.5) = (1 + 5·2.25)/2 = 6.125 at the start; after some steps every optimizer is far below it.
        await p.Page.WaitForFunctionAsync("() => +document.querySelector('[data-testid=row-sgd] td:nth-child(2)').textContent >= 20");
        var m = Regex.Match(p.Page.Url, @"w1=([-0-9.]+)&w2=([-0-9.]+)");
        Assert.True(m.Success, p.Page.Url);
        Assert.InRange(Number(m.Groups[1].Value), 0.97, 1.03);
        Assert.InRange(Number(m.Groups[2].Value), 1.47, 1.53);
        foreach (var k in new[] { "sgd", "momentum", "adam" })
            Assert.True(Number(await p.ById("loss-" + k).InnerTextAsync()) < 1.0, k);
        Assert.Empty(p.Errors);
    }

    [Fact]
    public async Task TheStartCanBeSetWithoutAMouse()
    {
        // The start sliders (keyboard-reachable) do what a click on the landscape does.
        await using var p = await lab.OpenAsync("/gradient-descent?f=bowl&lr=0.1");
        await p.ById("start-w1").FillAsync("1");
        await p.ById("start-w2").FillAsync("1.5");
        await p.WaitForUrlAsync(u => u.Contains("w1=1&") && u.Contains("w2=1.5"));
        // L(1, 1.5) = 6.125 at the start; the paths run from there and go downhill.
        await p.Page.WaitForFunctionAsync("() => +document.querySelector('[data-testid=row-sgd] td:nth-child(2)').textContent >= 20");
        foreach (var k in new[] { "sgd", "momentum", "adam" })
            Assert.True(Number(await p.ById("loss-" + k).InnerTextAsync()) < 6.125, k);
        Assert.Empty(p.Errors);
    }

    [Fact]
    public async Task TooLargeLearningRateSaysSo()
    {
        // On the bowl the steep direction has curvature 5: SGD diverges for α > 2/5.
        await using var p = await lab.OpenAsync("/gradient-descent?f=bowl&lr=0.5&w1=-2&w2=1&steps=60");
        await Expect(p.ById("diverged-sgd")).ToContainTextAsync("learning rate too high?");
        await Expect(p.ById("loss-adam")).Not.ToHaveTextAsync("diverged");
        // The same link with α = 0.1 converges.
        await using var q = await lab.OpenAsync("/gradient-descent?f=bowl&lr=0.1&w1=-2&w2=1&steps=60");
        await Expect(q.ById("diverged-sgd")).ToHaveCountAsync(0);
        Assert.True(Number(await q.ById("loss-sgd").InnerTextAsync()) < 0.01);
    }

    [Fact]
    public async Task LossesShowTheLecturesValues()
    {
        // The lecture's example: ŷ = 0.88, y = 1 gives (0.88 − 1)² = 0.0144 and 2(ŷ − y) = −0.24.
        await using var p = await lab.OpenAsync("/losses?yhat=0.88&y=1&p=0.15&label=1");
        await Expect(p.ById("mse-readout")).ToContainTextAsync("L = 0.0144, ∂L/∂ŷ = -0.24");
        // −ln 0.15 = 1.89712, ∂/∂p = −1/0.15 = −6.6667.
        await Expect(p.ById("bce-readout")).ToContainTextAsync("L = 1.8971, ∂L/∂ŷ = -6.6667");
        await p.ById("bce-y0").ClickAsync();
        // −ln(1 − 0.15) = 0.162519, ∂/∂p = 1/0.85 = 1.17647.
        await Expect(p.ById("bce-readout")).ToContainTextAsync("L = 0.1625, ∂L/∂ŷ = 1.1765");
        await p.WaitForUrlAsync(u => u.Contains("label=0"));
        Assert.Empty(p.Errors);
    }

    [Fact]
    public async Task DraggingThePredictionChangesTheLoss()
    {
        await using var p = await lab.OpenAsync("/losses?yhat=0.88&y=1");
        var svg = p.ById("mse-plot").Locator("svg");
        // Plot area 52..448 px for ŷ in [-2, 3]: ŷ = 2 sits at 52 + 4/5·396.
        await svg.ClickAsync(new LocatorClickOptions { Position = new Position { X = 52 + 4f / 5 * 396, Y = 150 } });
        await Expect(p.ById("mse-readout")).ToContainTextAsync("L = 1, ∂L/∂ŷ = 2");
    }

    [Fact]
    public async Task AddingALayerAddsItsParameters()
    {
        await using var p = await lab.OpenAsync("/networks?in=2&out=1&hidden=3&f=relu&seed=1");
        // 2→3→1: 2·3 + 3 + 3·1 + 1 = 13 parameters.
        await Expect(p.ById("outputs")).ToContainTextAsync("13 parameters");
        await p.ById("add-layer").ClickAsync();
        // 2→3→3→1: 9 + 12 + 4 = 25.
        await Expect(p.ById("outputs")).ToContainTextAsync("25 parameters");
        await Expect(p.ById("network-diagram").Locator("circle")).ToHaveCountAsync(2 + 3 + 3 + 1);
        await p.WaitForUrlAsync(u => u.Contains("hidden=3%2C3") || u.Contains("hidden=3,3"));
        await p.ById("remove-layer-0").ClickAsync();
        await p.ById("remove-layer-0").ClickAsync();
        // No hidden layer: the linear predictor ŷ = Wx + b, 2 + 1 parameters.
        await Expect(p.ById("outputs")).ToContainTextAsync("3 parameters");
        Assert.Empty(p.Errors);
    }

    [Fact]
    public async Task MovingTheLearningRateSliderRedrawsThePathAtOnce()
    {
        await using var p = await lab.OpenAsync("/gradient-descent?f=bowl&lr=0.1&w1=-2&w2=1&steps=30");
        string before = await p.ById("loss-sgd").InnerTextAsync();
        // By hand: SGD on ½(w1² + 5 w2²) multiplies w1 by (1 − α) each step: after 30 steps at α = 0.3, w1 = −2 · 0.7³⁰.
        await p.ById("lr").FillAsync("0.3");
        await Expect(p.ById("lr-value")).ToHaveTextAsync("0.300");
        await Expect(p.ById("loss-sgd")).Not.ToHaveTextAsync(before);
        await Expect(p.ById("row-sgd").Locator("td").Nth(1)).ToHaveTextAsync("30");
        double w1 = Number(await p.ById("row-sgd").Locator("td").Nth(2).InnerTextAsync());
        Assert.Equal(-2 * Math.Pow(0.7, 30), w1, 3);
    }
}
