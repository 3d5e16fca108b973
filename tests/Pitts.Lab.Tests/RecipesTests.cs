using System.Diagnostics;
using Pitts.Lab.Services;
using Pitts.Lab.Widgets;
using Xunit.Abstractions;

namespace Pitts.Lab.Tests;

/// <summary>
/// The recipes (<c>src/Pitts.Lab.Client/**/*.recipe.cs</c>): each is embedded in the lab byte for byte (what the "Show code"
/// panel shows), and each runs on its own as a .NET file-based app with its default settings and prints the same final
/// numbers, to the printed digit, as its widget computes in process with those settings.
/// </summary>
public sealed class RecipesTests(ITestOutputHelper output)
{
    /// <summary>
    /// What each recipe's own program prints, computed here by the widget that runs the recipe in the lab, for the
    /// settings the recipe's first line holds (the page's defaults).
    /// </summary>
    private static readonly Dictionary<string, (object Settings, Func<string> Printed)> Widgets = new()
    {
        ["universal-approximation"] = (new UniversalApproximationSettings(Units: 3, Target: "sin", Seed: 1), UniversalApproximationWidget),
        ["backprop"] = (BackpropInputs.Lecture, BackpropWidget),
        ["gradient-descent"] = (new GradientDescentSettings(Landscape: "bowl", W1: -2.2, W2: 1.6, Lr: 0.1, Steps: 100), GradientDescentWidget),
        ["hodgkin-huxley"] = (new HodgkinHuxleySettings(Protocol: "step", Current: 10, Width: 1, Duration: 100, Method: "rk4", ClampV: 0), HodgkinHuxleyWidget),
        ["linear-hypothesis"] = (new LinearHypothesisSettings(Target: "sin3x", Phi: "poly", Degree: 3, Noise: 0.15, Points: 15, Seed: 1), LinearHypothesisWidget),
        ["losses"] = (new LossesSettings(YHat: 0.88, Y: 1, P: 0.7, Label: 1), LossesWidget),
        ["mcculloch-pitts"] = (new McCullochPittsSettings(Weights: [1.0, 1.0], Threshold: 2, Inputs: [0, 0]), McCullochPittsWidget),
        ["overfitting"] = (new OverfittingSettings(WeightDecay: 0, Dropout: 0, EarlyStopping: false, Patience: 200, Augment: 0, Epochs: 3000, Seed: 1), OverfittingWidget),
        ["playground"] = (new PlaygroundSettings(), PlaygroundWidget),
        ["training"] = (new TrainingSettings(Optimizer: "adam", Lr: 0.01, Epochs: 5000, Seed: 0), TrainingWidget),
        ["convolution"] = (new ConvolutionSettings(Digit: 0, Kernel: [-1f, 0f, 1f, -2f, 0f, 2f, -1f, 0f, 1f], Wy: 13, Wx: 13), ConvolutionWidget),
        ["networks"] = (new NetworksSettings(Inputs: 2, Hidden: [3], Outputs: 1, Activation: "relu", Seed: 1, X: [1, -0.5]), NetworksWidget),
        ["depth"] = (new DepthSettings(Digit: 0), DepthWidget),
        ["autoencoders"] = (new AutoencodersSettings(Sigma: 0.5, Code: 2, Z1: null, Z2: null, K: 2, Seed: 1, LiveSteps: 1000, LinearSteps: 1000), AutoencodersWidget),
    };

    private static string NetworksWidget()
    {
        // The page's computation (Networks.razor's Rebuild: the recipe's network for the page's controls, evaluated at x).
        var s = new NetworksSettings(2, [3], 1, "relu", 1, [1, -0.5]);
        var network = new NetworksRecipe(s);
        var values = network.Evaluate(s.X);
        return string.Join("\n", values.Select((v, l) => $"{(l == 0 ? "input x" : l == values.Count - 1 ? "output ŷ" : $"hidden layer {l}")}: ({string.Join(", ", v.Select(x => x.ToString("0.0000")))})"))
            + $"\n{network.Model.ParameterCount()} parameters";
    }

