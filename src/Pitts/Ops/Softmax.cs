using System.Numerics.Tensors;
namespace Pitts;

// Softmax and log-softmax are primitives for numerical stability: both subtract the row max before exponentiating,
// so logits of ±1e4 give finite outputs and gradients.
public sealed partial class Tensor
{
    /// <summary>softmax(x)_i = e^(x_i - m) / Σ_j e^(x_j - m) along <paramref name="dim"/>, m the max.</summary>
    public Tensor Softmax(int dim = -1)
    {
        var y = SoftmaxCore(dim, log: false);
        int d = ShapeUtil.NormDim(dim, Rank, "Softmax");
        Graph.Record(y, "Softmax", this, g =>
        {
            // dx = y ⊙ (g - Σ_j g_j y_j)
            var dot = Reduce.SumDim(g.Mul(y), Rank == 0 ? 0 : d);
            return y.Mul(g.Sub(dot));
        });
        return y;
    }

    /// <summary>log softmax(x) = x - m - log Σ e^(x - m) along <paramref name="dim"/>.</summary>
    public Tensor LogSoftmax(int dim = -1)
    {
        var y = SoftmaxCore(dim, log: true);
        int d = ShapeUtil.NormDim(dim, Rank, "LogSoftmax");
        Graph.Record(y, "LogSoftmax", this, g =>
        {
            // dx = g - softmax(x) Σ_j g_j
            var sum = Reduce.SumDim(g, Rank == 0 ? 0 : d);
            return g.Sub(y.Exp().Mul(sum));
        });
        return y;
    }

    /// <summary>Softmax of one contiguous row in place (the fused attention's rows use it too).</summary>
    internal static void SoftmaxRow(Span<float> row)
    {
        if (row.IsEmpty) return;
        float m = TensorPrimitives.Max(row);
        if (float.IsInfinity(m)) m = 0f;
        TensorPrimitives.Subtract(row, m, row);
        ExpNormalize(row);
    }

    /// <summary>y ← e^y / Σ e^y, for a row already shifted by its maximum.</summary>
    private static void ExpNormalize(Span<float> y)
    {
        Kernels.Pointwise.Exp(y, y);
        TensorPrimitives.Divide(y, TensorPrimitives.Sum(y), y);
    }

    private Tensor SoftmaxCore(int dim, bool log)
    {
        int d = ShapeUtil.NormDim(dim, Rank, log ? "LogSoftmax" : "Softmax");
        var (outer, n, inner) = ShapeUtil.Split(_shape, d);
        var r = new Tensor(_shape);
        var s = Data;
        var o2 = r.AsSpan();
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++)
            {
                var x = s.Slice(o * n, n);
                var y = o2.Slice(o * n, n);
                if (n == 0) continue;
                float m = TensorPrimitives.Max(x);
                if (float.IsInfinity(m)) m = 0f;
                TensorPrimitives.Subtract(x, m, y);
                if (log)
                {
                    float lse = 0;
                    // y holds x - m; log-softmax = y - log Σ e^y
                    double sum = 0;
                    foreach (float v in y) sum += Math.Exp(v);
                    lse = (float)Math.Log(sum);
                    TensorPrimitives.Subtract(y, lse, y);
                }
                else ExpNormalize(y);
            }
            return r;
        }
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                float m = float.NegativeInfinity;
                for (int k = 0; k < n; k++) m = Math.Max(m, s[(o * n + k) * inner + i]);
                if (float.IsInfinity(m)) m = 0f;
                double sum = 0;
                for (int k = 0; k < n; k++) sum += Math.Exp(s[(o * n + k) * inner + i] - m);
                float lse = (float)Math.Log(sum);
                for (int k = 0; k < n; k++)
                {
                    int at = (o * n + k) * inner + i;
                    o2[at] = log ? s[at] - m - lse : (float)(Math.Exp(s[at] - m) / sum);
                }
            }
        return r;
    }
}
