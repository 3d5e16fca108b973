using Pitts.NN;

namespace Pitts.Onnx.Tests;

/// <summary>Exported files are run by ONNX Runtime and checked by python3-onnx's checker.</summary>
public class ExportTests
{
    public static IEnumerable<object[]> Cases() => TestModels.All();

    [Theory]
    [MemberData(nameof(Cases))]
    internal void OnnxRuntimeAgreesWithPitts(TestModels.Case c)
    {
        var model = c.Make();
        string path = Oracles.TempOnnx(c.Name);
        try
        {
            Onnx.Export(model, TestModels.Input(c, batch: 2, seed: 1), path);
            var x = TestModels.Input(c);
            model.Eval();
            Tensor expected;
            using (Autograd.NoGrad()) expected = model.Forward(x);
            var (actual, shape) = Oracles.RunOrt(path, x);
            Assert.Equal(expected.Shape, shape);
            double diff = Oracles.MaxDiff(expected.ToArray(), actual);
            Assert.True(diff <= 1e-5, $"{c.Name}: ONNX Runtime differs from Pitts by {diff:E2}");
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    internal void CheckerAcceptsTheFile(TestModels.Case c)
    {
        string path = Oracles.TempOnnx(c.Name);
        try
        {
            Onnx.Export(c.Make(), TestModels.Input(c, batch: 2), path);
            Assert.Equal("", Oracles.Check(path));
        }
        finally { File.Delete(path); }
    }

    private sealed class Custom : Module
    {
        public override Tensor Forward(Tensor input) => input.Exp();
    }

    [Fact]
    public void AnUnsupportedModuleIsNamed()
    {
        var model = new Sequential(("fc", new Linear(2, 2)), ("mystery", new Custom()));
        var e = Assert.Throws<OnnxExportException>(() => Onnx.ExportToBytes(model, Tensor.Zeros(1, 2)));
        Assert.Contains("'mystery'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Custom", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheBatchAxisIsDynamic()
    {
        var model = new Sequential(new Linear(3, 2, generator: new Generator(1)), new Relu());
        string path = Oracles.TempOnnx("batch");
        try
        {
            Onnx.Export(model, [1, 3], path);
            foreach (int n in new[] { 1, 7, 64 })
            {
                var x = Tensor.Rand([n, 3], new Generator((ulong)n));
                var (y, shape) = Oracles.RunOrt(path, x);
                Assert.Equal([n, 2], shape);
                Assert.True(Oracles.MaxDiff(model.Forward(x).ToArray(), y) <= 1e-6);
            }
        }
        finally { File.Delete(path); }
    }
}
