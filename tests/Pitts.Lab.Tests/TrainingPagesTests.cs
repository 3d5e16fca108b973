using System.Globalization;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Pitts.Lab.Tests;

/// <summary>Pages that train networks live.</summary>
[Collection("lab")]
public sealed class TrainingPagesTests(LabFixture lab)
{
    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static async Task<double> UaMse(LabPage p, int n)
    {
        var mse = p.Page.Locator($"[data-testid=ua-mse][data-n='{n}']");
        await Expect(mse).ToHaveCountAsync(1, new LocatorAssertionsToHaveCountOptions { Timeout = 20000 });
        return Number(await mse.InnerTextAsync());
    }

    [Fact]
    public async Task MoreHiddenUnitsLowerTheUniversalApproximationLoss()
    {
        await using var p = await lab.OpenAsync("/universal-approximation?n=1&target=sin");
        double one = await UaMse(p, 1);
        await p.ById("units").FillAsync("3");
        double three = await UaMse(p, 3);
        await p.ById("units").FillAsync("30");
        double thirty = await UaMse(p, 30);
        Assert.True(one > three && three > thirty, $"MSE at N = 1, 3, 30: {one}, {three}, {thirty}");
        await p.Page.WaitForURLAsync(u => u.Contains("n=30"));
        // The link reproduces the result exactly (seeded).
        await using var q = await lab.OpenAsync(p.Page.Url);
        Assert.Equal(thirty, await UaMse(q, 30));
        Assert.Empty(p.Errors);
    }
}
