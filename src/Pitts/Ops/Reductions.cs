using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
namespace Pitts;

/// <summary>Reduction kernels over one dimension seen as (outer, n, inner); no autograd here.</summary>
internal static class Reduce
{
    /// <summary>Sum over the given (normalised, distinct) dimensions.</summary>
    public static Tensor SumDims(Tensor t, int[] dims, bool keepDim)
    {
        var shape = t._shape;
        Tensor cur = t;
        var order = dims.AsSpan().ToArray();
        Array.Sort(order);
        for (int i = order.Length - 1; i >= 0; i--) cur = SumDim(cur, order[i]); // last dimension first
        if (!keepDim) return new Tensor(cur.Storage, cur.Offset, RemoveDims(shape, dims));
        return cur;
    }

    /// <summary>Sum over one dimension, keeping it with size 1.</summary>
    public static Tensor SumDim(Tensor t, int d)
    {
        var (outer, n, inner) = ShapeUtil.Split(t._shape, d);
        var shape = t._shape.AsSpan().ToArray();
        if (shape.Length > 0) shape[d] = 1;
        var r = new Tensor(new float[outer * inner], 0, shape);
        SumDim(t.Data, outer, n, inner, r.Storage);
        return r;
    }

    /// <summary>The sums of <see cref="SumDim(Tensor, int)"/> over src seen as (outer, n, inner), into dst (outer, inner).</summary>
    public static void SumDim(ReadOnlySpan<float> src, int outer, int n, int inner, Span<float> dst)
    {
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++) dst[o] = TensorPrimitives.Sum(src.Slice(o * n, n));
            return;
        }
        for (int o = 0; o < outer; o++) SumRows(src.Slice(o * n * inner, n * inner), n, inner, dst.Slice(o * inner, inner));
    }

    /// <summary>
    /// dst[j] = Σₖ src[k·cols + j] over the rows k of a (rows x cols) block, each column summed in row order from 0
    /// (0 + x₀ + x₁ + …), whichever loop runs: long rows are added into dst whole, one vector call per row; short ones
    /// (a Linear's bias gradient in the lecture's MLP sums 30 rows of 20) a vector of columns at a time in a register,
    /// with no call per row. The same additions either way, so the same bits.
    /// </summary>
    private static void SumRows(ReadOnlySpan<float> src, int rows, int cols, Span<float> dst)
    {
        int w = Vector<float>.Count;
        if (cols > 256)
        {
            dst[..cols].Clear();
            for (int k = 0; k < rows; k++) TensorPrimitives.Add(dst[..cols], src.Slice(k * cols, cols), dst[..cols]);
            return;
        }
        int j = 0;
        if (Vector.IsHardwareAccelerated && cols >= w)
        {
            ref float s0 = ref MemoryMarshal.GetReference(src);
            for (; j < cols; j += w)
            {
                int at = Math.Min(j, cols - w); // the last vector overlaps the one before (columns are independent)
                var sum = Vector<float>.Zero;
                for (int k = 0; k < rows; k++) sum += Vector.LoadUnsafe(ref s0, (nuint)(k * cols + at));
                sum.CopyTo(dst.Slice(at, w));
            }
        }
        for (; j < cols; j++)
        {
            float sum = 0f;
            for (int k = 0; k < rows; k++) sum += src[k * cols + j];
            dst[j] = sum;
        }
    }

    /// <summary>Index (within the dimension) of the max or min along d, first occurrence; NaN wins, as in PyTorch.</summary>
    public static int[] ArgExtreme(Tensor t, int d, bool max)
    {
        var (outer, n, inner) = ShapeUtil.Split(t._shape, d);
        if (n == 0) throw new ShapeException($"{(max ? "Max" : "Min")}: cannot reduce over an empty dimension of {Fmt.Shape(t._shape)}");
        var idx = new int[outer * inner];
        var s = t.Data;
        for (int o = 0; o < outer; o++)
        {
            if (inner == 1)
            {
                var row = s.Slice(o * n, n);
                idx[o] = max ? TensorPrimitives.IndexOfMax(row) : TensorPrimitives.IndexOfMin(row);
                continue;
            }
            for (int i = 0; i < inner; i++)
            {
                int best = 0; float bv = s[o * n * inner + i];
                for (int k = 1; k < n && !float.IsNaN(bv); k++)
                {
                    float v = s[(o * n + k) * inner + i];
                    if (float.IsNaN(v) || (max ? v > bv : v < bv)) { best = k; bv = v; }
                }
                idx[o * inner + i] = best;
            }
        }
        return idx;
    }

    public static int[] RemoveDims(int[] shape, int[] dims)
    {
        var r = new List<int>();
        for (int i = 0; i < shape.Length; i++) if (!dims.Contains(i)) r.Add(shape[i]);
        return r.ToArray();
    }

    public static int[] NormDims(int[]? dims, int rank, string op)
    {
        if (dims is null || dims.Length == 0)
        {
            var all = new int[rank];
            for (int i = 0; i < rank; i++) all[i] = i;
            return all;
        }
        var r = dims.Select(d => ShapeUtil.NormDim(d, rank, op)).ToArray();
        if (r.Distinct().Count() != r.Length) throw new ShapeException($"{op}: dimension listed twice in [{string.Join(", ", dims)}]");
        if (rank == 0) return [];
        return r;
    }
}