    private static string DepthWidget()
    {
        // The page's computation (Depth.razor: the shipped CNN, the recipe's Layers for digit 0 and its sliced DepthAnalysis).
        var net = new Pitts.Models.DigitCnn();
        Assert.True(Pitts.Lab.Zoo.ZooWeights.TryLoadInto("cnn", net));
        var data = Pitts.Lab.Zoo.MnistArrays.Get();
        var images = data.TestImages.Reshape(-1, 1, 28, 28);
        var layers = DepthRecipe.Layers(net, images.Narrow(0, 0, 1));
        var analysis = new DepthAnalysis(net, images);
        while (!analysis.Advance()) { }
        return $"test digit #0: label {data.TestLabels[0]}, the CNN reads {layers.Predicted}; "
            + string.Join(", ", layers.Maps.Select((m, i) => $"layer {i + 1} maps ({string.Join(", ", m.Shape)}) up to {m.Max().Item():0.0000}")) + "\n"
            + string.Join("\n", new[] { ("layer 1", analysis.Layer1), ("layer 2", analysis.Layer2), ("output", analysis.Output) }
                .Select(p => $"{p.Item1}, strongest held-out digit per unit: " + string.Join(", ", p.Item2.Select(u => $"#{u.Strongest.Image} ({u.Strongest.Activation:0.000})"))));
    }

    private static string AutoencodersWidget()
    {
        // The page's computations: the shipped denoiser's sliced test error and latent plane (Autoencoders.razor's
        // RedrawAe, Decode), a live run (its DenoisingTrainer, the recipe's DenoisingRun, batches of 16 from seed 1) and
        // the linear autoencoder (its LinearAeTrainer: the recipe's LinearAutoencoderRun against the shipped PCA).
        var data = Pitts.Lab.Zoo.MnistArrays.Get();
        var ae = Pitts.Models.ZooAutoencoders.Denoising();
        Assert.True(Pitts.Lab.Zoo.ZooWeights.TryLoadInto("denoising-ae", ae));
        var (mse, noisyMse) = TestErrorRun.TestError(ae, data.TestImages, 0.5f);
        var plane = LatentPlane.Of(ae, data.TestImages, data.TestLabels);
        var z = plane.Centre;
        var image = plane.Decode(ae, z).ToArray();
        var live = new Pitts.Lab.Zoo.DenoisingTrainer(0.5f, seed: 1, latent: 2, batchSize: DenoisingRun.LiveBatch);
        live.Train(1000);
        var linear = new Pitts.Lab.Zoo.LinearAeTrainer(2);
        linear.Train(1000);
        return $"shipped 2-number denoiser at σ = 0.5: test MSE {mse:0.00000} (noisy input {noisyMse:0.00000})\n"
            + $"latent plane [{plane.Box.X0}, {plane.Box.X1}] × [{plane.Box.Y0}, {plane.Box.Y1}]: g(z) at z = ({z.Z1}, {z.Z2}) "
            + $"has mean pixel {image.Average():0.0000}; the nearest codes are mostly {plane.Nearest(z)}s\n"
            + $"live run (seed 1): loss {live.Losses[^1]:0.00000} at step 1000\n"
            + $"linear autoencoder k = 2 after 1000 steps: MSE {linear.TrainError():0.000000} (PCA {linear.PcaError():0.000000}), "
            + $"largest angle to PCA's subspace {linear.AnglesToPca().Max():0.00}°";
    }

    private static string ConvolutionWidget()
    {
        // The page's computation (Convolution.razor's Recompute: its held-out digit through the recipe's Slide), for the
        // page's defaults: digit 0, the vertical-edge kernel, the window in the middle of the 26×26 map.
        var s = new ConvolutionSettings(0, Pitts.Lab.Zoo.Kernels.Get("edge-v").Weights(3), 13, 13);
        var x = Pitts.Lab.Zoo.MnistArrays.Get().TestImages.Narrow(0, s.Digit, 1).Reshape(1, 1, 28, 28);
        var (map, pooled) = ConvolutionRecipe.Slide(x, s);
        return $"output ({s.Wy}, {s.Wx}) = {ConvolutionRecipe.At(map, s.Wy, s.Wx):0.0000}\n"
            + $"map ({string.Join(", ", map.Shape)}): largest {map.Max().Item():0.0000}, smallest {map.Min().Item():0.0000}; "
            + $"pooled ({string.Join(", ", pooled.Shape)}): sum {pooled.Sum().Item():0.0000}";
    }

