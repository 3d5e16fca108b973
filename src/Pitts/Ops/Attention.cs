using System.Numerics.Tensors;
using Pitts.Kernels;

namespace Pitts;

/// <summary>
/// The core of multi-head attention as one primitive: for every batch element n and head h,
/// P = softmax(Q_h·K_hᵀ·scale + mask) and O_h = P·V_h, where Q_h, K_h and V_h are column blocks of the projected
/// inputs, read in place. The composed form (reshape, permute, batched matmul, softmax, matmul, permute) copies every
/// operand twice and runs the heads one after another; this one multiplies straight from and into the (N, L, E)
/// layout and runs the N·heads independent problems on the worker threads (WorkerPool, one per core). Its backward
/// is the closed form dP = dO·Vᵀ, dS = P⊙(dP - rowsum(dP⊙P))·scale, dQ = dS·K, dK = dSᵀ·Q, dV = Pᵀ·dO.
/// </summary>
internal static class AttentionCore
{
    /// <summary>
    /// Attends with queries <paramref name="q"/> (N, L, ·) from column <paramref name="qCol"/>, keys and values
    /// (N, S, ·) from columns <paramref name="kCol"/> and <paramref name="vCol"/> of <paramref name="k"/> and
    /// <paramref name="v"/> (which may all be the same tensor). <paramref name="attnMask"/> is additive, (L, S) or
    /// (N·heads, L, S); <paramref name="keyPaddingMask"/> (N, S) is non-zero at keys that get no attention.
    /// Returns the heads' outputs side by side, (N, L, heads·headDim), and the attention weights (N, heads, L, S),
    /// which carry no gradient of their own.
    /// </summary>
    public static (Tensor Output, Tensor Weights) Forward(Tensor q, int qCol, Tensor k, int kCol, Tensor v, int vCol,
        int heads, int headDim, Tensor? attnMask, Tensor? keyPaddingMask)
    {
        int n = q.Shape[0], l = q.Shape[1], s = k.Shape[1], e = heads * headDim, d = headDim;
        int ldq = q.Shape[2], ldk = k.Shape[2], ldv = v.Shape[2];
        float scale = 1f / MathF.Sqrt(d);
        int maskStride = attnMask is null ? 0 : attnMask.Rank == 2 ? 0 : l * s;
        float[]? pad = null;
        if (keyPaddingMask is not null)
        {
            pad = new float[n * s];
            var km = keyPaddingMask.Data;
            for (int i = 0; i < pad.Length; i++) pad[i] = km[i] != 0f ? float.NegativeInfinity : 0f;
        }
        var output = new Tensor([n, l, e]);
        var weights = new Tensor([n, heads, l, s]);
        WorkerPool.For(n * heads, task =>
        {
            int b = task / heads, h = task % heads;
            var p = weights.AsSpan().Slice(task * l * s, l * s);
            var qs = q.Data.Slice(b * l * ldq + qCol + h * d);
            var ks = k.Data.Slice(b * s * ldk + kCol + h * d);
            var vs = v.Data.Slice(b * s * ldv + vCol + h * d);
            Gemm.Sgemm(false, true, l, s, d, qs, ldq, ks, ldk, p, s, false, GemmPath.Auto, 1);
            var mask = attnMask is null ? default : attnMask.Data.Slice(task * maskStride, l * s);
            var padRow = pad is null ? default : pad.AsSpan(b * s, s);
            for (int i = 0; i < l; i++)
            {
                var row = p.Slice(i * s, s);
                TensorPrimitives.Multiply(row, scale, row);
                if (!mask.IsEmpty) TensorPrimitives.Add(row, mask.Slice(i * s, s), row);
                if (!padRow.IsEmpty) TensorPrimitives.Add(row, padRow, row);
                Tensor.SoftmaxRow(row);
            }
            Gemm.Sgemm(false, false, l, d, s, p, s, vs, ldv, output.AsSpan().Slice(b * l * e + h * d), e, false, GemmPath.Auto, 1);
        });
        Tensor[] inputs = Distinct(q, k, v);
        Graph.Record(output, "MultiheadAttention", inputs, g =>
        {
            // One gradient buffer per distinct input; the blocks of different tasks never overlap. When the column
            // blocks of q, k and v tile each input exactly (self-attention's (N, L, 3E) projection, or three separate
            // tensors), every element is written once: no zero-fill, and no read of untouched pages before the write
            // (which costs the OS a second, copy-on-write fault per page). Otherwise the buffers start at zero and the
            // tasks add into them.
            bool tiled = Tiles(inputs, (q, qCol), (k, kCol), (v, vCol), e);
            var grads = new Tensor?[inputs.Length];
            Tensor? GradOf(Tensor t)
            {
                if (!t.RequiresGrad) return null;
                int i = Array.IndexOf(inputs, t);
                return grads[i] ??= tiled ? new Tensor(t._shape) : Tensor.Zeros(t._shape);
            }
            Tensor? dq = GradOf(q), dk = GradOf(k), dv = GradOf(v);
            bool add = !tiled;
            WorkerPool.For(n * heads, task =>
            {
                int b = task / heads, h = task % heads;
                var p = weights.Data.Slice(task * l * s, l * s);
                var go = g.Data.Slice(b * l * e + h * d);
                var qs = q.Data.Slice(b * l * ldq + qCol + h * d);
                var ks = k.Data.Slice(b * s * ldk + kCol + h * d);
                var vs = v.Data.Slice(b * s * ldv + vCol + h * d);
                if (dv is not null) // dV = Pᵀ·dO
                    Gemm.Sgemm(true, false, s, d, l, p, s, go, e, dv.AsSpan().Slice(b * s * ldv + vCol + h * d), ldv, add, GemmPath.Auto, 1);
                if (dq is null && dk is null) return;
                var ds = Scratch(l * s);
                Gemm.Sgemm(false, true, l, s, d, go, e, vs, ldv, ds, s, false, GemmPath.Auto, 1); // dP = dO·Vᵀ
                for (int i = 0; i < l; i++)
                {
                    var dr = ds.Slice(i * s, s);
                    var pr = p.Slice(i * s, s);
                    TensorPrimitives.Subtract(dr, TensorPrimitives.Dot(dr, pr), dr);
                    TensorPrimitives.Multiply(dr, pr, dr);
                    TensorPrimitives.Multiply(dr, scale, dr);
                }
                if (dq is not null) // dQ = dS·K
                    Gemm.Sgemm(false, false, l, d, s, ds, s, ks, ldk, dq.AsSpan().Slice(b * l * ldq + qCol + h * d), ldq, add, GemmPath.Auto, 1);
                if (dk is not null) // dK = dSᵀ·Q
                    Gemm.Sgemm(true, false, s, d, l, ds, s, qs, ldq, dk.AsSpan().Slice(b * s * ldk + kCol + h * d), ldk, add, GemmPath.Auto, 1);
            });
            return grads;
        });
        return (output, weights);
    }

