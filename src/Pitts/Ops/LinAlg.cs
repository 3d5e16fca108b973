using Pitts.Kernels;

namespace Pitts;

// Matrix products. All go through Kernels.Gemm, which never materialises a transpose.
public sealed partial class Tensor
{
    /// <summary>
    /// Matrix product with PyTorch's rules: 1-D·1-D is a dot product, a 1-D operand is treated as a row (left) or a
    /// column (right) vector and that dimension removed, and leading batch dimensions broadcast.
    /// </summary>
    public Tensor MatMul(Tensor other)
    {
        if (Rank == 0 || other.Rank == 0)
            throw new ShapeException($"MatMul: {Fmt.Shape(_shape)} @ {Fmt.Shape(other._shape)}: both operands need at least one dimension");
        if (Rank == 1 && other.Rank == 1)
        {
            if (_shape[0] != other._shape[0])
                throw new ShapeException($"MatMul: {Fmt.Shape(_shape)} @ {Fmt.Shape(other._shape)}: inner dimensions {_shape[0]} and {other._shape[0]} differ");
            return Reshape(1, -1).MatMulNd(other.Reshape(-1, 1), _shape, other._shape).Reshape();
        }
        if (Rank == 1) return Unsqueeze(0).MatMulNd(other, _shape, other._shape).Squeeze(-2);
        if (other.Rank == 1) return MatMulNd(other.Unsqueeze(1), _shape, other._shape).Squeeze(-1);
        return MatMulNd(other, _shape, other._shape);
    }

    private Tensor MatMulNd(Tensor b, int[] shapeA, int[] shapeB)
    {
        var a = this;
        int m = a._shape[^2], k = a._shape[^1], k2 = b._shape[^2], n = b._shape[^1];
        if (k != k2)
            throw new ShapeException($"MatMul: {Fmt.Shape(shapeA)} @ {Fmt.Shape(shapeB)}: inner dimensions {k} and {k2} differ");
        var batch = Broadcast.Shape(a._shape[..^2], b._shape[..^2], "MatMul");
        var ae = Broadcast.Expand(a, [.. batch, m, k]);
        var be = Broadcast.Expand(b, [.. batch, k, n]);
        int count = ShapeUtil.Numel(batch);
        var r = new Tensor([.. batch, m, n]);
        for (int i = 0; i < count; i++)
            Gemm.Sgemm(false, false, m, n, k, ae.Data.Slice(i * m * k), k, be.Data.Slice(i * k * n), n, r.Storage.AsSpan(i * m * n, m * n), n, false);
        Graph.Record(r, "MatMul", a, b, g =>
        {
            var gs = g.Data;
            Tensor? ga = null, gb = null;
            if (a.RequiresGrad)
            {
                ga = new Tensor(ae._shape); // dA = dC · Bᵀ, of the broadcast batch shape (the engine sums it back)
                for (int i = 0; i < count; i++)
                    Gemm.Sgemm(false, true, m, k, n, gs.Slice(i * m * n), n, be.Data.Slice(i * k * n), n, ga.Storage.AsSpan(i * m * k, m * k), k, false);
            }
            if (b.RequiresGrad)
            {
                gb = new Tensor(be._shape); // dB = Aᵀ · dC
                for (int i = 0; i < count; i++)
                    Gemm.Sgemm(true, false, k, n, m, ae.Data.Slice(i * m * k), k, gs.Slice(i * m * n), n, gb.Storage.AsSpan(i * k * n, k * n), n, false);
            }
            return (ga, gb);
        });
        return r;
    }

    /// <summary>Outer product of two vectors: (n) ⊗ (m) → (n x m).</summary>
    public Tensor Outer(Tensor other)
    {
        if (Rank != 1 || other.Rank != 1)
            throw new ShapeException($"Outer: expects two vectors, got {Fmt.Shape(_shape)} and {Fmt.Shape(other._shape)}");
        return Unsqueeze(1).MatMul(other.Unsqueeze(0));
    }

    /// <summary>
    /// y = x · Wᵀ + b with W of shape (out, in), PyTorch's Linear. x may have any leading dimensions (…, in).
    /// A fused primitive: it multiplies by Wᵀ in the GEMM instead of copying a transpose, and adds the bias in place.
    /// </summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 2) throw new ShapeException($"Linear: weight must be 2-D (out x in), got {Fmt.Shape(weight._shape)}");
        int outF = weight._shape[0], inF = weight._shape[1];
        if (x.Rank == 0 || x._shape[^1] != inF)
            throw new ShapeException($"Linear: input {Fmt.Shape(x._shape)} @ weightᵀ {Fmt.Shape([inF, outF])}: inner dimensions {(x.Rank == 0 ? 0 : x._shape[^1])} and {inF} differ");
        if (bias is not null && (bias.Rank != 1 || bias._shape[0] != outF))
            throw new ShapeException($"Linear: bias {Fmt.Shape(bias._shape)} does not match {outF} output features");
        int rows = x.Numel / Math.Max(inF, 1);
        if (inF == 0) rows = x.Rank == 1 ? 1 : ShapeUtil.Numel(x._shape[..^1]);
        var outShape = x._shape.AsSpan().ToArray();
        outShape[^1] = outF; // (…, out)
        var r = new Tensor(outShape);
        var y = r.Storage.AsSpan(0, r.Numel);
        if (bias is not null && rows > 0)
        {
            // Every row of y starts as the bias (the GEMM adds x·Wᵀ onto it): one row copied, then each copy doubles
            // the rows filled, so 30 rows take 5 copies, not 30 calls.
            bias.Data.CopyTo(y);
            for (int filled = 1; filled < rows; filled *= 2)
                y[..(Math.Min(filled, rows - filled) * outF)].CopyTo(y[(filled * outF)..]);
        }
        Gemm.Sgemm(false, true, rows, outF, inF, x.Data, inF, weight.Data, inF, y, outF, accumulate: bias is not null);
        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        Graph.Record(r, "Linear", inputs, g =>
        {
            var gs = g.Data;
            Tensor? gx = null;
            if (x.RequiresGrad)
            {
                gx = new Tensor(x._shape); // dX = dY · W
                Gemm.Sgemm(false, false, rows, inF, outF, gs, outF, weight.Data, inF, gx.AsSpan(), inF, false);
            }
            if (weight.RequiresGrad)
            {
                // dW = dYᵀ · X, handed over: the GEMM adds it straight into the weight's gradient buffer (no (out, in)
                // temporary per step, and the same sums as adding a separate dW when the buffer is zero).
                var (dw, hasGradient) = Graph.GradientBuffer(weight, overwrites: true);
                Gemm.Sgemm(true, false, outF, inF, rows, gs, outF, x.Data, inF, dw.AsSpan(), inF, accumulate: hasGradient);
            }
            Tensor? gb = null;
            if (bias is { RequiresGrad: true })
            {
                gb = new Tensor(bias._shape); // db = Σ over the rows of dY
                Reduce.SumDim(gs, 1, rows, outF, gb.AsSpan());
            }
            return (gx, (Tensor?)null, gb); // dW was handed over above
        });
        return r;
    }
}
