using Microsoft.Playwright;
using Pitts.Lab.Services;

namespace Pitts.Lab.Tests;

/// <summary>
/// Writes a screenshot of every page to docs/lab/ when PITTS_LAB_SCREENSHOTS names the folder
/// (e.g. <c>PITTS_LAB_SCREENSHOTS=$PWD/docs/lab dotnet test tests/Pitts.Lab.Tests --filter Screenshots</c>);
/// otherwise it does nothing. Each page is first put in an interesting state by the same clicks a reader would make.
/// </summary>
[Collection("lab")]
public sealed class Screenshots(LabFixture lab)
{
    /// <summary>Per page: the URL to open and what to do before the picture.</summary>
    public static readonly Dictionary<string, (string Url, Func<LabPage, Task> Prepare)> Scenes = new()
    {
        ["home"] = ("/", _ => Task.CompletedTask),
        ["mcculloch-pitts"] = ("/mcculloch-pitts?w=1,1&t=2&x=11&ab=10", _ => Task.CompletedTask),
        ["hodgkin-huxley"] = ("/hodgkin-huxley?i=10&protocol=step&t=100&method=rk4&gate=m&clamp=0", _ => Task.CompletedTask),
        ["linear-hypothesis"] = ("/linear-hypothesis?phi=poly&degree=9&target=sin3x&noise=0.15&n=15&seed=1", _ => Task.CompletedTask),
        ["networks"] = ("/networks?in=2&out=1&hidden=4,3&f=tanh&seed=3&x=1,-0.5", _ => Task.CompletedTask),
        ["losses"] = ("/losses?yhat=0.3&y=1&p=0.15&label=1", _ => Task.CompletedTask),
        ["training"] = ("/training?epochs=1500&speed=100", async p =>
        {
            await p.ById("run").ClickAsync();
            await Microsoft.Playwright.Assertions.Expect(p.ById("train-status")).ToContainTextAsync("epoch 1500 of 1500");
        }
        ),
        ["overfitting"] = ("/overfitting?epochs=1500&speed=100&seed=1", async p =>
        {
            await p.ById("run").ClickAsync();
            await Microsoft.Playwright.Assertions.Expect(p.ById("train-status")).ToContainTextAsync("epoch 1500 of 1500");
        }
        ),
        ["playground"] = ("/playground?data=spiral&noise=10&features=x1,x2,x1sq,x2sq,sinx1,sinx2&hidden=8,8,4&act=tanh&epochs=300&lr=0.03&seed=2", async p =>
        {
            await p.ById("run").ClickAsync();
            await Microsoft.Playwright.Assertions.Expect(p.ById("train-status")).ToHaveTextAsync("epoch 300 of 300", new() { Timeout = 60000 });
        }
        ),
        ["universal-approximation"] = ("/universal-approximation?n=8&target=sin&seed=1&basis=1", _ => Task.CompletedTask),
        ["backprop"] = ("/backprop?step=9", _ => Task.CompletedTask),
        ["gradient-descent"] = ("/gradient-descent?f=bowl&lr=0.1&w1=-2.2&w2=1.6&steps=40", _ => Task.CompletedTask),
    };

    [Fact]
    public async Task EveryPage()
    {
        string? dir = Environment.GetEnvironmentVariable("PITTS_LAB_SCREENSHOTS");
        if (string.IsNullOrEmpty(dir)) return;
        Directory.CreateDirectory(dir);
        foreach (var c in Chapters.Ready)
            Assert.True(Scenes.ContainsKey(c.Slug) || ZooScreenshotsPart2.Scenes.ContainsKey(c.Slug), $"no screenshot scene for {c.Slug}");
        foreach (var (name, (url, prepare)) in Scenes)
        {
            await using var p = await lab.OpenAsync(url, 1400, 1000);
            await prepare(p);
            await p.Page.WaitForTimeoutAsync(400);
            await p.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, name + ".png"), FullPage = true });
        }
    }
}