    [ThreadStatic] private static float[]? _scratch;

    private static Span<float> Scratch(int length)
    {
        var s = _scratch;
        if (s is null || s.Length < length) _scratch = s = new float[length];
        return s.AsSpan(0, length);
    }

    /// <summary>
    /// True when, for every input that needs a gradient, the width-<paramref name="e"/> column blocks read from it
    /// cover its last dimension exactly once.
    /// </summary>
    private static bool Tiles(Tensor[] inputs, (Tensor T, int Col) q, (Tensor T, int Col) k, (Tensor T, int Col) v, int e)
    {
        foreach (var t in inputs)
        {
            if (!t.RequiresGrad) continue;
            var cols = new List<int>(3);
            foreach (var (u, c) in new[] { q, k, v })
                if (ReferenceEquals(u, t)) cols.Add(c);
            cols.Sort();
            int width = t.Shape[^1];
            if (cols.Count * e != width) return false;
            for (int i = 0; i < cols.Count; i++)
                if (cols[i] != i * e) return false;
        }
        return true;
    }

    private static Tensor[] Distinct(Tensor q, Tensor k, Tensor v)
    {
        var list = new List<Tensor>(3) { q };
        if (!ReferenceEquals(k, q)) list.Add(k);
        if (!ReferenceEquals(v, q) && !ReferenceEquals(v, k)) list.Add(v);
        return [.. list];
    }
}