// Reductions. Sum and Max/Min are primitives; Mean, Var and Std are compositions of them.
// LogSumExp is a primitive for numerical stability (it subtracts the max before exponentiating).
public sealed partial class Tensor
{
    /// <summary>Sum of all elements (a rank-0 tensor).</summary>
    public Tensor Sum() => Sum(null, false);

    /// <summary>Sum over one dimension.</summary>
    public Tensor Sum(int dim, bool keepDim = false) => Sum([dim], keepDim);

    /// <summary>Sum over the given dimensions (all when null or empty).</summary>
    public Tensor Sum(int[]? dims, bool keepDim = false)
    {
        var nd = Reduce.NormDims(dims, Rank, "Sum");
        if (nd.Length == Rank) return SumAll(keepDim, 1f, "Sum");
        var r = Reduce.SumDims(this, nd, keepDim);
        var keptShape = KeptShape(nd);
        Graph.Record(r, "Sum", this, g => Broadcast.Expand(g.Reshape(keptShape), _shape));
        return r;
    }

    /// <summary>
    /// scale · Σ of every element, fused into one op: the loss of every training step ends in a full reduction,
    /// and for small models the op count is the cost.
    /// </summary>
    private Tensor SumAll(bool keepDim, float scale, string op)
    {
        var shape = keepDim ? KeptShape(Reduce.NormDims(null, Rank, op)) : [];
        float total = Numel == 0 ? 0f : TensorPrimitives.Sum(Data);
        var r = new Tensor([total * scale], 0, shape);
        if (op == "Mean" && Numel == 0) r.Storage[0] = float.NaN;
        Graph.Record(r, op, this, g =>
        {
            var gx = new Tensor(_shape);
            gx.AsSpan().Fill(g.Storage[g.Offset] * scale);
            return gx;
        });
        return r;
    }

    private int[] KeptShape(int[] dims)
    {
        var s = _shape.AsSpan().ToArray();
        foreach (int d in dims) s[d] = 1;
        return s;
    }

    /// <summary>Mean of all elements.</summary>
    public Tensor Mean() => Mean(null, false);

    /// <summary>Mean over one dimension.</summary>
    public Tensor Mean(int dim, bool keepDim = false) => Mean([dim], keepDim);

    /// <summary>Mean over the given dimensions: Sum / count (NaN over an empty set, as 0/0).</summary>
    public Tensor Mean(int[]? dims, bool keepDim = false)
    {
        var nd = Reduce.NormDims(dims, Rank, "Mean");
        if (nd.Length == Rank) return SumAll(keepDim, 1f / Numel, "Mean");
        long count = 1;
        foreach (int d in nd) count *= _shape[d];
        return Sum(nd, keepDim).Div((float)count);
    }

    /// <summary>Variance over the given dimensions with Bessel's correction by default (correction = 1, as PyTorch).</summary>
    public Tensor Var(int[]? dims = null, bool keepDim = false, int correction = 1)
    {
        var nd = Reduce.NormDims(dims, Rank, "Var");
        long count = 1;
        foreach (int d in nd) count *= _shape[d];
        var diff = Sub(Mean(nd, keepDim: true));
        return diff.Mul(diff).Sum(nd, keepDim).Div(Math.Max(0, count - correction));
    }

    /// <summary>Variance over one dimension.</summary>
    public Tensor Var(int dim, bool keepDim = false, int correction = 1) => Var([dim], keepDim, correction);

    /// <summary>Standard deviation: √Var.</summary>
    public Tensor Std(int[]? dims = null, bool keepDim = false, int correction = 1) => Var(dims, keepDim, correction).Sqrt();

