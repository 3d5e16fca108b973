using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Pitts.Lab.Tests;

/// <summary>
/// Training in the browser's one thread: leaving a page stops its training, the page answers while it trains, and
/// several tabs training at once (each its own WebAssembly instance on the reader's CPU) leave a new tab usable.
/// </summary>
[Collection("lab")]
public sealed class RobustnessTests(LabFixture lab)
{
    private static Task<int> Running(LabPage p) => p.Page.EvaluateAsync<int>("() => DotNet.invokeMethod('Pitts.Lab.Client', 'RunningTrainings')");

    private static async Task WaitForRunning(LabPage p, Func<int, bool> ok, int timeoutMs = 30000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        int last = -1;
        while (DateTime.UtcNow < deadline)
        {
            last = await Running(p);
            if (ok(last)) return;
            await Task.Delay(100);
        }
        Assert.Fail($"RunningTrainings stayed at {last}");
    }

    [Fact]
    public async Task LeavingAPageStopsItsTraining()
    {
        await using var p = await lab.OpenAsync("/training?epochs=20000&speed=1");
        Assert.Equal(0, await Running(p));
        await p.ById("run").ClickAsync();
        await WaitForRunning(p, n => n == 1);
        // Another chapter through the navigation: the training page is disposed and its loop ends.
        await p.Page.Locator("nav a[href='losses']").ClickAsync();
        await Expect(p.Page.Locator("h1")).ToContainTextAsync("Loss");
        await WaitForRunning(p, n => n == 0);
    }

    [Fact]
    public async Task APageTrainingFlatOutAnswersItsControlsAndNeverBlocksForLong()
    {
        await using var p = await lab.OpenAsync("/playground?data=xor&epochs=5000&batch=1&seed=3");
        await p.ById("run").ClickAsync();
        await WaitForRunning(p, n => n == 1);
        await p.Page.WaitForTimeoutAsync(1500);
        // Pause answers at once, and the status stops moving.
        var sw = System.Diagnostics.Stopwatch.StartNew();
        await p.ById("pause").ClickAsync();
        await WaitForRunning(p, n => n == 0, 5000);
        double pauseMs = sw.Elapsed.TotalMilliseconds;
        string status = await p.ById("train-status").InnerTextAsync();
        await p.Page.WaitForTimeoutAsync(400);
        Assert.Equal(status, await p.ById("train-status").InnerTextAsync());
        Assert.DoesNotContain("epoch 0 of", status);
        double longest = await p.Page.EvaluateAsync<double>("() => DotNet.invokeMethod('Pitts.Lab.Client', 'LongestSliceMs')");
        Console.WriteLine($"playground: pause took effect in {pauseMs:0} ms; longest slice {longest:0.0} ms");
        Assert.True(pauseMs < 5000, $"pause took {pauseMs} ms");
        // A slice is ~12 ms of steps plus one step; 100 ms leaves room for a loaded machine and a slow step.
        Assert.True(longest < 100, $"a slice held the browser's thread for {longest} ms");
        Assert.Empty(p.Errors);
    }

    [Fact]
    public async Task FourTabsTrainingAtOnceLeaveANewTabUsable()
    {
        var pages = new List<LabPage>();
        try
        {
            for (int i = 0; i < 4; i++)
            {
                var p = await lab.OpenAsync($"/playground?data=xor&epochs=5000&batch=1&seed={i}", 900, 700);
                await p.ById("run").ClickAsync();
                pages.Add(p);
            }
            foreach (var p in pages) await WaitForRunning(p, n => n == 1);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            await using (var fresh = await lab.OpenAsync("/backprop?step=9"))
                await Expect(fresh.ById("w1-new")).ToHaveTextAsync("0.538");
            double openMs = sw.Elapsed.TotalMilliseconds;
            Console.WriteLine($"4 training tabs: a new tab interactive in {openMs:0} ms");
            Assert.True(openMs < 30000, $"a new tab took {openMs} ms");
            foreach (var p in pages)
                Assert.DoesNotContain("epoch 0 of", await p.ById("train-status").InnerTextAsync());
        }
        finally
        {
            foreach (var p in pages) await p.DisposeAsync();
        }
    }
}