    private static string UniversalApproximationWidget() =>
        $"MSE = {new UniversalApproximation(3, TargetFunction.Get("sin"), 1).Mse:0.00000}";

    private static string BackpropWidget()
    {
        var r = BackpropExample.Run(BackpropInputs.Lecture);
        var g = r.Grad;
        return $"forward:  z1 = {r.Z1:G6}, v = {r.V:G6}, yhat = {r.YHat:G6}, L = {r.Loss:G6}\n"
            + $"backward: dL/dyhat = {g["yhat"]:G6}, dL/dw2 = {g["w2"]:G6}, dL/db2 = {g["b2"]:G6}, "
            + $"dL/dv = {g["v"]:G6}, dL/dz1 = {g["z1"]:G6}, dL/dw1 = {g["w1"]:G6}, dL/db1 = {g["b1"]:G6}\n"
            + $"GradCheck: {r.GradCheck}\n"
            + $"after one SGD step: w1 = {r.W1New:G6}, w2 = {r.W2New:G6}, L = {r.LossAfter:G6}";
    }

    private static string GradientDescentWidget() => string.Join("\n", new[] { "sgd", "momentum", "adam" }.Select(kind =>
    {
        var path = new OptimizerPath(kind, Landscape.Get("bowl"), (-2.2, 1.6), 0.1);
        for (int i = 0; i < 100; i++) path.Step();
        return $"{kind}: after 100 steps w = ({path.W1[^1]:0.0000}, {path.W2[^1]:0.0000}), L = {path.Loss[^1]:G5}";
    }));

    private static string HodgkinHuxleyWidget()
    {
        // The page's three experiments (HodgkinHuxley.razor: the recipe's Simulate, FiCurve and Clamp on its one model).
        var s = new HodgkinHuxleySettings("step", 10, 1, 100, "rk4", 0);
        var model = new Pitts.Neuro.HodgkinHuxley.HodgkinHuxleyModel();
        var spikes = HodgkinHuxleyRecipe.Simulate(model, s).Spikes();
        var fi = HodgkinHuxleyRecipe.FiCurve(model);
        var clamp = HodgkinHuxleyRecipe.Clamp(model, s);
        return $"{spikes.Count} spikes in 100 ms: " + string.Join(", ", spikes.Select(p => $"{p.TimeMs:0.00} ms ({p.PeakMv:0.0} mV)")) + "\n"
            + $"f-I curve: repetitive firing from {fi.First(p => p.RateHz > 0).CurrentUaCm2} µA/cm², {fi[^1].RateHz:0.0} Hz at {fi[^1].CurrentUaCm2} µA/cm²\n"
            + $"clamped at 0 mV: peak I_Na {clamp.INa.Min():0.00} µA/cm², I_K at the end {clamp.IK[^1]:0.00} µA/cm²";
    }

    private static string LinearHypothesisWidget()
    {
        // The calls the page makes (LinearHypothesis.razor's Compute: the recipe's Data and Features, then LinearModel.Fit).
        var s = new LinearHypothesisSettings(Target: "sin3x", Phi: "poly", Degree: 3, Noise: 0.15, Points: 15, Seed: 1);
        var (train, val, test) = LinearHypothesisRecipe.Data(s);
        var model = Pitts.Models.LinearModel.Fit(LinearHypothesisRecipe.Features(s), train.Inputs, train.Targets);
        return $"training MSE {model.Mse(train.Inputs, train.Targets):0.00000}, validation MSE {model.Mse(val.Inputs, val.Targets):0.00000}, "
            + $"test MSE {model.Mse(test.Inputs, test.Targets):0.00000}";
    }

    private static string LossesWidget()
    {
        // The page's own computation, as its readouts show it (Losses.razor calls the recipe's Mse and Bce).
        var (mse, dMse) = LossesRecipe.Mse(0.88, 1);
        var (bce, dBce) = LossesRecipe.Bce(0.7, 1);
        return $"MSE = {mse:0.0000}, dL/dyhat = {dMse:0.0000}\nBCE = {bce:0.0000}, dL/dp = {dBce:0.0000}";
    }

