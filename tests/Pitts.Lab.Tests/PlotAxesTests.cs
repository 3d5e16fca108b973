using System.Text.Json;
using Microsoft.Playwright;
using Pitts.Lab.Services;
using static Microsoft.Playwright.Assertions;

namespace Pitts.Lab.Tests;

/// <summary>Axis labels of the SVG plots: inside the plot, not on top of each other, present on narrow log ranges.</summary>
[Collection("lab")]
public sealed class PlotAxesTests(LabFixture lab)
{
    private sealed record Box(string Text, double Left, double Right, double Top, double Bottom, bool YTick);

    private sealed record PlotBoxes(string Id, double Left, double Right, Box[] Ticks);

    // For every plot on the page: its svg's box and each tick label's box (y ticks are the end-anchored ones).
    private const string Script = """
        () => [...document.querySelectorAll('.plot')].map(p => {
          const s = p.querySelector('svg').getBoundingClientRect();
          return { Id: p.dataset.testid || '', Left: s.left, Right: s.right,
            Ticks: [...p.querySelectorAll('text.tick')].map(t => { const r = t.getBoundingClientRect();
              return { Text: t.textContent, Left: r.left, Right: r.right, Top: r.top, Bottom: r.bottom,
                       YTick: t.getAttribute('text-anchor') === 'end' && r.right < s.left + 52 }; }) };
        })
        """;

    private static async Task<PlotBoxes[]> Plots(LabPage p)
    {
        var json = await p.Page.EvaluateAsync<JsonElement>(Script);
        return json.Deserialize<PlotBoxes[]>()!;
    }

    private static void AssertReadable(PlotBoxes[] plots, string page)
    {
        Assert.NotEmpty(plots);
        foreach (var plot in plots)
        {
            foreach (var t in plot.Ticks)
                Assert.True(t.Left >= plot.Left - 0.5 && t.Right <= plot.Right + 0.5,
                    $"{page} {plot.Id}: tick label '{t.Text}' spans {t.Left:0.#}..{t.Right:0.#} outside the plot {plot.Left:0.#}..{plot.Right:0.#}");
            var ys = plot.Ticks.Where(t => t.YTick).OrderBy(t => t.Top).ToArray();
            for (int i = 1; i < ys.Length; i++)
                Assert.True(ys[i].Top >= ys[i - 1].Bottom - 0.5,
                    $"{page} {plot.Id}: y labels '{ys[i - 1].Text}' and '{ys[i].Text}' overlap");
        }
    }

    [Fact]
    public async Task TickLabelsStayInsideThePlotAndApart()
    {
        // The overfitting page's epoch axis ends at 3000, whose label used to be cut by the 12 px right margin.
        await using (var p = await lab.OpenAsync("/overfitting"))
        {
            AssertReadable(await Plots(p), "overfitting");
            Assert.Empty(p.Errors);
        }
        // The local-minimum landscape after 150 steps: momentum diverges to ~1e13 while SGD reaches the minimum
        // (L − L* clamped at 1e-8), 21 decades in 176 px: the labels used to be drawn on top of each other.
        await using (var p = await lab.OpenAsync("/gradient-descent?f=local&lr=0.1&w1=2.2&w2=1.8&steps=150"))
        {
            await Expect(p.ById("diverged-momentum")).ToContainTextAsync("learning rate too high?");
            var plots = await Plots(p);
            AssertReadable(plots, "gradient-descent");
            var loss = plots.Single(x => x.Id == "loss-plot");
            Assert.True(loss.Ticks.Count(t => t.YTick) >= 3, string.Join(", ", loss.Ticks.Select(t => t.Text)));
            await Expect(p.ById("loss-plot")).ToContainTextAsync("L − L*");
        }
        // Before any step the loss plot holds one point: it still gets y labels and a step axis from 0.
        await using (var p = await lab.OpenAsync("/gradient-descent"))
        {
            var loss = (await Plots(p)).Single(x => x.Id == "loss-plot");
            Assert.True(loss.Ticks.Count(t => t.YTick) >= 2, string.Join(", ", loss.Ticks.Select(t => t.Text)));
            Assert.DoesNotContain(loss.Ticks, t => t.Text.StartsWith('-'));
            // The counted axis runs from that step to the next (0 to 1), not half a step either side of it.
            Assert.Equal(["0", "1"], loss.Ticks.Where(t => !t.YTick).Select(t => t.Text).ToArray());
        }
    }

