using System.Text.RegularExpressions;
using Pitts.Lab.Services;
using static Microsoft.Playwright.Assertions;

namespace Pitts.Lab.Tests;

/// <summary>The MNIST digits and the shipped weights download only on the pages that need them (LabAssets).</summary>
[Collection("lab")]
public sealed partial class LazyAssetsTests(LabFixture lab)
{
    [Fact]
    public async Task TheDigitsAndWeightsDownloadOnlyOnThePagesThatNeedThem()
    {
        await using var context = await lab.Browser.NewContextAsync(new() { BaseURL = lab.BaseUrl, ViewportSize = new() { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        var fetched = new HashSet<string>();
        page.Request += (_, r) =>
        {
            var m = FrameworkFile().Match(new Uri(r.Url).AbsolutePath);
            if (m.Success) lock (fetched) fetched.Add(m.Groups[1].Value);
        };
        string[] Lazy() { lock (fetched) return [.. new[] { LabAssets.Mnist, LabAssets.Weights, LabAssets.AutoencoderWeights }.Where(fetched.Contains)]; }
        // The weights arrive late, so that the line the page shows meanwhile can be seen.
        await page.RouteAsync("**/_framework/Pitts.Lab.Models.*", async route => { await Task.Delay(1500); await route.ContinueAsync(); });
        var p = new LabPage(context, page, () => lab.LabOutput);

        await page.GotoAsync("/");
        await p.WaitInteractiveAsync();
        Assert.Contains("Pitts.Lab.Client", fetched);   // the oracle sees the boot assemblies
        Assert.Empty(Lazy());

        await page.ClickAsync("a.nav-item[href='hodgkin-huxley']");
        await Expect(page.Locator("main h1")).ToContainTextAsync("Hodgkin");
        Assert.Empty(Lazy());

        // The recurrent page needs only the small weights; the router shows a loading line until they have arrived.
        await page.ClickAsync("a.nav-item[href='recurrent']");
        await Expect(p.ById("loading-assets")).ToContainTextAsync("the trained weights");
        await Expect(page.Locator("main h1")).ToContainTextAsync("Recurrent", new() { Timeout = 60000 });
        Assert.Equal([LabAssets.Weights], Lazy());

        // The convolution page reads the digits as well, but not the autoencoders' 3.5 MB.
        await page.ClickAsync("a.nav-item[href='convolution']");
        await Expect(page.Locator("main h1")).ToContainTextAsync("Convolutional", new() { Timeout = 60000 });
        Assert.Equal([LabAssets.Mnist, LabAssets.Weights], Lazy());
        await Expect(p.ById("assets-error")).ToHaveCountAsync(0);
        Assert.Empty(p.Errors);
    }

    [Fact]
    public void EveryShippedWeightsFileIsInTheAssemblyLabAssetsNames()
    {
        // Natively the weights assemblies are ordinary references: each file is found where LabAssets says it is.
        // The autoencoder page's figure data (computed ahead by scripts/lab-models) travels with the autoencoders' weights.
        foreach (var name in Pitts.Lab.Zoo.ZooWeights.Names.Append(Pitts.Lab.Zoo.PcaCache.FileName).Append(Pitts.Lab.Zoo.DenoisingFigures.FileName))
        {
            var asm = System.Reflection.Assembly.Load(new System.Reflection.AssemblyName(LabAssets.WeightsAssembly(name)));
            Assert.True(asm.GetManifestResourceInfo($"Pitts.Lab.Models.{name}.safetensors") is not null, $"{name} is not in {asm.GetName().Name}");
            Assert.NotNull(Pitts.Lab.Zoo.ZooWeights.Load(name));
        }
        Assert.Equal(LabAssets.AutoencoderWeights, LabAssets.WeightsAssembly(Pitts.Lab.Zoo.PcaCache.FileName));
        // The pages that read them ask for them.
        Assert.Equal([LabAssets.Mnist, LabAssets.AutoencoderWeights], LabAssets.ForPage("autoencoder?sigma=0.5"));
        Assert.Empty(LabAssets.ForPage(""));
        Assert.Empty(LabAssets.ForPage("hodgkin-huxley"));
    }

    /// <summary>A file of the runtime: name, fingerprint, extension (Pitts.Lab.Models.psnqp6d3kp.wasm).</summary>
    [GeneratedRegex(@"/_framework/(.+)\.[a-z0-9]+\.wasm$")]
    private static partial Regex FrameworkFile();
}
