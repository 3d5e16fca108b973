using Pitts.IO;
using Xunit.Abstractions;

namespace Pitts.Onnx.Tests;

/// <summary>ONNX files made by PyTorch 1.13 (scripts/onnx/make_torch_onnx.py) load in Pitts and give PyTorch's outputs.</summary>
public class TorchImportTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> TorchFiles() =>
        new[] { "mlp", "cnn_bn", "lstm", "gru", "rnn", "transformer_encoder_layer", "gelu_layernorm" }.Select(n => new object[] { n });

    private static string Golden(string file) => Path.Combine(AppContext.BaseDirectory, "Golden", file);

    [Theory]
    [MemberData(nameof(TorchFiles))]
    public void PyTorchExportsAgreeWithPyTorch(string name)
    {
        var model = Onnx.Load(Golden(name + ".onnx"));
        var x = Npy.Load(Golden(name + ".input.npy"));
        var expected = Npy.Load(Golden(name + ".output.npy"));
        Tensor y;
        using (Autograd.NoGrad()) y = model.Eval().Forward(x);
        Assert.Equal(expected.Shape, y.Shape);
        double diff = Oracles.MaxDiff(expected.ToArray(), y.ToArray());
        output.WriteLine($"{name}: {model.OpTypes.Count} nodes ({string.Join(" ", model.OpTypes.Distinct())}), max |PyTorch - Pitts| = {diff:E2}");
        Assert.True(diff <= 1e-5, $"{name}: Pitts differs from PyTorch by {diff:E2}");
    }
}
