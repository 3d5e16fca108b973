using System.Text.Json;
using Pitts;
using Pitts.Tests.Support;

namespace Pitts.Tests.Ops;

/// <summary>Conv2d, MaxPool2d and AvgPool2d against PyTorch golden values (forward and all gradients) and finite differences.</summary>
public class ConvPoolTests
{
    private static readonly JsonElement Cases = Golden.Load("conv_golden.json").GetProperty("cases");

    public static TheoryData<string> CaseNames()
    {
        var d = new TheoryData<string>();
        foreach (var c in Golden.Load("conv_golden.json").GetProperty("cases").EnumerateArray()) d.Add(c.GetProperty("name").GetString()!);
        return d;
    }

    private static JsonElement Case(string name) => Cases.EnumerateArray().First(c => c.GetProperty("name").GetString() == name);

    private static int[] Ints(JsonElement c, string key) => c.GetProperty(key).EnumerateArray().Select(x => x.GetInt32()).ToArray();

    private static float[] Floats(JsonElement c, string key) => c.GetProperty(key).EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();

    private static Tensor T(JsonElement c, string key, string shapeKey) => Tensor.FromArray(Floats(c, key), Ints(c, shapeKey));

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void MatchesPyTorchForwardAndBackward(string name)
    {
        var c = Case(name);
        string op = c.GetProperty("op").GetString()!;
        var x = T(c, "x", "x_shape").RequireGrad();
        var s = Ints(c, "stride");
        var p = Ints(c, "padding");
        var d = Ints(c, "dilation");
        Tensor? w = null, b = null;
        Tensor y;
        switch (op)
        {
            case "conv2d":
                w = T(c, "w", "w_shape").RequireGrad();
                if (c.TryGetProperty("b", out _)) b = Tensor.FromArray(Floats(c, "b")).RequireGrad();
                y = Tensor.Conv2d(x, w, b, (s[0], s[1]), (p[0], p[1]), (d[0], d[1]));
                break;
            case "maxpool2d":
                var k = Ints(c, "kernel");
                y = x.MaxPool2d((k[0], k[1]), (s[0], s[1]), (p[0], p[1]), (d[0], d[1]));
                break;
            default:
                var ka = Ints(c, "kernel");
                y = x.AvgPool2d((ka[0], ka[1]), (s[0], s[1]), (p[0], p[1]), c.GetProperty("count_include_pad").GetBoolean());
                break;
        }
        var expectedY = T(c, "y", "y_shape");
        Golden.AssertClose(expectedY, y, $"{name} forward");
        var r = Tensor.FromArray(Floats(c, "r"), Ints(c, "y_shape"));
        y.Mul(r).Sum().Backward();
        Golden.AssertClose(Tensor.FromArray(Floats(c, "gx"), Ints(c, "x_shape")), x.Grad!, $"{name} dL/dx");
        if (w is not null) Golden.AssertClose(Tensor.FromArray(Floats(c, "gw"), Ints(c, "w_shape")), w.Grad!, $"{name} dL/dweight");
        if (b is not null) Golden.AssertClose(Tensor.FromArray(Floats(c, "gb")), b.Grad!, $"{name} dL/dbias");
    }

    [Theory]
    [InlineData(1, 0, 1)]
    [InlineData(2, 1, 1)]
    [InlineData(1, 2, 2)]
    [InlineData(3, 1, 1)]
    public void Conv2dGradientsMatchFiniteDifferences(int stride, int padding, int dilation)
    {
        var g = new Generator(7);
        var x = Tensor.Randn([2, 2, 6, 5], g).RequireGrad();
        var w = Tensor.Randn([3, 2, 3, 2], g).RequireGrad();
        var b = Tensor.Randn([3], g).RequireGrad();
        var res = GradCheck.Check(t => Tensor.Conv2d(t[0], t[1], t[2], stride, padding, dilation), [x, w, b]);
        Assert.True(res.Passed, res.ToString());
    }

    [Fact]
    public void PointwiseConvGradientsMatchFiniteDifferences()
    {
        var g = new Generator(8);
        var x = Tensor.Randn([2, 3, 4, 3], g).RequireGrad();
        var w = Tensor.Randn([2, 3, 1, 1], g).RequireGrad();
        var res = GradCheck.Check(t => Tensor.Conv2d(t[0], t[1]), [x, w]);
        Assert.True(res.Passed, res.ToString());
    }

    [Fact]
    public void PoolGradientsMatchFiniteDifferences()
    {
        // Distinct values spaced well apart, so no window has a near-tie that a finite step could flip.
        var values = Enumerable.Range(0, 2 * 2 * 7 * 6).Select(i => (float)((i * 37) % 168) * 0.1f).ToArray();
        var x = Tensor.FromArray(values, 2, 2, 7, 6).RequireGrad();
        Assert.True(GradCheck.Check(t => t[0].MaxPool2d(3, 2, 1), [x]).Passed);
        Assert.True(GradCheck.Check(t => t[0].AvgPool2d(3, 2, 1), [x]).Passed);
        Assert.True(GradCheck.Check(t => t[0].AvgPool2d(3, 2, 1, countIncludePad: false), [x]).Passed);
    }

