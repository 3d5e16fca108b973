using Pitts;
using Pitts.Optim;

namespace Pitts.Tests.Optim;

public class AdamExactTests
{
    /// <summary>
    /// The Adam/AdamW step as documented on <see cref="Adam"/> (PyTorch's placement of ε, step size α/(1 - β₁ᵗ)), written
    /// out one weight at a time in float: the optimizer's vector loop and its scalar tail must round exactly like it.
    /// </summary>
    private static void Reference(float[] p, float[] g, float[] m, float[] v, float[] vMax, int t, float lr, float b1, float b2, float eps, float wd, bool decoupled, bool amsgrad)
    {
        float bc1 = 1f - MathF.Pow(b1, t), bc2Sqrt = MathF.Sqrt(1f - MathF.Pow(b2, t));
        for (int j = 0; j < p.Length; j++)
        {
            float gj = g[j];
            if (decoupled) p[j] = p[j] * (1f - lr * wd);
            else gj = gj + wd * p[j];
            m[j] = b1 * m[j] + (1f - b1) * gj;
            v[j] = b2 * v[j] + (1f - b2) * gj * gj;
            float vh = v[j];
            if (amsgrad) { vMax[j] = Math.Max(vMax[j], v[j]); vh = vMax[j]; }
            p[j] = p[j] - lr / bc1 * m[j] / (MathF.Sqrt(vh) / bc2Sqrt + eps);
        }
    }

    [Theory]
    [InlineData(false, false, 0f)]
    [InlineData(false, false, 0.1f)]
    [InlineData(false, true, 0.1f)]
    [InlineData(true, false, 0.01f)]
    [InlineData(true, true, 0.01f)]
    public void AdamMatchesTheScalarFormulaBitForBit(bool decoupled, bool amsgrad, float wd)
    {
        const int n = 37; // several vectors of any width and a scalar tail
        var rng = new Random(7);
        var p0 = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var w = Tensor.FromArray((float[])p0.Clone()).RequireGrad();
        Optimizer opt = decoupled ? new AdamW([w], lr: 0.01f, weightDecay: wd, amsgrad: amsgrad) : new Adam([w], lr: 0.01f, weightDecay: wd, amsgrad: amsgrad);
        float[] p = (float[])p0.Clone(), m = new float[n], v = new float[n], vMax = new float[n];
        for (int t = 1; t <= 20; t++)
        {
            // Gradients that shrink and change sign, so AMSGrad's maximum and the bias corrections both matter.
            var g = Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2 - 1) * 3 / t)).ToArray();
            w.Grad = Tensor.FromArray((float[])g.Clone());
            opt.Step();
            Reference(p, g, m, v, vMax, t, 0.01f, 0.9f, 0.999f, 1e-8f, wd, decoupled, amsgrad);
        }
        var got = w.ToArray();
        for (int j = 0; j < n; j++)
            Assert.True(BitConverter.SingleToInt32Bits(got[j]) == BitConverter.SingleToInt32Bits(p[j]), $"weight {j}: {got[j]:R} against {p[j]:R}");
    }
}
