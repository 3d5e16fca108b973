using System.Numerics.Tensors;
namespace Pitts;

// Unary elementwise maths and activations. Activations are fused primitives (forward and derivative in one place)
// rather than compositions: it saves several temporaries per call on the hot path of every network.
public sealed partial class Tensor
{
    internal delegate void SpanMap(ReadOnlySpan<float> x, Span<float> d);

    /// <summary>dx from the output gradient g, the input x and the output y, in one pass.</summary>
    internal delegate void GradMap(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx);

    /// <summary>Applies <paramref name="forward"/> and records <paramref name="grad"/> as the input gradient.</summary>
    private Tensor Unary(string op, SpanMap forward, GradMap grad)
    {
        var r = new Tensor(_shape);
        if (Numel > 0) forward(Data, r.AsSpan()); // some TensorPrimitives reject empty spans
        Graph.Record(r, op, this, g =>
        {
            var dx = new Tensor(_shape);
            if (Numel > 0) grad(g.Data, Data, r.Data, dx.AsSpan());
            return dx;
        });
        return r;
    }

    /// <summary>-x.</summary>
    public Tensor Neg() => Unary("Neg", TensorPrimitives.Negate, (g, _, _, dx) => TensorPrimitives.Negate(g, dx));

    /// <summary>e^x.</summary>
    public Tensor Exp() => Unary("Exp", Kernels.Pointwise.Exp, (g, _, y, dx) => TensorPrimitives.Multiply(g, y, dx));

    /// <summary>Natural logarithm; -inf at 0 and NaN below 0.</summary>
    public Tensor Log() => Unary("Log", TensorPrimitives.Log, (g, x, _, dx) => TensorPrimitives.Divide(g, x, dx));

    /// <summary>√x; d/dx = 1/(2√x).</summary>
    public Tensor Sqrt() => Unary("Sqrt", TensorPrimitives.Sqrt, (g, _, y, dx) =>
    {
        TensorPrimitives.Divide(g, y, dx);
        TensorPrimitives.Multiply(dx, 0.5f, dx);
    });

    /// <summary>|x|; the gradient at 0 is 0 (as PyTorch's sign(x)).</summary>
    public Tensor Abs() => Unary("Abs", TensorPrimitives.Abs, (g, x, _, dx) =>
    {
        for (int i = 0; i < dx.Length; i++) dx[i] = g[i] * MathF.Sign(x[i]);
    });

    /// <summary>sin x.</summary>
    public Tensor Sin() => Unary("Sin", TensorPrimitives.Sin, (g, x, _, dx) =>
    {
        TensorPrimitives.Cos(x, dx);
        TensorPrimitives.Multiply(dx, g, dx);
    });

    /// <summary>cos x.</summary>
    public Tensor Cos() => Unary("Cos", TensorPrimitives.Cos, (g, x, _, dx) =>
    {
        TensorPrimitives.Sin(x, dx);
        TensorPrimitives.Multiply(dx, g, dx);
        TensorPrimitives.Negate(dx, dx);
    });

    /// <summary>x² (same as Pow(2)).</summary>
    public Tensor Square() => Pow(2f);

    /// <summary>Clamps to [min, max]; the gradient passes where min ≤ x ≤ max (as PyTorch).</summary>
    public Tensor Clamp(float min = float.NegativeInfinity, float max = float.PositiveInfinity)
    {
        if (min > max) throw new PittsException($"Clamp: min {min} is greater than max {max}");
        return Unary("Clamp",
            (x, d) => { TensorPrimitives.Max(x, min, d); TensorPrimitives.Min(d, max, d); },
            (g, x, _, dx) => { for (int i = 0; i < dx.Length; i++) dx[i] = x[i] >= min && x[i] <= max ? g[i] : 0f; });
    }

    /// <summary>ReLU: max(x, 0); the derivative at 0 is taken as 0.</summary>
    public Tensor Relu() => Unary("Relu",
        (x, d) => TensorPrimitives.Max(x, 0f, d),
        ReluBackward);