    [Fact]
    public void LargeBatchUsesChunksAndMatchesPerSampleResults()
    {
        // 40 samples of 16x(5x5) columns over 28x28 exceed the im2col budget, so the batch is processed in chunks:
        // each sample's output must equal the output of that sample alone, and dW must equal the sum of per-sample dW.
        var g = new Generator(3);
        var x = Tensor.Randn([40, 16, 28, 28], g);
        var w = Tensor.Randn([4, 16, 5, 5], g).RequireGrad();
        var y = Tensor.Conv2d(x, w, null, 1, 2);
        y.Sum().Backward();
        var gwBatch = w.Grad!.ToArray();
        var sum = new double[gwBatch.Length];
        foreach (int s in new[] { 0, 17, 39 })
        {
            var xs = Tensor.FromArray(x.ToArray().AsSpan(s * 16 * 784, 16 * 784).ToArray(), 1, 16, 28, 28);
            var ys = Tensor.Conv2d(xs, w.Detach(), null, 1, 2).ToArray();
            var yb = y.ToArray().AsSpan(s * 4 * 784, 4 * 784).ToArray();
            Assert.Equal(ys, yb);
        }
        for (int s = 0; s < 40; s++)
        {
            var ws = w.Detach().RequireGrad();
            var xs = Tensor.FromArray(x.ToArray().AsSpan(s * 16 * 784, 16 * 784).ToArray(), 1, 16, 28, 28);
            Tensor.Conv2d(xs, ws, null, 1, 2).Sum().Backward();
            var gs = ws.Grad!.ToArray();
            for (int i = 0; i < sum.Length; i++) sum[i] += gs[i];
        }
        for (int i = 0; i < sum.Length; i++)
            Assert.True(Math.Abs(sum[i] - gwBatch[i]) <= 1e-3 * (1 + Math.Abs(sum[i])), $"dW[{i}] = {gwBatch[i]}, per-sample sum {sum[i]}");
    }

    [Fact]
    public void MaxPoolTiesPickTheFirstAndNaNWins()
    {
        // 2x2 windows (fast path) and 3x3 windows with padding (general loop) follow PyTorch: the first maximum of a
        // tie gets the gradient, and a NaN in a window makes the output NaN.
        var x = Tensor.FromArray([1, 5, 5, 2, 3, 5, float.NaN, 4, 0, 1, 2, 3, 7, 7, 7, 7], 1, 1, 4, 4).RequireGrad();
        var y = x.MaxPool2d(2);
        Assert.Equal(5f, y[0, 0, 0, 0]);
        Assert.True(float.IsNaN(y[0, 0, 0, 1]));
        Assert.Equal(7f, y[0, 0, 1, 0]);
        y.Sum().Backward();
        var g = x.Grad!.ToArray();
        Assert.Equal(1f, g[1]);  // first 5 of the top-left window (row 0, col 1)
        Assert.Equal(0f, g[5]);  // the tied 5 below it gets nothing
        Assert.Equal(1f, g[6]);  // the NaN
        Assert.Equal(1f, g[12]); // first 7 of the bottom-left window
        Assert.Equal(0f, g[13]);
        var y3 = x.Detach().MaxPool2d(3, 1, 1);
        Assert.True(float.IsNaN(y3[0, 0, 0, 1])); // the window over rows -1..1, columns 0..2 holds the NaN
        Assert.Equal(7f, y3[0, 0, 3, 0]);
    }

    [Fact]
    public void UnbatchedInputWorks()
    {
        var g = new Generator(5);
        var x = Tensor.Randn([2, 5, 5], g);
        var w = Tensor.Randn([3, 2, 3, 3], g);
        var y3 = Tensor.Conv2d(x, w, null, 1, 1);
        var y4 = Tensor.Conv2d(x.Unsqueeze(0), w, null, 1, 1);
        Assert.Equal(new[] { 3, 5, 5 }, y3.Shape);
        Assert.Equal(y4.ToArray(), y3.ToArray());
        Assert.Equal(new[] { 2, 2, 2 }, x.MaxPool2d(2).Shape);
    }

    [Fact]
    public void ErrorsNameTheOpAndShapes()
    {
        var x = Tensor.Zeros(1, 3, 8, 8);
        var e1 = Assert.Throws<ShapeException>(() => Tensor.Conv2d(x, Tensor.Zeros(4, 2, 3, 3)));
        Assert.Contains("Conv2d", e1.Message);
        Assert.Contains("(1x3x8x8)", e1.Message);
        var e2 = Assert.Throws<ShapeException>(() => Tensor.Conv2d(x, Tensor.Zeros(4, 3, 9, 9)));
        Assert.Contains("smaller than the kernel", e2.Message);
        Assert.Throws<ShapeException>(() => Tensor.Zeros(8, 8).MaxPool2d(2));
        Assert.Throws<PittsException>(() => x.MaxPool2d(2, 2, 2));
    }
}
