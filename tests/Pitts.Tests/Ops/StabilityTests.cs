using Pitts;

namespace Pitts.Tests.Ops;

public class StabilityTests
{
    private static void AllFinite(Tensor t, string what) =>
        Assert.True(t.ToArray().All(float.IsFinite), $"{what} has NaN or infinity: {t}");

    [Fact]
    public void SoftmaxFamilyIsFiniteForHugeLogits()
    {
        var logits = Tensor.FromArray(new float[,] { { 1e4f, -1e4f, 0f }, { -1e4f, -1e4f, -1e4f }, { 1e4f, 1e4f, 9999f } });
        foreach (var (name, f) in new (string, Func<Tensor, Tensor>)[]
                 {
                     ("Softmax", x => x.Softmax(-1)), ("LogSoftmax", x => x.LogSoftmax(-1)),
                     ("LogSumExp", x => x.LogSumExp(-1)), ("Softmax dim 0", x => x.Softmax(0)),
                 })
        {
            var x = logits.Detach().RequireGrad();
            var y = f(x);
            AllFinite(y, name);
            (y * Tensor.Rand(y.Shape.ToArray(), new Generator(1))).Sum().Backward();
            AllFinite(x.Grad!, name + " gradient");
        }
        var p = logits.Softmax(-1);
        Assert.Equal(1f, p[0, 0]);
        Assert.Equal(1f / 3f, p[1, 1], 6);
        Assert.Equal(1e4f + MathF.Log(2f + MathF.Exp(-1f)), logits.LogSumExp(-1)[2], 3);
        Assert.Equal(-2e4f, logits.LogSoftmax(-1)[0, 1], 1);
    }

    [Fact]
    public void SigmoidAndSoftplusSaturateWithoutNaN()
    {
        var x = Tensor.FromArray([-1e4f, -100f, 0f, 100f, 1e4f]).RequireGrad();
        var y = x.Sigmoid() + x.Softplus() + x.Tanh();
        AllFinite(y, "activations");
        y.Sum().Backward();
        AllFinite(x.Grad!, "activation gradients");
    }

    [Fact]
    public void ErfIsAccurate()
    {
        // Reference values of erf (Abramowitz and Stegun, Table 7.1, and high-precision tables).
        (double x, double erf)[] refs = [(0, 0), (0.1, 0.1124629160182849), (0.5, 0.5204998778130465), (1, 0.8427007929497149),
            (2, 0.9953222650189527), (2.5, 0.9995930479825550), (3, 0.9999779095030014), (-1.5, -0.9661051464753108)];
        foreach (var (x, erf) in refs) Assert.Equal(erf, SpecialFunctions.Erf(x), 13);
    }
}