    private static string McCullochPittsWidget()
    {
        // The page's unit and search (McCullochPitts.razor: the recipe's Unit and XorSearch), printed as the recipe prints them.
        var unit = McCullochPittsRecipe.Unit(new McCullochPittsSettings([1.0, 1.0], 2, [0, 0]));
        var search = McCullochPittsRecipe.XorSearch();
        return $"sum {unit.Sum(0, 0)}, output {unit.Fire(0, 0)}\n{Pitts.Neuro.McCullochPitts.TruthTable.Of(unit)}\n"
            + $"{Pitts.Neuro.McCullochPitts.TruthTable.Of(Pitts.Neuro.McCullochPitts.Gates.Xor)}\n"
            + $"two-input units with integer weights in [-4, 4]: {search.CandidatesTried} tried, {search.Solutions.Count} compute XOR";
    }

    private static string OverfittingWidget()
    {
        var run = new OverfittingRun(new OverfittingSettings(0, 0, false, 200, 0, Epochs: 3000, Seed: 1));
        while (run.Epoch()) { }
        return $"epoch {run.EpochsDone}: training MSE {run.Last.Train:0.00000}, validation MSE {run.Last.Val:0.00000}\n"
            + $"best validation MSE {run.Best.Val:0.00000} at epoch {run.Best.Epoch}";
    }

    private static string PlaygroundWidget()
    {
        var model = new PlaygroundModel(new PlaygroundSettings());
        while (model.EpochsDone < model.Settings.Epochs) model.Epoch();
        var (train, test) = model.Losses();
        return $"epoch {model.Settings.Epochs}: training loss {train:0.0000}, test loss {test:0.0000}, test accuracy {100 * model.Accuracy(test: true):0.0}%";
    }

    private static string TrainingWidget()
    {
        var run = new LectureTraining("adam", 0.01, 5000, 0);
        while (run.EpochsDone < run.Epochs) run.Epoch();
        return $"epoch {run.Epochs}: loss {run.LastLoss:G6}";
    }