    /// <summary>dx = g where x &gt; 0, else 0, a vector at a time (ReLU's backward is on the hot path of every MLP and CNN).</summary>
    private static void ReluBackward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dx)
    {
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            int w = System.Numerics.Vector<float>.Count;
            for (; i <= dx.Length - w; i += w)
            {
                var xv = new System.Numerics.Vector<float>(x.Slice(i, w));
                var gv = new System.Numerics.Vector<float>(g.Slice(i, w));
                var mask = System.Numerics.Vector.GreaterThan(xv, System.Numerics.Vector<float>.Zero);
                System.Numerics.Vector.ConditionalSelect(mask, gv, System.Numerics.Vector<float>.Zero).CopyTo(dx.Slice(i, w));
            }
        }
        for (; i < dx.Length; i++) dx[i] = x[i] > 0 ? g[i] : 0f;
    }

    /// <summary>Leaky ReLU: x for x &gt; 0, else slope·x.</summary>
    public Tensor LeakyRelu(float negativeSlope = 0.01f) => Unary("LeakyRelu",
        (x, d) => { for (int i = 0; i < d.Length; i++) d[i] = x[i] > 0 ? x[i] : negativeSlope * x[i]; },
        (g, x, _, dx) => { for (int i = 0; i < dx.Length; i++) dx[i] = x[i] > 0 ? g[i] : negativeSlope * g[i]; });

    /// <summary>Logistic sigmoid σ(x) = 1 / (1 + e^-x); σ' = σ(1 - σ).</summary>
    public Tensor Sigmoid() => Unary("Sigmoid", Kernels.Pointwise.Sigmoid,
        (g, _, y, dx) => { for (int i = 0; i < dx.Length; i++) dx[i] = g[i] * y[i] * (1f - y[i]); });

    /// <summary>Hyperbolic tangent; tanh' = 1 - tanh².</summary>
    public Tensor Tanh() => Unary("Tanh", Kernels.Pointwise.Tanh,
        (g, _, y, dx) => { for (int i = 0; i < dx.Length; i++) dx[i] = g[i] * (1f - y[i] * y[i]); });

    /// <summary>GELU, exact form x·Φ(x) = 0.5x(1 + erf(x/√2)) (PyTorch's default).</summary>
    public Tensor Gelu() => Unary("Gelu",
        (x, d) => { for (int i = 0; i < d.Length; i++) d[i] = (float)(0.5 * x[i] * (1.0 + SpecialFunctions.Erf(x[i] / Math.Sqrt(2.0)))); },
        (g, x, _, dx) =>
        {
            for (int i = 0; i < dx.Length; i++)
            {
                double v = x[i];
                double cdf = 0.5 * (1.0 + SpecialFunctions.Erf(v / Math.Sqrt(2.0)));
                double pdf = Math.Exp(-0.5 * v * v) / Math.Sqrt(2.0 * Math.PI);
                dx[i] = (float)(g[i] * (cdf + v * pdf));
            }
        });

    /// <summary>The error function erf(x) = 2/√π ∫₀ˣ e^(-t²) dt; erf'(x) = 2/√π·e^(-x²).</summary>
    public Tensor Erf() => Unary("Erf",
        (x, d) => { for (int i = 0; i < d.Length; i++) d[i] = (float)SpecialFunctions.Erf(x[i]); },
        (g, x, _, dx) => { for (int i = 0; i < dx.Length; i++) dx[i] = (float)(g[i] * 2.0 / Math.Sqrt(Math.PI) * Math.Exp(-(double)x[i] * x[i])); });

    /// <summary>Softplus log(1 + e^x), returning x itself above 20 (PyTorch's threshold); derivative σ(x).</summary>
    public Tensor Softplus() => Unary("Softplus",
        (x, d) => { for (int i = 0; i < d.Length; i++) d[i] = x[i] > 20f ? x[i] : (float)Math.Log(1.0 + Math.Exp(x[i])); },
        (g, x, _, dx) => { for (int i = 0; i < dx.Length; i++) dx[i] = x[i] > 20f ? g[i] : g[i] / (1f + MathF.Exp(-x[i])); });

    /// <summary>ELU: x for x &gt; 0, else α(e^x - 1).</summary>
    public Tensor Elu(float alpha = 1f) => Unary("Elu",
        (x, d) => { for (int i = 0; i < d.Length; i++) d[i] = x[i] > 0 ? x[i] : alpha * (MathF.Exp(x[i]) - 1f); },
        (g, x, _, dx) => { for (int i = 0; i < dx.Length; i++) dx[i] = x[i] > 0 ? g[i] : g[i] * alpha * MathF.Exp(x[i]); });
}

/// <summary>Special functions the ops need and .NET does not provide.</summary>
public static class SpecialFunctions
{
    /// <summary>
    /// The error function erf(x) = 2/√π ∫₀ˣ e^(-t²) dt, to about 1e-15 relative: a Taylor series for |x| &lt; 2.5
    /// and a continued fraction of erfc beyond. NaN gives NaN.
    /// </summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        double ax = Math.Abs(x);
        if (ax < 2.5)
        {
            // erf x = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1))
            double sum = ax, term = ax, x2 = ax * ax;
            for (int n = 1; n < 60; n++)
            {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17 * Math.Abs(sum)) break;
            }
            double r = 2.0 / Math.Sqrt(Math.PI) * sum;
            return x < 0 ? -r : r;
        }
        if (ax > 6) return x < 0 ? -1.0 : 1.0;
        // erfc x = e^(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))) evaluated bottom-up (Lentz not needed at x ≥ 2.5).
        double f = 0;
        for (int k = 60; k >= 1; k--) f = (k / 2.0) / (ax + f);
        double erfc = Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / (ax + f);
        return x < 0 ? erfc - 1.0 : 1.0 - erfc;
    }
}
