using System.Globalization;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Pitts.Lab.Tests;

/// <summary>The architecture zoo's pages (lab part 2) in the browser: load, interact, URL state, rejected inputs.</summary>
[Collection("lab")]
public sealed class ZooPart2Tests(LabFixture lab)
{
    private static double Number(string text) => double.Parse(text.Trim().TrimEnd('%', ' '), NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>Presses the mouse at the first point, moves through the others in small steps, and lets go.</summary>
    private static async Task Stroke(IPage page, ILocator canvas, params (float X, float Y)[] points)
    {
        var box = await canvas.BoundingBoxAsync() ?? throw new InvalidOperationException("canvas not visible");
        await page.Mouse.MoveAsync(box.X + points[0].X, box.Y + points[0].Y);
        await page.Mouse.DownAsync();
        for (int i = 1; i < points.Length; i++)
            await page.Mouse.MoveAsync(box.X + points[i].X, box.Y + points[i].Y, new MouseMoveOptions { Steps = 12 });
        await page.Mouse.UpAsync();
    }

    [Theory]
    [InlineData("/zoo")]
    [InlineData("/autoencoder")]
    [InlineData("/convolution")]
    [InlineData("/depth")]
    [InlineData("/recurrent")]
    [InlineData("/attention")]
    public async Task PageLoadsWithoutConsoleErrors(string path)
    {
        await using var p = await lab.OpenAsync(path);
        await Expect(p.Page.Locator("h1")).Not.ToBeEmptyAsync();
        await Expect(p.Page.Locator(".nav-item", new PageLocatorOptions { HasText = "Attention" })).ToHaveCountAsync(1);
        await p.Page.WaitForTimeoutAsync(300);
        Assert.Empty(p.Errors);
    }

    [Fact]
    public async Task DrawingAOneAndASevenGivesThoseDigits()
    {
        await using var p = await lab.OpenAsync("/convolution");
        var canvas = p.ById("draw-canvas");
        await canvas.ScrollIntoViewIfNeededAsync();
        await p.Page.WaitForFunctionAsync("() => document.querySelector('[data-testid=draw-canvas]').dataset.ready === '1'");
        // A vertical bar, slightly slanted as people write it.
        await Stroke(p.Page, canvas, (150, 40), (140, 240));
        await Expect(p.ById("prediction")).ToHaveTextAsync("1");
        await Expect(p.ById("drawn-input")).ToBeVisibleAsync();

        await p.ById("clear").ClickAsync();
        await Expect(p.ById("prediction")).ToHaveCountAsync(0);
        // A seven: a bar along the top, then a long diagonal down to the left.
        await Stroke(p.Page, canvas, (60, 50), (220, 50), (190, 100), (120, 245));
        await Expect(p.ById("prediction")).ToHaveTextAsync("7");
        Assert.Empty(p.Errors);
    }

    [Fact]
    public async Task KernelStateIsInTheUrlAndBadWeightsAreRejected()
    {
        await using var p = await lab.OpenAsync("/convolution?k=identity&size=3&digit=3&pos=300");
        // The identity kernel copies the pixel under its centre: output(i, j) = X(i+1, j+1).
        await Expect(p.ById("window-sum")).ToContainTextAsync("output(11, 14)");
        var w = p.ById("w-1-1");
        await Expect(w).ToHaveValueAsync("1");
        await w.FillAsync("2");
        await w.PressAsync("Tab");
        await p.Page.WaitForURLAsync(u => u.Contains("k=custom") && u.Contains("w=0%2C0%2C0%2C0%2C2"));
        string url = p.Page.Url;
        await w.FillAsync("abc");
        await w.PressAsync("Tab");
        await Expect(p.ById("w-1-1-error")).ToContainTextAsync("not a number");
        await w.FillAsync("99");
        await w.PressAsync("Tab");
        await Expect(p.ById("w-1-1-error")).ToContainTextAsync("out of range");

        await using var q = await lab.OpenAsync(url);
        await Expect(q.ById("w-1-1")).ToHaveValueAsync("2");
        await Expect(q.ById("kernel")).ToHaveValueAsync("custom");

        await using var r = await lab.OpenAsync("/convolution?k=custom&w=1,2,banana&digit=99999");
        await Expect(r.ById("link-warnings")).ToContainTextAsync("w=1,2,banana ignored");
        await Expect(r.ById("link-warnings")).ToContainTextAsync("digit=99999 ignored");
    }
}