    /// <summary>Standard deviation over one dimension.</summary>
    public Tensor Std(int dim, bool keepDim = false, int correction = 1) => Var([dim], keepDim, correction).Sqrt();

    /// <summary>Largest element; its gradient goes to the first position holding it.</summary>
    public Tensor Max() => Flatten().Max(0);

    /// <summary>Smallest element; its gradient goes to the first position holding it.</summary>
    public Tensor Min() => Flatten().Min(0);

    /// <summary>Largest value along a dimension; the gradient goes to the first index holding it.</summary>
    public Tensor Max(int dim, bool keepDim = false) => Extreme(dim, keepDim, max: true);

    /// <summary>Smallest value along a dimension; the gradient goes to the first index holding it.</summary>
    public Tensor Min(int dim, bool keepDim = false) => Extreme(dim, keepDim, max: false);

    /// <summary>Index of the largest value along a dimension (first occurrence), as floats.</summary>
    public Tensor Argmax(int dim, bool keepDim = false) => ArgIndex(dim, keepDim, true);

    /// <summary>Index of the smallest value along a dimension (first occurrence), as floats.</summary>
    public Tensor Argmin(int dim, bool keepDim = false) => ArgIndex(dim, keepDim, false);

    /// <summary>Flat index of the largest element.</summary>
    public int Argmax() => Numel == 0 ? throw new ShapeException("Argmax: empty tensor") : TensorPrimitives.IndexOfMax(Data);

    /// <summary>Flat index of the smallest element.</summary>
    public int Argmin() => Numel == 0 ? throw new ShapeException("Argmin: empty tensor") : TensorPrimitives.IndexOfMin(Data);

    private Tensor ArgIndex(int dim, bool keepDim, bool max)
    {
        int d = ShapeUtil.NormDim(dim, Rank, max ? "Argmax" : "Argmin");
        var idx = Reduce.ArgExtreme(this, d, max);
        var shape = keepDim ? KeptShape([d]) : Reduce.RemoveDims(_shape, Rank == 0 ? [] : [d]);
        var r = new Tensor(shape);
        for (int i = 0; i < idx.Length; i++) r.Storage[i] = idx[i];
        return r;
    }

    private Tensor Extreme(int dim, bool keepDim, bool max)
    {
        string op = max ? "Max" : "Min";
        int d = ShapeUtil.NormDim(dim, Rank, op);
        var (outer, n, inner) = ShapeUtil.Split(_shape, d);
        var idx = Reduce.ArgExtreme(this, d, max);
        var shape = keepDim ? KeptShape([d]) : Reduce.RemoveDims(_shape, Rank == 0 ? [] : [d]);
        var r = new Tensor(shape);
        var s = Data;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
                r.Storage[o * inner + i] = s[(o * n + idx[o * inner + i]) * inner + i];
        Graph.Record(r, op, this, g =>
        {
            var gx = Zeros(_shape);
            var gs = g.Data;
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                    gx.Storage[(o * n + idx[o * inner + i]) * inner + i] = gs[o * inner + i];
            return gx;
        });
        return r;
    }

    /// <summary>log Σ e^x along a dimension, computed as m + log Σ e^(x - m) with m the max (stable for ±1e4 logits).</summary>
    public Tensor LogSumExp(int dim, bool keepDim = false)
    {
        int d = ShapeUtil.NormDim(dim, Rank, "LogSumExp");
        var (outer, n, inner) = ShapeUtil.Split(_shape, d);
        var kept = KeptShape(Rank == 0 ? [] : [d]);
        var r = new Tensor(kept);
        var s = Data;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                float m = float.NegativeInfinity;
                for (int k = 0; k < n; k++) m = Math.Max(m, s[(o * n + k) * inner + i]);
                float shift = float.IsInfinity(m) ? 0f : m; // all -inf (or a +inf): avoid inf - inf
                double sum = 0;
                for (int k = 0; k < n; k++) sum += Math.Exp(s[(o * n + k) * inner + i] - shift);
                r.Storage[o * inner + i] = (float)(shift + Math.Log(sum));
            }
        var result = keepDim ? r : r.ReshapeNoGrad(Reduce.RemoveDims(_shape, Rank == 0 ? [] : [d]));
        Graph.Record(result, "LogSumExp", this, g =>
        {
            // d lse / dx = softmax(x) = exp(x - lse)
            var p = Sub(r).Exp();
            return p.Mul(g.Reshape(kept));
        });
        return result;
    }
}
