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
        await p.WaitForUrlAsync(u => u.Contains("n=30"));
        // The link reproduces the result exactly (seeded).
        await using var q = await lab.OpenAsync(p.Page.Url);
        Assert.Equal(thirty, await UaMse(q, 30));
        Assert.Empty(p.Errors);
    }

    [Fact]
    public async Task TrainingRunsLiveAtTenFramesASecondAndCanBePausedSteppedAndReset()
    {
        await using var p = await lab.OpenAsync("/training?epochs=20000&speed=5");
        // Count how often the loss curve is redrawn in the browser.
        await p.Page.EvaluateAsync(@"() => {
            window.__frames = 0;
            const path = () => document.querySelector('[data-testid=loss-curve] svg g[clip-path] path');
            new MutationObserver(() => window.__frames++).observe(document.querySelector('[data-testid=loss-curve]'), { subtree: true, attributes: true, childList: true });
        }");
        await p.ById("run").ClickAsync();
        await p.Page.WaitForTimeoutAsync(500);
        int f0 = await p.Page.EvaluateAsync<int>("() => window.__frames");
        await p.Page.WaitForTimeoutAsync(2000);
        int f1 = await p.Page.EvaluateAsync<int>("() => window.__frames");
        Assert.True(f1 - f0 >= 20, $"only {f1 - f0} redraws in 2 s");

        await p.ById("pause").ClickAsync();
        await Expect(p.ById("run")).ToBeVisibleAsync();
        await p.Page.WaitForTimeoutAsync(200);
        string paused = (await p.ById("train-status").InnerTextAsync()).Split(" · ")[0];
        await p.Page.WaitForTimeoutAsync(300);
        Assert.Equal(paused, (await p.ById("train-status").InnerTextAsync()).Split(" · ")[0]);
        int epoch = int.Parse(paused.Split(' ')[1]);
        await p.ById("step").ClickAsync();
        await Expect(p.ById("train-status")).ToContainTextAsync($"epoch {epoch + 5} of 20000");
        await p.ById("reset").ClickAsync();
        await Expect(p.ById("train-status")).ToContainTextAsync("epoch 0 of 20000");
        Assert.Empty(p.Errors);
    }

    [Fact]
    public async Task TrainingReachesALowLoss()
    {
        // The lecture's loop: Adam at lr 0.01 fits sin on 30 points to a small MSE well within 2000 epochs.
        await using var p = await lab.OpenAsync("/training?epochs=2000&speed=100");
        await p.ById("run").ClickAsync();
        await Expect(p.ById("train-status")).ToContainTextAsync("epoch 2000 of 2000", new LocatorAssertionsToContainTextOptions { Timeout = 30000 });
        string status = await p.ById("train-status").InnerTextAsync();
        double loss = Number(status.Split("loss ")[1].Split(' ')[0]);
        Assert.True(loss < 0.01, status);
    }

    [Fact]
    public async Task DivergenceSaysLearningRateTooHigh()
    {
        await using var p = await lab.OpenAsync("/training?opt=sgd&lr=10&epochs=2000&speed=50");
        await p.ById("run").ClickAsync();
        await Expect(p.ById("train-message")).ToContainTextAsync("learning rate too high?", new LocatorAssertionsToContainTextOptions { Timeout = 20000 });
    }

    [Fact]
    public async Task EarlyStoppingStopsAtTheBestEpochPlusPatience()
    {
        // Seed 1: the validation loss is lowest at epoch 52 (see WidgetModelTests), so patience 200 stops at 252.
        await using var p = await lab.OpenAsync("/overfitting?es=1&patience=200&epochs=3000&seed=1&speed=100");
        await p.ById("run").ClickAsync();
        await Expect(p.ById("early-stop")).ToContainTextAsync("Early stopping at epoch 252", new LocatorAssertionsToContainTextOptions { Timeout = 30000 });
        await Expect(p.ById("early-stop")).ToContainTextAsync("weights of epoch 52");
        Assert.Empty(p.Errors);
    }

    [Fact]
    public async Task PlaygroundLearnsXorOnlyWithTheRightFeaturesOrAHiddenLayer()
    {
        // XOR is not linearly separable in (x1, x2): with no hidden layer the test loss stays near ln 2 = 0.693.
        await using var p = await lab.OpenAsync("/playground?data=xor&features=x1,x2&hidden=&epochs=60&lr=0.03&opt=adam&seed=1");
        await p.ById("run").ClickAsync();
        await Expect(p.ById("train-status")).ToHaveTextAsync("epoch 60 of 60", new LocatorAssertionsToHaveTextOptions { Timeout = 30000 });
        double linear = Number(await p.ById("test-loss").InnerTextAsync());
        Assert.True(linear > 0.5, $"no hidden layer: test loss {linear}");

        // The feature x1·x2 makes it separable by one unit.
        await p.ById("feature-x1x2").ClickAsync();
        await Expect(p.ById("feature-x1x2")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("on"));
        await Expect(p.ById("train-status")).ToHaveTextAsync("epoch 0 of 60");
        Assert.Contains("features=x1%2Cx2%2Cx1x2", p.Page.Url);
        await p.ById("run").ClickAsync();
        await Expect(p.ById("train-status")).ToHaveTextAsync("epoch 60 of 60", new LocatorAssertionsToHaveTextOptions { Timeout = 30000 });
        double product = Number(await p.ById("test-loss").InnerTextAsync());
        Assert.True(product < 0.3, $"with x1x2: test loss {product}");

        // Or a hidden layer learns it from x1, x2 alone.
        await using var q = await lab.OpenAsync("/playground?data=xor&features=x1,x2&hidden=8,4&epochs=60&lr=0.03&opt=adam&seed=1");
        await q.ById("run").ClickAsync();
        await Expect(q.ById("train-status")).ToHaveTextAsync("epoch 60 of 60", new LocatorAssertionsToHaveTextOptions { Timeout = 30000 });
        double hidden = Number(await q.ById("test-loss").InnerTextAsync());
        Assert.True(hidden < 0.3, $"hidden 8,4: test loss {hidden}");
        await Expect(q.Page.Locator(".pg-neuron img")).ToHaveCountAsync(12);
        Assert.Empty(p.Errors);
    }

    [Fact]
    public async Task ClickingAddsYourOwnPointsAndTheLinkKeepsThem()
    {
        await using var p = await lab.OpenAsync("/playground?data=custom");
        var svg = p.ById("decision").Locator("svg");
        // Plot area 52..368 px for x in [-6, 6]; 12..342 px for y in [6, -6]. Click at (3, 3), blue.
        await svg.ClickAsync(new Microsoft.Playwright.LocatorClickOptions { Position = new Microsoft.Playwright.Position { X = 52 + 9f / 12 * 316, Y = 12 + 3f / 12 * 330 } });
        await Expect(p.Page.GetByText("3 of 200 points")).ToBeVisibleAsync();
        var m = System.Text.RegularExpressions.Regex.Match(Uri.UnescapeDataString(p.Page.Url), @"points=-3,0,0;3,0,1;([-0-9.]+),([-0-9.]+),1");
        Assert.True(m.Success, p.Page.Url);
        Assert.InRange(Number(m.Groups[1].Value), 2.8, 3.2);
        Assert.InRange(Number(m.Groups[2].Value), 2.8, 3.2);
        await using var q = await lab.OpenAsync(p.Page.Url);
        await Expect(q.Page.GetByText("3 of 200 points")).ToBeVisibleAsync();
    }
}
