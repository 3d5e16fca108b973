using System.Text.Json;
using Pitts;
using Pitts.NN;
using Pitts.Tests.Support;

namespace Pitts.Tests.NN;

/// <summary>Every loss and reduction against PyTorch 1.13 (Golden/make_nn_golden.py → nn_losses.json).</summary>
public class LossGoldenTests
{
    private static readonly JsonElement Cases = Golden.Load("nn_losses.json");

    public static TheoryData<string, string> Names()
    {
        var d = new TheoryData<string, string>();
        foreach (var c in Cases.EnumerateArray()) d.Add(c.GetProperty("name").GetString()!, c.GetProperty("reduction").GetString()!);
        return d;
    }

    private static Tensor? Opt(JsonElement cfg, string key) => cfg.TryGetProperty(key, out var v) ? Golden.ToTensor(v) : null;

    private static Loss Make(string name, Reduction r, JsonElement cfg)
    {
        var w = Opt(cfg, "weight");
        float smoothing = cfg.TryGetProperty("label_smoothing", out var s) ? s.GetSingle() : 0f;
        int ignore = cfg.TryGetProperty("ignore_index", out var ig) ? ig.GetInt32() : -100;
        return name switch
        {
            "mse" => new MseLoss(r),
            "l1" => new L1Loss(r),
            "bce" or "bce_soft_targets" or "bce_edges" or "bce_weighted" => new BceLoss(w, r),
            "bce_logits" or "bce_logits_pos_weight" => new BceWithLogitsLoss(w, Opt(cfg, "pos_weight"), r),
            var n when n.StartsWith("cross_entropy", StringComparison.Ordinal) => new CrossEntropyLoss(w, r, smoothing, ignore),
            var n when n.StartsWith("nll", StringComparison.Ordinal) => new NllLoss(w, r, ignore),
            _ => throw new InvalidOperationException($"no Pitts loss for golden case '{name}'"),
        };
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void MatchesPyTorch(string name, string reduction)
    {
        var c = Cases.EnumerateArray().Single(e => e.GetProperty("name").GetString() == name && e.GetProperty("reduction").GetString() == reduction);
        var r = reduction switch { "mean" => Reduction.Mean, "sum" => Reduction.Sum, _ => Reduction.None };
        var x = Golden.ToTensor(c.GetProperty("input")).RequireGrad();
        var y = Golden.ToTensor(c.GetProperty("target"));
        var loss = Make(name, r, c.GetProperty("config")).Forward(x, y);
        Golden.AssertClose(Golden.ToTensor(c.GetProperty("output")), loss, $"{name}/{reduction} loss", 1e-5f, 1e-6f);
        loss.Backward(Golden.ToTensor(c.GetProperty("upstream")));
        // bce_edges has a gradient of -1e12 at p = 0, y = 1 (PyTorch's 1e-12 floor); relative tolerance covers it.
        Golden.AssertClose(Golden.ToTensor(c.GetProperty("grad")), x.Grad!, $"{name}/{reduction} gradient", 1e-5f, 1e-6f);
    }

    [Fact]
    public void BceRejectsValuesOutsideZeroOne()
    {
        var e = Assert.Throws<PittsException>(() => new BceLoss().Forward(Tensor.FromArray([0.5f, 1.5f]), Tensor.FromArray([1f, 0f])));
        Assert.Contains("1.5", e.Message);
    }

    [Fact]
    public void MseIsItsCompositionToTheBit()
    {
        // MseLoss's mean and sum run as one fused op; it must give the composition's loss and both gradients exactly.
        static int Bits(float v) => BitConverter.SingleToInt32Bits(v);
        var g = new Generator(5);
        foreach (var r in new[] { Reduction.Mean, Reduction.Sum })
            for (int n = 1; n <= 70; n++)
                foreach (int cols in new[] { 1, 3 })
                {
                    var x0 = Tensor.Randn([n, cols], g);
                    var y0 = Tensor.Randn([n, cols], g);
                    var (x1, y1) = (x0.Detach().RequireGrad(), y0.Detach().RequireGrad());
                    var (x2, y2) = (Tensor.FromArray(x0.ToArray(), n, cols).RequireGrad(), Tensor.FromArray(y0.ToArray(), n, cols).RequireGrad());
                    var fused = new MseLoss(r).Forward(x1, y1);
                    var composed = Functional.Reduce(x2.Sub(y2).Square(), r);
                    Assert.Equal(Bits(composed.Item()), Bits(fused.Item()));
                    fused.Backward(Tensor.Scalar(0.7f));
                    composed.Backward(Tensor.Scalar(0.7f));
                    Assert.Equal(x2.Grad!.ToArray().Select(Bits), x1.Grad!.ToArray().Select(Bits));
                    Assert.Equal(y2.Grad!.ToArray().Select(Bits), y1.Grad!.ToArray().Select(Bits));
                }
    }

    [Fact]
    public void MseRejectsMismatchedShapesNamingThem()
    {
        var e = Assert.Throws<ShapeException>(() => new MseLoss().Forward(Tensor.Zeros(30, 1), Tensor.Zeros(30)));
        Assert.Contains("(30x1)", e.Message);
        Assert.Contains("(30)", e.Message);
    }

    [Fact]
    public void CrossEntropyRejectsOutOfRangeAndFractionalTargets()
    {
        Assert.Throws<PittsException>(() => new CrossEntropyLoss().Forward(Tensor.Zeros(2, 3), Tensor.FromArray([0f, 3f])));
        Assert.Throws<PittsException>(() => new CrossEntropyLoss().Forward(Tensor.Zeros(2, 3), Tensor.FromArray([0f, 1.5f])));
    }

    [Fact]
    public void BceWithLogitsGradientMatchesFiniteDifferences()
    {
        var x = Tensor.FromArray([-2f, -0.3f, 0f, 0.4f, 5f]);
        var y = Tensor.FromArray([0f, 1f, 0.5f, 1f, 0f]);
        var r = GradCheck.Check(a => Functional.BinaryCrossEntropyWithLogits(a[0], y), [x]);
        Assert.True(r.Passed, r.ToString());
    }
}
