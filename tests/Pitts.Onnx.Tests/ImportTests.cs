using Pitts.NN;
using Xunit.Abstractions;

namespace Pitts.Onnx.Tests;

/// <summary>Onnx.Load runs exported files and files made by PyTorch, and can be trained.</summary>
public class ImportTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> Cases() => TestModels.All();

    /// <summary>The cases whose round trip computes with other ops than the Pitts layer (composed attention and GELU), within 1e-5 instead of exactly.</summary>
    private static bool Composed(string name) =>
        name.Contains("transformer", StringComparison.Ordinal) || name.Contains("mha", StringComparison.Ordinal)
        || name.Contains("encoder-layer", StringComparison.Ordinal) || name.Contains("gelu", StringComparison.Ordinal) || name == "autoencoder";

    [Theory]
    [MemberData(nameof(Cases))]
    internal void RoundTripGivesThePittsOutputs(TestModels.Case c)
    {
        var model = c.Make();
        var bytes = Onnx.ExportToBytes(model, TestModels.Input(c, batch: 2, seed: 1));
        var loaded = Onnx.Load(bytes, c.Name + ".onnx");
        var x = TestModels.Input(c);
        model.Eval();
        Tensor expected, actual;
        using (Autograd.NoGrad())
        {
            expected = model.Forward(x);
            actual = loaded.Forward(x);
        }
        Assert.Equal(expected.Shape, actual.Shape);
        // The same trainable values: constants (GELU's √2, attention's √d) do not become parameters; only a recurrent
        // layer without biases gains zero biases (ONNX's B), and norms without affine their ones and zeros.
        if (c.Name is not ("lstm-no-bias" or "norms-without-affine")) Assert.Equal(model.ParameterCount(), loaded.ParameterCount());
        double diff = Oracles.MaxDiff(expected.ToArray(), actual.ToArray());
        output.WriteLine($"{c.Name}: max |Pitts - ONNX→Pitts| = {diff:E2}");
        if (Composed(c.Name)) Assert.True(diff <= 1e-5, $"{c.Name}: differs by {diff:E2}");
        else Assert.Equal(expected.ToArray(), actual.ToArray()); // the same layers run: bit for bit
    }

    [Fact]
    public void ParametersKeepTheirNames()
    {
        var model = new Sequential(("fc1", new Linear(3, 4)), ("act", new Relu()), ("fc2", new Linear(4, 2)));
        var loaded = Onnx.Load(Onnx.ExportToBytes(model, Tensor.Zeros(1, 3)));
        Assert.Equal(model.StateDict().Keys, loaded.StateDict().Keys);
    }

    [Fact]
    public void TheImportedModelFineTunes()
    {
        var g = new Generator(3);
        var model = new Sequential(new Conv2d(1, 2, 3, padding: 1, generator: g), new BatchNorm2d(2), new Relu(), new Flatten(), new Linear(32, 1, generator: g));
        var loaded = Onnx.Load(Onnx.ExportToBytes(model, Tensor.Zeros(1, 1, 4, 4)));
        var x = Tensor.Randn([8, 1, 4, 4], g);
        var y = Tensor.Randn([8, 1], g);
        var opt = new Pitts.Optim.Sgd(loaded.Parameters(), lr: 0.05f);
        float first = 0, last = 0;
        for (int step = 0; step < 20; step++)
        {
            var loss = Functional.MseLoss(loaded.Forward(x), y);
            if (step == 0) first = loss.Item();
            last = loss.Item();
            opt.ZeroGrad();
            loss.Backward();
            opt.Step();
        }
        Assert.All(loaded.Parameters(), p => Assert.NotNull(p.Grad));
        Assert.True(last < 0.7f * first, $"loss went from {first} to {last}");
        // Gradients match finite differences through the imported graph.
        var w = loaded.Parameters().First();
        var loss0 = Functional.MseLoss(loaded.Forward(x), y);
        foreach (var p in loaded.Parameters()) p.Grad = null;
        loss0.Backward();
        float analytic = w.Grad!.ToArray()[0];
        float eps = 1e-2f, orig = w.AsSpan()[0];
        float Loss() { using (Autograd.NoGrad()) return Functional.MseLoss(loaded.Forward(x), y).Item(); }
        w.AsSpan()[0] = orig + eps; float up = Loss();
        w.AsSpan()[0] = orig - eps; float down = Loss();
        w.AsSpan()[0] = orig;
        Assert.Equal((up - down) / (2 * eps), analytic, 2e-2f);
    }

    [Fact]
    public void TheDocsListTheOperatorsLoadRuns()
    {
        // docs/INTEROP.md names every operator Onnx.Load runs and no other (commit bc187d6's message counted 51; there are 56).
        string docs = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "INTEROP.md"));
        const string Lead = "Operators `Onnx.Load` runs (`Onnx.SupportedOperators`):";
        int start = docs.IndexOf(Lead, StringComparison.Ordinal);
        Assert.True(start >= 0, "INTEROP.md has no operator list");
        int end = docs.IndexOf('.', start + Lead.Length);
        var listed = docs[(start + Lead.Length)..end].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Onnx.SupportedOperators.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        Assert.Equal(56, listed.Length);
    }

    private static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", ".."));
}
