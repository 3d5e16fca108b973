using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Pitts.Lab.Tests;

/// <summary>Many pages training at once, and closing a page stopping its training.</summary>
[Collection("lab")]
public sealed class RobustnessTests(LabFixture lab)
{
    private async Task<JsonElement> Status()
    {
        using var http = new HttpClient();
        return JsonDocument.Parse(await http.GetStringAsync(lab.BaseUrl + "/api/status")).RootElement.Clone();
    }

    private async Task WaitForRunning(Func<int, bool> ok, int timeoutMs = 30000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        int last = -1;
        while (DateTime.UtcNow < deadline)
        {
            last = (await Status()).GetProperty("runningTrainings").GetInt32();
            if (ok(last)) return;
            await Task.Delay(200);
        }
        Assert.Fail($"runningTrainings stayed at {last}");
    }

    [Fact]
    public async Task ClosingAPageStopsItsTraining()
    {
        await WaitForRunning(n => n == 0);
        var p = await lab.OpenAsync("/training?epochs=20000&speed=1");
        await p.ById("run").ClickAsync();
        await WaitForRunning(n => n == 1);
        await p.Page.CloseAsync(new PageCloseOptions { RunBeforeUnload = true });
        await p.DisposeAsync();
        await WaitForRunning(n => n == 0);
    }

    [Fact]
    public async Task TwentyPagesTrainingAtOnceKeepTheLabResponsive()
    {
        await WaitForRunning(n => n == 0);
        var pages = new List<LabPage>();
        try
        {
            for (int batch = 0; batch < 4; batch++)
            {
                var opened = await Task.WhenAll(Enumerable.Range(batch * 5, 5).Select(async i =>
                {
                    // Playground runs of 5,000 epochs in batches of one point: minutes of compute each, so all 20 are
                    // still training when the last page opens, however fast or loaded the machine (the lecture MLP's
                    // 20,000 epochs took well under a second each, and on a busy machine had all finished by then).
                    var p = await lab.OpenAsync($"/playground?data=xor&epochs=5000&batch=1&seed={i}", 900, 700);
                    await p.ById("run").ClickAsync();
                    return p;
                }));
                pages.AddRange(opened);
            }
            await WaitForRunning(n => n == 20);
            // A new page still loads and becomes interactive promptly, and a plain request is answered quickly.
            var sw = System.Diagnostics.Stopwatch.StartNew();
            await using (var fresh = await lab.OpenAsync("/backprop?step=9"))
                await Expect(fresh.ById("w1-new")).ToHaveTextAsync("0.538");
            double openMs = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            using (var http = new HttpClient()) await http.GetStringAsync(lab.BaseUrl + "/losses");
            double getMs = sw.Elapsed.TotalMilliseconds;
            var status = await Status();
            double workingSetMb = status.GetProperty("workingSetMB").GetDouble();
            Console.WriteLine($"20 trainings: new page interactive in {openMs:0} ms, GET in {getMs:0} ms, working set {workingSetMb} MB");
            Assert.True(openMs < 15000, $"a new page took {openMs} ms");
            Assert.True(getMs < 5000, $"a GET took {getMs} ms");
            Assert.True(workingSetMb < 1500, $"working set {workingSetMb} MB");
            // Every page is still training (each got its share of the compute).
            foreach (var p in pages)
                Assert.DoesNotContain("epoch 0 of", await p.ById("train-status").InnerTextAsync());
        }
        finally
        {
            foreach (var p in pages) await p.DisposeAsync();
        }
        await WaitForRunning(n => n == 0);
    }
}
