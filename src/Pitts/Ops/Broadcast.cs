using System.Numerics.Tensors;

namespace Pitts;

/// <summary>NumPy/PyTorch broadcasting: the shape rule, the elementwise driver, and its gradient (SumTo).</summary>
internal static class Broadcast
{
    /// <summary>The broadcast shape of a and b, aligned from the right; sizes must match or be 1.</summary>
    public static int[] Shape(int[] a, int[] b, string op)
    {
        if (a.AsSpan().SequenceEqual(b)) return a;
        int rank = Math.Max(a.Length, b.Length);
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Length), db = i - (rank - b.Length);
            int sa = da >= 0 ? a[da] : 1, sb = db >= 0 ? b[db] : 1;
            if (sa != sb && sa != 1 && sb != 1)
                throw new ShapeException($"{op}: shapes {Fmt.Shape(a)} and {Fmt.Shape(b)} cannot be broadcast: dimension {i} (from the left of the result) is {sa} vs {sb}");
            r[i] = sa == 1 ? sb : sa;
        }
        return r;
    }

    /// <summary>Strides of <paramref name="shape"/> seen as <paramref name="target"/>: 0 where broadcast.</summary>
    public static int[] Strides(int[] shape, int[] target)
    {
        int rank = target.Length;
        var s = new int[rank];
        int acc = 1;
        for (int i = rank - 1; i >= 0; i--)
        {
            int d = i - (rank - shape.Length);
            int size = d >= 0 ? shape[d] : 1;
            s[i] = size == 1 ? 0 : acc;
            acc *= size;
        }
        return s;
    }

    /// <summary>
    /// Sums <paramref name="grad"/> (of a broadcast result shape) down to <paramref name="shape"/>: the gradient
    /// of broadcasting. Dimensions that were added on the left are summed away; size-1 dimensions are summed with keep-dim.
    /// </summary>
    public static Tensor SumTo(Tensor grad, int[] shape)
    {
        if (ShapeUtil.Same(grad._shape, shape)) return grad;
        int lead = grad.Rank - shape.Length;
        if (lead < 0) throw new ShapeException($"SumTo: cannot reduce {Fmt.Shape(grad._shape)} to the larger rank of {Fmt.Shape(shape)}");
        var dims = new List<int>();
        for (int i = 0; i < grad.Rank; i++)
            if (i < lead || (shape[i - lead] == 1 && grad._shape[i] != 1)) dims.Add(i);
        var summed = Reduce.SumDims(grad, dims.ToArray(), keepDim: true);
        return new Tensor(summed.Storage, summed.Offset, shape);
    }

    /// <summary>Materialises <paramref name="t"/> broadcast to <paramref name="target"/>.</summary>
    public static Tensor Expand(Tensor t, int[] target)
    {
        if (ShapeUtil.Same(t._shape, target)) return t;
        var r = new Tensor(target);
        var dstArr = r.Storage;
        if (t.Numel == 1) { dstArr.AsSpan(0, r.Numel).Fill(t.Storage[t.Offset]); return r; }
        var st = Strides(t._shape, target);
        ForEachRow(target, st, st, (outOff, aOff, _, n, aStep, _) =>
        {
            var row = dstArr.AsSpan(outOff, n);
            if (aStep == 0) row.Fill(t.Storage[t.Offset + aOff]);
            else t.Storage.AsSpan(t.Offset + aOff, n).CopyTo(row);
        });
        return r;
    }

    public delegate void RowAction(int outOffset, int aOffset, int bOffset, int n, int aStep, int bStep);

    /// <summary>
    /// Walks the output in rows of its last dimension with an odometer over the others, giving the offsets of the
    /// matching rows of two broadcast inputs and their inner strides (0 or 1).
    /// </summary>
    public static void ForEachRow(int[] outShape, int[] sa, int[] sb, RowAction action)
    {
        int rank = outShape.Length;
        if (rank == 0) { action(0, 0, 0, 1, 0, 0); return; }
        int n = outShape[rank - 1];
        int rows = n == 0 ? 0 : ShapeUtil.Numel(outShape) / n;
        var idx = new int[rank];
        int aOff = 0, bOff = 0;
        for (int r = 0; r < rows; r++)
        {
            action(r * n, aOff, bOff, n, sa[rank - 1], sb[rank - 1]);
            for (int d = rank - 2; d >= 0; d--)
            {
                idx[d]++;
                aOff += sa[d];
                bOff += sb[d];
                if (idx[d] < outShape[d]) break;
                aOff -= sa[d] * idx[d];
                bOff -= sb[d] * idx[d];
                idx[d] = 0;
            }
        }
    }
}

