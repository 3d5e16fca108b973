using System.Numerics.Tensors;
namespace Pitts;

// The normalisation primitives, fused for speed and numerical stability (each replaces about nine composed ops);
// the NN layers BatchNorm1d/2d and LayerNorm, and the ONNX importer, call them.
public sealed partial class Tensor
{
    /// <summary>
    /// Fused batch normalisation of (N, C, S…) per channel: with the batch's statistics (training; returned through
    /// <paramref name="mean"/> and the biased <paramref name="variance"/>) or with given ones (evaluation), then γ and β.
    /// A speed choice over nine composed ops. Backward with x̂ = (x - μ)·r, r = 1/√(σ² + ε), g = dy⊙γ, M values per
    /// channel: dx = r·(g - mean(g) - x̂·mean(g⊙x̂)) with batch statistics, dx = r·g with fixed ones;
    /// dγ = Σ dy⊙x̂, dβ = Σ dy.
    /// </summary>
    internal static Tensor BatchNormOp(Tensor x, int channels, Tensor? weight, Tensor? bias, float eps,
        float[]? fixedMean, float[]? fixedVar, out float[] mean, out float[] variance)
    {
        int n = x.Shape[0], s = x.Numel / Math.Max(1, n * channels), m = n * s;
        var xs = x.ToArray();
        var w = weight?.ToArray();
        var b = bias?.ToArray();
        mean = new float[channels];
        variance = new float[channels];
        var rstd = new float[channels];
        bool batchStats = fixedMean is null;
        for (int c = 0; c < channels; c++)
        {
            if (batchStats)
            {
                double sum = 0;
                for (int i = 0; i < n; i++)
                    for (int j = 0, at = (i * channels + c) * s; j < s; j++) sum += xs[at + j];
                float mu = (float)(sum / m);
                double sq = 0;
                for (int i = 0; i < n; i++)
                    for (int j = 0, at = (i * channels + c) * s; j < s; j++) { double d = xs[at + j] - mu; sq += d * d; }
                mean[c] = mu;
                variance[c] = (float)(sq / m);
            }
            else { mean[c] = fixedMean![c]; variance[c] = fixedVar![c]; }
            rstd[c] = 1f / MathF.Sqrt(variance[c] + eps);
        }
        var xhat = new float[xs.Length];
        var y = new float[xs.Length];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < channels; c++)
            {
                int at = (i * channels + c) * s;
                float mu = mean[c], rs = rstd[c], gamma = w is null ? 1f : w[c], beta = b is null ? 0f : b[c];
                for (int j = 0; j < s; j++)
                {
                    float h = (xs[at + j] - mu) * rs;
                    xhat[at + j] = h;
                    y[at + j] = h * gamma + beta;
                }
            }
        var output = new Tensor(y, 0, [.. x.Shape]);
        Tensor[] inputs = weight is null ? [x] : [x, weight, bias!];
        Graph.Record(output, "BatchNorm", inputs, g =>
        {
            var gs = g.ToArray();
            var sumG = new double[channels];
            var sumGx = new double[channels];
            for (int i = 0; i < n; i++)
                for (int c = 0; c < channels; c++)
                    for (int j = 0, at = (i * channels + c) * s; j < s; j++)
                    {
                        sumG[c] += gs[at + j];
                        sumGx[c] += gs[at + j] * xhat[at + j];
                    }
            Tensor? gx = null;
            if (x.RequiresGrad)
            {
                var dx = new float[xs.Length];
                for (int i = 0; i < n; i++)
                    for (int c = 0; c < channels; c++)
                    {
                        float gamma = w is null ? 1f : w[c], rs = rstd[c];
                        // With γ folded in: mean(g) = γ·ΣG/M, mean(g⊙x̂) = γ·ΣGx̂/M.
                        float mg = batchStats ? (float)(sumG[c] / m) : 0f, mgx = batchStats ? (float)(sumGx[c] / m) : 0f;
                        for (int j = 0, at = (i * channels + c) * s; j < s; j++)
                            dx[at + j] = rs * gamma * (gs[at + j] - mg - xhat[at + j] * mgx);
                    }
                gx = new Tensor(dx, 0, [.. x.Shape]);
            }
            var gw = weight is { RequiresGrad: true } ? FromArray(sumGx.Select(v => (float)v).ToArray(), channels) : null;
            var gb = bias is { RequiresGrad: true } ? FromArray(sumG.Select(v => (float)v).ToArray(), channels) : null;
            return weight is null ? gx : (gx, gw, gb);
        });
        return output;
    }

    /// <summary>
    /// Fused layer normalisation over the last <paramref name="d"/> elements of each row: one pass for the statistics
    /// and one for the output, and a closed-form backward, instead of nine composed ops (a speed choice; the composed
    /// form is the oracle in the tests through PyTorch's values). Backward, with x̂ = (x - μ)·r, r = 1/√(σ² + ε), g = dy⊙γ:
    /// dx = r·(g - mean(g) - x̂·mean(g⊙x̂)), dγ = Σ_rows dy⊙x̂, dβ = Σ_rows dy.
    /// </summary>
    internal static Tensor LayerNormOp(Tensor x, int d, Tensor? weight, Tensor? bias, float eps)
    {
        int rows = d == 0 ? 0 : x.Numel / d;
        var xhat = new Tensor(x._shape); // saved for backward
        var rstd = new float[rows];
        var output = new Tensor(x._shape);
        {
            var xs = x.Data;
            var xh = xhat.AsSpan();
            var y = output.AsSpan();
            var w = weight is null ? default : weight.Data;
            var b = bias is null ? default : bias.Data;
            for (int r = 0; r < rows; r++)
            {
                var hr = xh.Slice(r * d, d);
                float mean = TensorPrimitives.Sum(xs.Slice(r * d, d)) / d;
                TensorPrimitives.Subtract(xs.Slice(r * d, d), mean, hr);
                float rs = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(hr) / d + eps);
                rstd[r] = rs;
                TensorPrimitives.Multiply(hr, rs, hr);
                if (weight is null) hr.CopyTo(y.Slice(r * d, d));
                else TensorPrimitives.FusedMultiplyAdd(hr, w, b, y.Slice(r * d, d));
            }
        }
        Tensor[] inputs = weight is null ? [x] : [x, weight, bias!];
        Graph.Record(output, "LayerNorm", inputs, g =>
        {
            var gs = g.Data;
            var xh = xhat.Data;
            Tensor? gx = null;
            if (x.RequiresGrad)
            {
                var dx = new Tensor(x._shape);
                var ds = dx.AsSpan();
                var w = weight is null ? default : weight.Data;
                for (int r = 0; r < rows; r++)
                {
                    var gr = ds.Slice(r * d, d); // g⊙γ first, then dx in place
                    if (weight is null) gs.Slice(r * d, d).CopyTo(gr);
                    else TensorPrimitives.Multiply(gs.Slice(r * d, d), w, gr);
                    var hr = xh.Slice(r * d, d);
                    float mg = TensorPrimitives.Sum(gr) / d, mgx = TensorPrimitives.Dot(gr, hr) / d, rs = rstd[r];
                    TensorPrimitives.FusedMultiplyAdd(hr, -mgx, gr, gr); // g - x̂·mean(g⊙x̂)
                    TensorPrimitives.Subtract(gr, mg, gr);
                    TensorPrimitives.Multiply(gr, rs, gr);               // (… - mean(g))·r
                }
                gx = dx;
            }
            var gw = weight is { RequiresGrad: true } ? SumRows(g.Data, xh, rows, d, weight._shape) : null;
            var gb = bias is { RequiresGrad: true } ? SumRows(g.Data, default, rows, d, bias._shape) : null;
            return weight is null ? gx : (gx, gw, gb);
        });
        return output;
    }

    /// <summary>Σ over rows of g⊙x̂ (or of g when x̂ is empty): the gradients of γ and β.</summary>
    private static Tensor SumRows(ReadOnlySpan<float> g, ReadOnlySpan<float> xhat, int rows, int d, int[] shape)
    {
        var sum = Zeros(shape);
        var acc = sum.AsSpan();
        for (int r = 0; r < rows; r++)
            if (xhat.IsEmpty) TensorPrimitives.Add(acc, g.Slice(r * d, d), acc);
            else TensorPrimitives.FusedMultiplyAdd(g.Slice(r * d, d), xhat.Slice(r * d, d), acc, acc);
        return sum;
    }
}