    [Fact]
    public async Task DataPointsAreShownAsMarkersInTheLegend()
    {
        // The linear hypothesis draws its training, validation and test sets as dots and the fit as a line; the
        // legend used to show a line for every entry.
        await using var p = await lab.OpenAsync("/linear-hypothesis");
        var entries = await p.Page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('.plot .legend-entry')].map(g =>
              g.querySelector('.legend').textContent + ':' + (g.querySelector('circle, .swatch.dot') ? 'dot' : '') + (g.querySelector('line, .swatch.line') ? 'line' : ''))
            """);
        foreach (var dot in new[] { "training:dot", "validation:dot", "test:dot", "fitted ŷ:line", "true function:line" })
            Assert.Contains(dot, entries);
        // The error-against-degree axis shows whole degrees (it used to read 2.5, 7.5, 12.5).
        var degreeTicks = await p.Page.EvaluateAsync<string[]>("""
            () => [...[...document.querySelectorAll('.plot')].find(x => x.textContent.includes('Error against polynomial degree'))
                  .querySelectorAll('text.tick[text-anchor=middle], text.tick[text-anchor=start]')].map(t => t.textContent)
            """);
        Assert.NotEmpty(degreeTicks);
        Assert.All(degreeTicks, t => Assert.DoesNotContain(".", t));
        Assert.Empty(p.Errors);
    }

    [Fact]
    public async Task LegendsNeverCoverACurve()
    {
        // Every line and marker of every plot, sampled along the rendered SVG paths every 2 px, against every legend
        // box drawn inside a plot, on ten pages that each show a legend. The Hodgkin-Huxley gates and currents spike
        // across the whole trace (no free corner: their keys go beside the title); the rate functions leave the top
        // right free.
        const string script = """
            () => [...document.querySelectorAll('.plot svg')].flatMap(svg => {
              const boxes = [...svg.querySelectorAll('rect.legend-box')].map(r => r.getBBox());
              const hits = [];
              for (const b of boxes) {
                const inside = (x, y) => x > b.x + 1 && x < b.x + b.width - 1 && y > b.y + 1 && y < b.y + b.height - 1;
                for (const path of svg.querySelectorAll('g[clip-path] path')) {
                  if (!path.getAttribute('d')) continue;
                  const len = path.getTotalLength();
                  for (let s = 0; s <= len; s += 2) { const p = path.getPointAtLength(s); if (inside(p.x, p.y)) { hits.push(`path at ${p.x|0},${p.y|0}`); break; } }
                }
                for (const c of svg.querySelectorAll('g[clip-path] circle'))
                  if (inside(+c.getAttribute('cx'), +c.getAttribute('cy'))) hits.push(`marker at ${c.getAttribute('cx')},${c.getAttribute('cy')}`);
              }
              return hits.map(h => (svg.closest('.plot').querySelector('.plot-title')?.textContent || 'untitled') + ': ' + h);
            })
            """;
        string[] pages =
        [
            "/hodgkin-huxley?i=10&protocol=step&t=100&method=rk4&gate=m&clamp=0", "/hodgkin-huxley?i=10&gate=h",
            "/linear-hypothesis", "/linear-hypothesis?phi=poly&degree=9&target=cubic&noise=0.3&n=15&seed=2",
            "/universal-approximation?n=8&target=sin&seed=1&basis=1", "/gradient-descent?f=bowl&lr=0.1&w1=-2.2&w2=1.6&steps=40",
            "/gradient-descent?f=banana", "/overfitting", "/training", "/recurrent",
        ];
        int boxes = 0, keys = 0;
        foreach (string path in pages)
        {
            await using var p = await lab.OpenAsync(path);
            // The page draws its plots once it has computed them (universal approximation trains first, in slices).
            await p.Page.Locator("rect.legend-box, .plot-key").First.WaitForAsync(new() { State = Microsoft.Playwright.WaitForSelectorState.Attached, Timeout = 60000 });
            var hits = await p.Page.EvaluateAsync<string[]>(script);
            Assert.True(hits.Length == 0, path + ": a legend covers " + string.Join("; ", hits));
            int pageBoxes = await p.Page.Locator("rect.legend-box").CountAsync(), pageKeys = await p.Page.Locator(".plot-key").CountAsync();
            Assert.True(pageBoxes + pageKeys > 0, path + " shows no legend: it tests nothing here");
            boxes += pageBoxes;
            keys += pageKeys;
        }
        // Both placements were exercised: boxes in free corners, keys above the crowded plots.
        Assert.True(boxes > 5, $"{boxes} legend boxes");
        Assert.True(keys >= 2, $"{keys} keys above plots");
    }

    [Fact]
    public void TheLegendTakesTheCornerNoCurvePassesThrough()
    {
        // A 300 × 200 plot: the area spans x 52..288 and y 12..162 (margins 52, 12, 12, 38). Data on [0, 1]².
        var f = new PlotFrame(300, 200, 0, 1, 0, 1);
        Series Line(params (double X, double Y)[] pts) => new("s", "red", pts.Select(p => p.X).ToArray(), pts.Select(p => p.Y).ToArray());
        // A rising line from (0, 0) to (1, 1) crosses the bottom-left and top-right corners but has no point there
        // except its ends; the top-left corner is free.
        var rising = f.LegendBox([Line((0, 0), (1, 1))], 60, 36);
        Assert.Equal((58.0, 16.0, 0), rising);
        // A line along the top edge: the bottom-left corner is the first free one, its box 6 px above the area's
        // bottom (162 − 6 − 36 = 120).
        var top = f.LegendBox([Line((0, 0.97), (1, 0.97))], 60, 36);
        Assert.Equal((58.0, 120.0, 0), top);
        // Only two points, at the ends of a falling diagonal: the segment between them passes through the top-left
        // and bottom-right boxes, so they are refused even though no sample lies in them; top right is free.
        var falling = f.LegendBox([Line((0, 1), (1, 0))], 60, 36);
        Assert.Equal((288.0 - 6 - 60, 16.0, 0), falling);
        // Markers only (no line): just the points count, so a dot in each corner but the bottom right leaves that
        // (the dots at x 0.1 and 0.9 are at pixels 75.6 and 264.4, y 0.95 and 0.1 at 19.5 and 147).
        var dots = new Series("d", "blue", [0.1, 0.9, 0.1, 0.5], [0.95, 0.95, 0.1, 0.5]) { Width = 0, Markers = 3 };
        Assert.Equal((288.0 - 6 - 60, 162.0 - 6 - 36, 0), f.LegendBox([dots], 60, 36));
        // A curve filling the whole area (a sine of many periods) leaves no free corner.
        var xs = Enumerable.Range(0, 400).Select(i => i / 399.0).ToArray();
        var busy = new Series("sin", "green", xs, xs.Select(x => 0.5 + 0.5 * Math.Sin(60 * x)).ToArray());
        Assert.True(f.LegendBox([busy], 60, 36).Hidden > 0);
    }

    private static void AssertRange((double Lo, double Hi) expected, (double Lo, double Hi) actual)
    {
        Assert.Equal(expected.Lo, actual.Lo, expected.Lo * 1e-12);
        Assert.Equal(expected.Hi, actual.Hi, expected.Hi * 1e-12);
    }

    [Fact]
    public void LogAxisHelpers()
    {
        // Log tick labels: plain from 0.001 to 1000, exponents beyond (the degree plot read 1e5 above 10000).
        Assert.Equal(["1e-6", "1e-4", "0.001", "1", "1000", "1e4", "1e5"],
            new[] { 1e-6, 1e-4, 1e-3, 1, 1e3, 1e4, 1e5 }.Select(PlotFrame.LogLabel).ToArray());
        // Fewer than two powers of ten in range: widened to the enclosing decades.
        AssertRange((0.01, 1.0), PlotFrame.LogRange(0.03, 0.3));
        AssertRange((1.0, 10.0), PlotFrame.LogRange(8.82, 8.82));
        AssertRange((1e-6, 1e7), PlotFrame.LogRange(1e-6, 1e7));
        // 21 decades in 176 px: thinned to labels at least 16 px apart.
        var ticks = PlotFrame.LogTicks(1e-8, 1e13, 176);
        Assert.InRange(ticks.Count, 3, 11);
        Assert.Contains(1.0, ticks);
        Assert.Equal(12, PlotFrame.LogTicks(1e-6, 1e5, 300).Count);
        // Whole-number axes (a degree, a step, an epoch) never get 2.5 or 0.2 ticks.
        Assert.Equal([0.0, 2, 4, 6, 8, 10, 12, 14], PlotFrame.Ticks(0, 14, 6, integer: true));
        Assert.Equal([0.0, 1], PlotFrame.Ticks(0, 1, 6, integer: true));
        Assert.Contains(2.5, PlotFrame.Ticks(0, 14, 6));
        // The last x label of a 480 px plot (tick at 468 px) is right-aligned to the edge; a middle one is centred.
        Assert.Equal((479.0, "end"), PlotFrame.XTickAnchor(468, "3000", 480));
        Assert.Equal((200.0, "middle"), PlotFrame.XTickAnchor(200, "3000", 480));
    }
}