/// <summary>A vectorised binary elementwise kernel with its scalar-broadcast forms.</summary>
internal interface IBinaryKernel
{
    static abstract void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d);
    static abstract void Apply(ReadOnlySpan<float> x, float y, Span<float> d);
    static abstract void Apply(float x, ReadOnlySpan<float> y, Span<float> d);
}

internal static class Elementwise
{
    /// <summary>Applies a binary kernel with broadcasting; fast paths for equal shapes and one-element operands.</summary>
    public static Tensor Binary<K>(Tensor a, Tensor b, string op) where K : IBinaryKernel
    {
        var shape = Broadcast.Shape(a._shape, b._shape, op);
        var r = new Tensor(shape);
        var d = r.Storage.AsSpan(0, r.Numel);
        if (r.Numel == 0) return r;
        if (a.Numel == r.Numel && b.Numel == r.Numel) K.Apply(a.Data, b.Data, d);
        else if (b.Numel == 1 && a.Numel == r.Numel) K.Apply(a.Data, b.Storage[b.Offset], d);
        else if (a.Numel == 1 && b.Numel == r.Numel) K.Apply(a.Storage[a.Offset], b.Data, d);
        else
        {
            var sa = Broadcast.Strides(a._shape, shape);
            var sb = Broadcast.Strides(b._shape, shape);
            float[] outArr = r.Storage, aArr = a.Storage, bArr = b.Storage;
            int ao = a.Offset, bo = b.Offset;
            Broadcast.ForEachRow(shape, sa, sb, (o, ax, bx, n, aStep, bStep) =>
            {
                var dst = outArr.AsSpan(o, n);
                if (aStep == 1 && bStep == 1) K.Apply(aArr.AsSpan(ao + ax, n), bArr.AsSpan(bo + bx, n), dst);
                else if (aStep == 1) K.Apply(aArr.AsSpan(ao + ax, n), bArr[bo + bx], dst);
                else if (bStep == 1) K.Apply(aArr[ao + ax], bArr.AsSpan(bo + bx, n), dst);
                else { Span<float> one = [0f]; K.Apply(aArr.AsSpan(ao + ax, 1), bArr[bo + bx], one); dst.Fill(one[0]); }
            });
        }
        return r;
    }
}

internal struct AddK : IBinaryKernel
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Add(x, y, d);
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Add(x, y, d);
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Add(y, x, d);
}

internal struct SubK : IBinaryKernel
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Subtract(x, y, d);
}

internal struct MulK : IBinaryKernel
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Multiply(x, y, d);
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Multiply(x, y, d);
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Multiply(y, x, d);
}

internal struct DivK : IBinaryKernel
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Divide(x, y, d);
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Divide(x, y, d);
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Divide(x, y, d);
}

internal struct PowK : IBinaryKernel
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Pow(x, y, d);
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Pow(x, y, d);
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Pow(x, y, d);
}

internal struct MaxK : IBinaryKernel
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Max(x, y, d);
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Max(x, y, d);
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Max(y, x, d);
}

internal struct MinK : IBinaryKernel
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Min(x, y, d);
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d) => TensorPrimitives.Min(x, y, d);
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d) => TensorPrimitives.Min(y, x, d);
}

/// <summary>Comparison kernels: 1 where the relation holds, else 0 (NaN compares false, except Ne).</summary>
internal struct CmpK<C> : IBinaryKernel where C : ICmp
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = C.Test(x[i], y[i]) ? 1f : 0f;
    }
    public static void Apply(ReadOnlySpan<float> x, float y, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = C.Test(x[i], y) ? 1f : 0f;
    }
    public static void Apply(float x, ReadOnlySpan<float> y, Span<float> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = C.Test(x, y[i]) ? 1f : 0f;
    }
}

internal interface ICmp { static abstract bool Test(float a, float b); }
internal struct EqC : ICmp { public static bool Test(float a, float b) => a == b; }
internal struct NeC : ICmp { public static bool Test(float a, float b) => a != b; }
internal struct LtC : ICmp { public static bool Test(float a, float b) => a < b; }
internal struct LeC : ICmp { public static bool Test(float a, float b) => a <= b; }
internal struct GtC : ICmp { public static bool Test(float a, float b) => a > b; }
internal struct GeC : ICmp { public static bool Test(float a, float b) => a >= b; }
