namespace Pitts.Data;

/// <summary>
/// Standardisation (z-scores): <c>Fit</c> learns each feature's mean and standard deviation on the training data only, and
/// <c>Transform</c> applies (x - mean) / std to any data, so no statistic leaks from validation or test sets.
/// </summary>
public sealed class Standardizer
{
    private Standardizer(Tensor mean, Tensor std, int dims)
    {
        Mean = mean;
        Std = std;
        _reduced = dims;
    }

    private readonly int _reduced;

    /// <summary>The per-feature means, shaped to broadcast against the data.</summary>
    public Tensor Mean { get; }

    /// <summary>The per-feature population standard deviations (divisor N), with zeros replaced by 1 so constant features map to 0.</summary>
    public Tensor Std { get; }

    /// <summary>
    /// Fits mean and standard deviation over the first dimension (the examples) of <paramref name="x"/>, or over every
    /// dimension except <paramref name="featureDim"/> when it is given (e.g. 1 for per-channel statistics of (N, C, H, W) images).
    /// </summary>
    public static Standardizer Fit(Tensor x, int? featureDim = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank == 0 || x.Shape[0] == 0) throw new ShapeException($"Standardizer.Fit: need at least one example, got shape {Fmt.Shape(x._shape)}");
        using var _ = Autograd.NoGrad();
        int[] dims = featureDim is int f
            ? Enumerable.Range(0, x.Rank).Where(d => d != ShapeUtil.NormDim(f, x.Rank, "Standardizer.Fit")).ToArray()
            : [0];
        // View the data as (A, C, B) with statistics per c: (N, features, 1) by default, or (dims before, C, dims after)
        // for a feature dimension. Two passes in double precision: the mean, then the mean squared deviation.
        var shape = (int[])x._shape.Clone();
        foreach (int d in dims) shape[d] = 1;
        int A, C, B;
        if (featureDim is null) { A = x.Shape[0]; C = x.Numel / A; B = 1; }
        else
        {
            int k = ShapeUtil.NormDim(featureDim.Value, x.Rank, "Standardizer.Fit");
            (A, C, B) = ShapeUtil.Split(x._shape, k);
        }
        var data = x.AsSpan();
        var mean = new double[C];
        var sq = new double[C];
        long count = (long)A * B;
        for (int ai = 0; ai < A; ai++)
            for (int c = 0; c < C; c++)
            {
                var row = data.Slice((ai * C + c) * B, B);
                double acc = 0;
                foreach (float v in row) acc += v;
                mean[c] += acc;
            }
        for (int c = 0; c < C; c++) mean[c] /= count;
        for (int ai = 0; ai < A; ai++)
            for (int c = 0; c < C; c++)
            {
                var row = data.Slice((ai * C + c) * B, B);
                double acc = 0, mu = mean[c];
                foreach (float v in row) acc += (v - mu) * (v - mu);
                sq[c] += acc;
            }
        var counts = Enumerable.Repeat(count, C).ToArray();
        var m = new float[mean.Length];
        var s = new float[mean.Length];
        for (int k = 0; k < mean.Length; k++)
        {
            m[k] = (float)mean[k];
            double sd = Math.Sqrt(sq[k] / counts[k]);
            s[k] = sd > 0 ? (float)sd : 1f;
        }
        return new Standardizer(Tensor.FromArray(m, shape), Tensor.FromArray(s, shape), dims.Length);
    }

    /// <summary>(x - Mean) / Std, broadcasting the statistics over the examples.</summary>
    public Tensor Transform(Tensor x)
    {
        CheckShape(x, "Transform");
        return (x - Mean) / Std;
    }

    /// <summary>x * Std + Mean, the inverse of <see cref="Transform"/> (for reading predictions in original units).</summary>
    public Tensor InverseTransform(Tensor x)
    {
        CheckShape(x, "InverseTransform");
        return x * Std + Mean;
    }

    private void CheckShape(Tensor x, string op)
    {
        ArgumentNullException.ThrowIfNull(x);
        bool ok = x.Rank == Mean.Rank;
        for (int d = 0; ok && d < x.Rank; d++)
            if (Mean.Shape[d] != 1 && Mean.Shape[d] != x.Shape[d]) ok = false;
        if (!ok)
            throw new ShapeException($"Standardizer.{op}: data of shape {Fmt.Shape(x._shape)} does not match the fitted statistics of shape {Fmt.Shape(Mean._shape)} ({_reduced} reduced dimensions)");
    }
}
