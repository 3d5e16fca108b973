using System.Globalization;
using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace Pitts.Lab.Tests;

/// <summary>The networks page's formula describes what it computes.</summary>
[Collection("lab")]
public sealed class NetworksFormulaTests(LabFixture lab)
{
    [Fact]
    public async Task TheOutputLayerIsLinearAndTheFormulaSaysSo()
    {
        // 1 → 2 → 1 with ReLU, seed 3, x = 1: the output is negative, which f(W_L v + b_L) with f = ReLU could
        // never give; the page used to show the lecture's f(W_L … + b_L) while computing W_L v + b_L.
        await using var p = await lab.OpenAsync("/networks?in=1&out=1&hidden=2&f=relu&seed=3&x=1");
        var m = Regex.Match(await p.ById("outputs").InnerTextAsync(), @"ŷ = \(([-0-9.]+)\)");
        Assert.True(m.Success);
        Assert.True(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) < 0, m.Value);
        var formula = await p.Page.Locator("[data-tex*='W_L']").First.GetAttributeAsync("data-tex");
        Assert.StartsWith(@"\hat{\mathbf{y}} = W_L", formula);
        await Expect(p.Page.Locator("main")).ToContainTextAsync("The output layer is linear");
        Assert.Empty(p.Errors);
    }
}