    private static List<string> Files(string root) =>
        [.. Directory.GetFiles(Path.Combine(root, "src", "Pitts.Lab.Client"), "*.recipe.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];

    private static string Collapse(string code) => string.Join(' ', code.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));

    private static string Name(string file) => Path.GetFileName(file)[..^".recipe.cs".Length];

    [Fact]
    public void Every_recipe_is_in_the_lab_byte_for_byte_and_has_a_widget()
    {
        var files = Files(DocSnippetsRunTests.RepoRoot());
        Assert.NotEmpty(files);
        Assert.Equal(files.Count, RecipeFiles.Paths.Count);
        foreach (var file in files)
        {
            string name = Name(file);
            Assert.Equal(File.ReadAllBytes(file), RecipeFiles.Bytes(name));
            string text = RecipeFiles.Text(name);
            Assert.StartsWith("#:project ", text);
            Assert.Contains("\n#if !PITTS_LAB", text);
            Assert.True(Widgets.TryGetValue(name, out var widget), $"the recipe {name} has no widget check in RecipesTests.Widgets");
            // The panel's "settings now" line for the recipe's own settings is the recipe's first line: pasting the page's
            // settings into the file gives the page's numbers.
            Assert.Contains(Collapse(RecipeFiles.Describe(widget.Settings)), Collapse(text));
        }
    }

    [Fact]
    public void Every_recipe_downloads_with_the_pages_settings_in_its_first_line()
    {
        foreach (var (name, widget) in Widgets)
        {
            // With the recipe's own settings the download is the file (the settings expression on one line).
            Assert.Equal(Collapse(RecipeFiles.Text(name)), Collapse(RecipeFiles.WithSettings(name, widget.Settings)));
        }
        // Other settings replace the whole expression, braces, strings and lists included, and nothing else.
        var s = new PlaygroundSettings { Data = "csv", CsvPath = "my \"data\" {1}.csv", Hidden = [8], Features = ["x1", "x1x2"], Epochs = 30 };
        string text = RecipeFiles.WithSettings("playground", s);
        string original = RecipeFiles.Text("playground");
        Assert.Contains("\nvar settings = " + RecipeFiles.Describe(s) + ";\nvar playground = new PlaygroundRecipe(settings);", text);
        Assert.Equal(original[..original.IndexOf("new PlaygroundSettings", StringComparison.Ordinal)], text[..text.IndexOf("new PlaygroundSettings", StringComparison.Ordinal)]);
        Assert.Equal(original[original.IndexOf("var playground = ", StringComparison.Ordinal)..], text[text.IndexOf("var playground = ", StringComparison.Ordinal)..]);
    }

    [Fact]
    public async Task Every_recipe_runs_on_its_own_and_prints_what_its_widget_computed()
    {
        string root = DocSnippetsRunTests.RepoRoot();
        var files = Files(root);
        using var apps = new FileBasedApps(root);
        var sw = Stopwatch.StartNew();
        var results = await apps.RunAll([.. files.Select(f => (Name(f), FileBasedApps.InPlace(f)))], TimeSpan.FromMinutes(4),
            environment: DocSnippetsRunTests.Environment(root));
        output.WriteLine($"{results.Count} recipes ran as file-based apps in {sw.Elapsed.TotalSeconds:0.0} s (two at a time)");
        foreach (var r in results) output.WriteLine($"  {r.Name}: exit code {r.ExitCode}, {r.Seconds:0.0} s");
        var failed = results.Where(r => r.ExitCode != 0).ToList();
        Assert.True(failed.Count == 0, string.Join("\n", failed.Select(r => $"the recipe {r.Name} failed (exit code {r.ExitCode}):\n{r.Log}")));
        foreach (var r in results)
        {
            var printed = r.Log.ReplaceLineEndings("\n").TrimEnd();
            string expected = Widgets[r.Name].Printed().ReplaceLineEndings("\n");
            output.WriteLine($"{r.Name}: {expected}");
            Assert.True(printed.EndsWith(expected, StringComparison.Ordinal),
                $"the recipe {r.Name} printed\n{printed}\nbut its widget computed\n{expected}");
        }
    }
}

/// <summary>Each page with a recipe shows that file in its panel byte for byte (as the browser renders it), with its download button.</summary>
[Collection("lab")]
public sealed class RecipePanelTests(LabFixture lab)
{
    [Theory]
    [InlineData("/universal-approximation", "universal-approximation")]
    [InlineData("/training", "training")]
    [InlineData("/overfitting", "overfitting")]
    [InlineData("/backprop", "backprop")]
    [InlineData("/gradient-descent", "gradient-descent")]
    [InlineData("/playground", "playground")]
    [InlineData("/losses", "losses")]
    [InlineData("/linear-hypothesis", "linear-hypothesis")]
    [InlineData("/mcculloch-pitts", "mcculloch-pitts")]
    [InlineData("/hodgkin-huxley", "hodgkin-huxley")]
    [InlineData("/convolution", "convolution")]
    [InlineData("/networks", "networks")]
    [InlineData("/depth", "depth")]
    [InlineData("/autoencoder", "autoencoders")]
    public async Task ThePanelShowsTheRecipeFileByteForByte(string path, string recipe)
    {
        await using var p = await lab.OpenAsync(path);
        // The "Show code" panel (recipe-text), or on the training page the C# beside the PyTorch (csharp).
        var text = p.Page.Locator("[data-testid=recipe-text], [data-testid=csharp]");
        await text.WaitForAsync(new() { State = Microsoft.Playwright.WaitForSelectorState.Attached, Timeout = 60000 });
        string file = Path.Combine(DocSnippetsRunTests.RepoRoot(), "src", "Pitts.Lab.Client", RecipeFiles.PathOf(recipe));
        Assert.Equal(File.ReadAllText(file), await text.TextContentAsync());
        // Every "Show code" panel with a recipe has its download button (the training page has no such panel yet).
        Assert.Equal(recipe == "training" ? 0 : 1, await p.ById("download-recipe").CountAsync());
        Assert.Empty(p.Errors);
    }
}
