using System.Globalization;
using Pitts.Lab.Services;
using static Microsoft.Playwright.Assertions;

namespace Pitts.Lab.Tests;

/// <summary>Every part-1 page loads, becomes interactive, renders its maths and logs no console error.</summary>
[Collection("lab")]
public sealed class PagesLoadTests(LabFixture lab)
{
    /// <summary>The home page and every part-1 chapter (part 2's zoo pages have their own tests).</summary>
    public static TheoryData<string> Paths()
    {
        var data = new TheoryData<string> { "/" };
        foreach (var c in Chapters.Ready.Where(c => c.Number <= 11)) data.Add(c.Href);
        return data;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task PageLoadsWithoutConsoleErrors(string path)
    {
        await using var p = await lab.OpenAsync(path);
        await Expect(p.Page.Locator("h1")).ToBeVisibleAsync();
        // KaTeX typeset the formulas (shipped with the app, no network).
        if (path != "/") await Expect(p.Page.Locator(".katex").First).ToBeVisibleAsync();
        // Controls were enabled once the circuit ran.
        Assert.Equal(0, await p.Page.Locator("main button:disabled[data-testid=run]").CountAsync() - await p.Page.Locator("main [data-testid=train-message]").CountAsync());
        await p.Page.WaitForTimeoutAsync(300);
        Assert.Empty(p.Errors);
    }

    [Fact]
    public async Task EveryPart1ChapterOfTheLectureIsBuilt()
    {
        var missing = Chapters.All.Where(c => c.Number <= 11 && !Chapters.Ready.Contains(c)).Select(c => c.Slug).ToList();
        Assert.True(missing.Count == 0, "pages not built: " + string.Join(", ", missing));
        await Task.CompletedTask;
    }
}

/// <summary>The linear hypothesis page: features, fit and overfitting.</summary>
[Collection("lab")]
public sealed class LinearHypothesisPageTests(LabFixture lab)
{
    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    [Fact]
    public async Task TheRightFeaturesGeneraliseAndHighDegreesOverfit()
    {
        // Data y = x/2 + sin 3x + N(0, 0.15²): the custom features [1, x, sin 3x] contain the truth, so their test MSE is
        // near the noise variance 0.0225; a straight line cannot follow sin 3x.
        await using var p = await lab.OpenAsync("/linear-hypothesis?phi=custom&target=sin3x&noise=0.15&n=15&seed=1");
        double custom = Number(await p.ById("mse-test").InnerTextAsync());
        Assert.InRange(custom, 0.01, 0.05);
        await p.ById("phi-linear").ClickAsync();
        await Expect(p.ById("mse-test")).Not.ToHaveTextAsync(custom.ToString(CultureInfo.InvariantCulture));
        double linear = Number(await p.ById("mse-test").InnerTextAsync());
        Assert.True(linear > 5 * custom, $"linear {linear} vs custom {custom}");

        // Degree 13 on 15 points: training error collapses while validation error explodes (overfitting).
        await using var q = await lab.OpenAsync("/linear-hypothesis?phi=poly&degree=5&target=sin3x&noise=0.15&n=15&seed=1");
        double train5 = Number(await q.ById("mse-train").InnerTextAsync()), val5 = Number(await q.ById("mse-val").InnerTextAsync());
        await q.ById("degree").FillAsync("13");
        await q.WaitForUrlAsync(u => u.Contains("degree=13"));
        double train13 = Number(await q.ById("mse-train").InnerTextAsync()), val13 = Number(await q.ById("mse-val").InnerTextAsync());
        Assert.True(train13 < train5, $"train {train13} vs {train5}");
        Assert.True(val13 > val5, $"val {val13} vs {val5}");

        // 15 points cannot determine the 16 weights of degree 15: the library's message, not a crash.
        await q.ById("degree").FillAsync("15");
        await Expect(q.ById("fit-error")).ToContainTextAsync("cannot determine 16 weights");
    }
}
