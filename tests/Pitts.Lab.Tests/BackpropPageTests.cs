using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Pitts.Lab.Tests;

/// <summary>The backpropagation page against the lecture's own numbers.</summary>
[Collection("lab")]
public sealed class BackpropPageTests(LabFixture lab)
{
    [Fact]
    public async Task LectureExampleGivesTheLecturesUpdate()
    {
        await using var p = await lab.OpenAsync("/backprop");
        await p.ById("next").ClickAsync();
        await Expect(p.ById("forward-steps")).ToContainTextAsync("1.1");
        await p.ById("all").ClickAsync();
        // The lecture: w1 ← 0.5 − 0.1(−0.384) = 0.538, w2 ← 0.8 − 0.1(−0.264) = 0.826.
        await Expect(p.ById("w1-new")).ToHaveTextAsync("0.538");
        await Expect(p.ById("w2-new")).ToHaveTextAsync("0.826");
        await Expect(p.ById("backward-steps")).ToContainTextAsync("−0.384");
        // Chain rule, autograd and finite differences agree on all four gradients.
        await Expect(p.ById("checks").Locator("td.ok")).ToHaveCountAsync(4);
        await Expect(p.ById("gradcheck")).ToContainTextAsync("passed");
        Assert.Empty(p.Errors);
    }

    [Fact]
    public async Task EditedInputIsInTheUrlAndTheUrlReproducesIt()
    {
        await using var p = await lab.OpenAsync("/backprop");
        var w1 = p.ById("in-w1");
        await w1.FillAsync("0.7");
        await w1.PressAsync("Tab");
        await p.ById("all").ClickAsync();
        // By hand: z1 = 1.5, v = 1.5, ŷ = 1.2, ∂L/∂ŷ = 0.4, ∂L/∂w1 = 0.4·0.8·2 = 0.64, ∂L/∂w2 = 0.4·1.5 = 0.6.
        await Expect(p.ById("w1-new")).ToHaveTextAsync("0.636");
        await Expect(p.ById("w2-new")).ToHaveTextAsync("0.740");
        await p.WaitForUrlAsync(u => u.Contains("w1=0.7") && u.Contains("step=9"));
        string url = p.Page.Url;

        await using var q = await lab.OpenAsync(url);
        await Expect(q.ById("w1-new")).ToHaveTextAsync("0.636");
        await Expect(q.ById("in-w1")).ToHaveValueAsync("0.7");
    }

    [Fact]
    public async Task BadInputsAreRejectedWithAMessage()
    {
        await using var p = await lab.OpenAsync("/backprop?step=9");
        var x = p.ById("in-x");
        await x.FillAsync("abc");
        await x.PressAsync("Tab");
        await Expect(p.ById("in-x-error")).ToContainTextAsync("not a number");
        await x.FillAsync("1e9");
        await x.PressAsync("Tab");
        await Expect(p.ById("in-x-error")).ToContainTextAsync("out of range");
        // The model kept the last valid value: the lecture's update is still shown.
        await Expect(p.ById("w1-new")).ToHaveTextAsync("0.538");

        await using var q = await lab.OpenAsync("/backprop?lr=banana&step=9");
        await Expect(q.ById("link-warnings")).ToContainTextAsync("lr=banana ignored");
        await Expect(q.ById("w1-new")).ToHaveTextAsync("0.538");
    }
}
