using Microsoft.Playwright;

namespace Pitts.Lab.Tests;

/// <summary>
/// Screenshots of the architecture zoo's pages into the folder named by PITTS_LAB_SCREENSHOTS (docs/lab), each after the
/// clicks a reader would make; does nothing when the variable is not set.
/// </summary>
[Collection("lab")]
public sealed class ZooScreenshotsPart2(LabFixture lab)
{
    /// <summary>Per page: the URL to open and what to do before the picture.</summary>
    public static readonly Dictionary<string, (string Url, Func<LabPage, Task> Prepare)> Scenes = new()
    {
        ["zoo"] = ("/zoo", _ => Task.CompletedTask),
        ["autoencoder"] = ("/autoencoder?sigma=0.5&code=32&z1=-10&z2=-5&k=2", TrainLinear),
        ["convolution"] = ("/convolution?k=edge-v&size=3&digit=7&pos=340", DrawSeven),
        ["depth"] = ("/depth?digit=7", _ => Task.CompletedTask),
        ["recurrent"] = ("/recurrent?h=0.25&model=lstm", _ => Task.CompletedTask),
        ["recurrent-hh"] = ("/recurrent?h=0.25&signal=hh&model=rnn&current=10.25", _ => Task.CompletedTask),
        ["attention"] = ("/attention?task=reverse&input=385120", _ => Task.CompletedTask),
    };

    private static async Task TrainLinear(LabPage p)
    {
        // The second Run button trains the linear autoencoder; a few seconds bring it close to PCA.
        await p.Page.GetByTestId("run").Nth(1).ClickAsync();
        await p.Page.WaitForFunctionAsync("() => [...document.querySelectorAll('[data-testid=train-status]')].some(e => /step (\\d{4}|[6-9]\\d\\d) /.test(e.textContent))",
            null, new PageWaitForFunctionOptions { Timeout = 90000 });
        await p.Page.GetByTestId("pause").ClickAsync();
        await p.Page.EvaluateAsync("() => window.scrollTo(0, 0)");
    }

    private static async Task DrawSeven(LabPage p)
    {
        var canvas = p.ById("draw-canvas");
        await canvas.ScrollIntoViewIfNeededAsync();
        await p.Page.WaitForFunctionAsync("() => document.querySelector('[data-testid=draw-canvas]').dataset.ready === '1'");
        var box = (await canvas.BoundingBoxAsync())!;
        await p.Page.Mouse.MoveAsync(box.X + 60, box.Y + 50);
        await p.Page.Mouse.DownAsync();
        await p.Page.Mouse.MoveAsync(box.X + 220, box.Y + 50, new MouseMoveOptions { Steps = 10 });
        await p.Page.Mouse.MoveAsync(box.X + 120, box.Y + 245, new MouseMoveOptions { Steps = 10 });
        await p.Page.Mouse.UpAsync();
        await p.ById("prediction").WaitForAsync();
        await p.Page.EvaluateAsync("() => window.scrollTo(0, 0)");
    }

    [Fact]
    public async Task EveryZooPage()
    {
        string? dir = Environment.GetEnvironmentVariable("PITTS_LAB_SCREENSHOTS");
        if (string.IsNullOrEmpty(dir)) return;
        Directory.CreateDirectory(dir);
        string? only = Environment.GetEnvironmentVariable("PITTS_LAB_SCREENSHOTS_ONLY");
        foreach (var (name, (url, prepare)) in Scenes)
        {
            if (!string.IsNullOrEmpty(only) && !only.Split(',').Contains(name)) continue;
            await using var p = await lab.OpenAsync(url, 1400, 1000);
            await prepare(p);
            await p.Page.WaitForTimeoutAsync(500);
            await p.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, name + ".png"), FullPage = true });
        }
    }
}
