using System.Buffers;
using Pitts.Kernels;

namespace Pitts;

// 2-D convolution (cross-correlation, as in PyTorch) through im2col and the GEMM.
public sealed partial class Tensor
{
    /// <summary>
    /// Most floats of unfolded columns per GEMM (2 MB): enough samples per chunk that the GEMM's n is a few hundred
    /// or more (fewer edge tiles), while the columns stay in L2/L3; a chunk of 16 MB made im2col and packing stream
    /// through memory. For Fashion-MNIST's CNN: 26 samples per chunk in conv1, 6 in conv2.
    /// </summary>
    private const int Im2ColBudget = 512 << 10;

    /// <summary>
    /// im2col of samples [first, first + nb) side by side into cols (rows CKK, leading dimension nb·L), one task per
    /// sample on the worker threads (one per core).
    /// </summary>
    private static void UnfoldChunk(Tensor x, Conv2dGeometry g, int first, int nb, float[] cols)
    {
        int chw = g.C * g.H * g.W, l = g.OH * g.OW, ld = nb * l;
        WorkerPool.For(nb, b => ConvKernels.Im2Col(x.Data.Slice((first + b) * chw, chw), g, cols, ld, b * l));
    }

    /// <summary>
    /// 2-D convolution: y[n, o, oy, ox] = bias[o] + Σ_c Σ_ky Σ_kx weight[o, c, ky, kx] · x[n, c, oy·s − p + ky·d, ox·s − p + kx·d],
    /// zero outside the image, for input (N, C, H, W) or (C, H, W) and weight (O, C, KH, KW), as PyTorch's conv2d.
    /// </summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1)
        => Conv2d(input, weight, bias, (stride, stride), (padding, padding), (dilation, dilation));

    /// <summary>2-D convolution with separate (height, width) stride, padding and dilation; see the square overload.</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation)
    {
        if (input.Rank == 3) return Conv2d(input.Unsqueeze(0), weight, bias, stride, padding, dilation).Squeeze(0);
        if (input.Rank != 4)
            throw new ShapeException($"Conv2d: input must be (N, C, H, W) or (C, H, W), got {Fmt.Shape(input._shape)}");
        if (weight.Rank != 4)
            throw new ShapeException($"Conv2d: weight must be (out, in, kH, kW), got {Fmt.Shape(weight._shape)}");
        int n = input._shape[0], c = input._shape[1], h = input._shape[2], w = input._shape[3];
        int o = weight._shape[0], kh = weight._shape[2], kw = weight._shape[3];
        if (weight._shape[1] != c)
            throw new ShapeException($"Conv2d: input {Fmt.Shape(input._shape)} has {c} channels but weight {Fmt.Shape(weight._shape)} expects {weight._shape[1]}");
        if (bias is not null && (bias.Rank != 1 || bias._shape[0] != o))
            throw new ShapeException($"Conv2d: bias {Fmt.Shape(bias._shape)} does not match {o} output channels");
        if (stride.H < 1 || stride.W < 1 || dilation.H < 1 || dilation.W < 1 || padding.H < 0 || padding.W < 0)
            throw new PittsException($"Conv2d: stride and dilation must be at least 1 and padding non-negative, got stride {stride}, padding {padding}, dilation {dilation}");
        var g = new Conv2dGeometry(c, h, w, kh, kw, stride.H, stride.W, padding.H, padding.W, dilation.H, dilation.W);
        if (h + 2 * padding.H - dilation.H * (kh - 1) - 1 < 0 || w + 2 * padding.W - dilation.W * (kw - 1) - 1 < 0 || kh == 0 || kw == 0)
            throw new ShapeException($"Conv2d: input {Fmt.Shape(input._shape)} with padding {padding} is smaller than the kernel {kh}x{kw} with dilation {dilation}");

        var plan = new ConvPlan(g, n, o);
        var y = ConvForward(input, weight, bias, plan);
        Tensor[] inputs = bias is null ? [input, weight] : [input, weight, bias];
        Graph.Record(y, "Conv2d", inputs, gy => ConvBackward(gy, input, weight, bias, plan));
        return y;
    }

    /// <summary>
    /// How a convolution runs: its geometry, batch N and output channels O, and which path it takes. A 1x1 kernel with
    /// unit stride and no padding reads the image as it is (no unfolding); one input channel with unit stride takes a
    /// direct loop (im2col would copy each pixel KH·KW times); the rest unfolds chunks of samples for one GEMM each.
    /// </summary>
    private readonly record struct ConvPlan(Conv2dGeometry G, int N, int O)
    {
        public int L => G.OH * G.OW;
        public int Ckk => G.C * G.KH * G.KW;
        public int HW => G.H * G.W;
        public bool Pointwise => G is { KH: 1, KW: 1, SH: 1, SW: 1, PH: 0, PW: 0 };
        public bool Direct => !Pointwise && ConvKernels.DirectApplies(G);
        public int Chunk => Math.Clamp(Im2ColBudget / Math.Max(1, Ckk * L), 1, Math.Max(1, N)); // samples per GEMM
        public int Chunks => (N + Chunk - 1) / Chunk;
        public bool Empty => N == 0 || L == 0;
    }

    /// <summary>y (N, O, OH, OW) = W ⋆ x + b.</summary>
    private static Tensor ConvForward(Tensor x, Tensor weight, Tensor? bias, ConvPlan p)
    {
        var (g, n, o) = p;
        int l = p.L, c = g.C, ckk = p.Ckk, hw = p.HW, chunk = p.Chunk;
        var y = new Tensor([n, o, g.OH, g.OW]);
        var ys = y.Storage.AsSpan(0, y.Numel);
        if (p.Empty || o == 0) return y;
        if (p.Pointwise)
        {
            for (int s = 0; s < n; s++)
                Gemm.Sgemm(false, false, o, l, c, weight.Data, c, x.Data.Slice(s * c * hw), hw, ys.Slice(s * o * l, o * l), l, false);
            if (bias is not null)
                for (int s = 0; s < n; s++)
                    for (int oc = 0; oc < o; oc++)
                    {
                        var row = ys.Slice((s * o + oc) * l, l);
                        System.Numerics.Tensors.TensorPrimitives.Add(row, bias.Storage[bias.Offset + oc], row);
                    }
        }
        else if (p.Direct)
            WorkerPool.For(n, s => ConvKernels.DirectForward(x.Data.Slice(s * hw, hw), g, weight.Data, o,
                bias is null ? default : bias.Data, y.Storage.AsSpan(s * o * l, o * l)));
        else
        {
            // One chunk: its GEMM shares the threads. Several: each task takes whole chunks (unfold, GEMM, scatter on its
            // own thread, the nested loops running inline), so the columns a thread writes are the ones it multiplies;
            // the same sums either way.
            int chunks = p.Chunks;
            if (chunks == 1) ForwardChunk(x, weight, bias, y, p, 0);
            else WorkerPool.For(chunks, ci => ForwardChunk(x, weight, bias, y, p, ci * chunk));
        }
        return y;
    }

    /// <summary>y[first .. first + nb) through one unfolded chunk: (O, CKK) · (CKK, nb·L) → (O, nb·L), scattered into (N, O, L) with the bias.</summary>
    private static void ForwardChunk(Tensor x, Tensor weight, Tensor? bias, Tensor y, ConvPlan p, int first)
    {
        int o = p.O, l = p.L, ckk = p.Ckk, nb = Math.Min(p.Chunk, p.N - first), ld = nb * l;
        var cols = ArrayPool<float>.Shared.Rent(ckk * ld);
        var outb = ArrayPool<float>.Shared.Rent(o * ld);
        UnfoldChunk(x, p.G, first, nb, cols);
        Gemm.Sgemm(false, false, o, ld, ckk, weight.Data, ckk, cols, ld, outb, ld, false);
        WorkerPool.For(nb, b =>
        {
            var dst = y.Storage.AsSpan(((first + b) * o) * l, o * l);
            for (int oc = 0; oc < o; oc++)
            {
                var src = outb.AsSpan(oc * ld + b * l, l);
                var row = dst.Slice(oc * l, l);
                if (bias is null) src.CopyTo(row);
                else System.Numerics.Tensors.TensorPrimitives.Add(src, bias.Storage[bias.Offset + oc], row);
            }
        });
        ArrayPool<float>.Shared.Return(cols);
        ArrayPool<float>.Shared.Return(outb);
    }

    /// <summary>
    /// From dy (N, O, OH, OW): dx = Wᵀ ⋆ dy folded back into the images, dW = dy ⋆ x, db = Σ dy over samples and pixels.
    /// </summary>
    private static Grads ConvBackward(Tensor gy, Tensor x, Tensor weight, Tensor? bias, ConvPlan p)
    {
        var (g, n, o) = p;
        int l = p.L, c = g.C, ckk = p.Ckk, hw = p.HW;
        var gs = gy.Data;
        var gb = bias is { RequiresGrad: true } ? BiasGradient(gy, p) : null;
        var gw = weight.RequiresGrad ? new Tensor([o, c, g.KH, g.KW]) : null;
        var gx = x.RequiresGrad ? new Tensor([n, c, g.H, g.W]) : null;
        bool directW = p.Direct && gw is not null && !p.Empty;
        // Zero-filled only where something adds into them: the GEMMs below write their first chunk, and each
        // sample's slice of dx is cleared by the task that folds its columns back.
        if (gw is not null && (directW || p.Empty)) gw.AsSpan().Clear();
        if (gx is not null && p.Empty) gx.AsSpan().Clear();
        if (directW) DirectWeightGradient(gy, x, gw!, p);
        if (p.Empty || (gx is null && (gw is null || directW))) return (gx, gw, gb);
        if (p.Pointwise)
        {
            for (int s = 0; s < n; s++)
            {
                var gys = gs.Slice(s * o * l, o * l);
                // dW (O, C) += dY[s] (O, L) · X[s]ᵀ (L, C); dX[s] (C, L) = Wᵀ (C, O) · dY[s] (O, L)
                if (gw is not null) Gemm.Sgemm(false, true, o, c, l, gys, l, x.Data.Slice(s * c * hw, c * hw), hw, gw.AsSpan(), c, accumulate: s > 0);
                if (gx is not null) Gemm.Sgemm(true, false, c, l, o, weight.Data, c, gys, l, gx.AsSpan().Slice(s * c * hw, c * hw), hw, false);
            }
            return (gx, gw, gb);
        }
        // As in the forward pass, one chunk shares the threads inside its GEMMs, and several go to the threads whole.
        // dW is then summed per group of consecutive chunks (the number of groups fixed by the shape, not by the thread
        // count, so the sums do not depend on it) and the groups' sums added in order.
        int chunks = p.Chunks, groups = gw is null || directW ? chunks : Math.Min(chunks, MaxWeightGroups);
        if (groups == 1)
        {
            BackwardChunks(gy, x, weight, gw is not null && !directW, gw is null ? default : gw.AsSpan(), gx, p, 0, chunks);
            return (gx, gw, gb);
        }
        int size = o * ckk;
        float[]? partials = gw is null || directW ? null : ArrayPool<float>.Shared.Rent((groups - 1) * size);
        WorkerPool.For(groups, t =>
        {
            Span<float> dw = partials is null ? default : t == 0 ? gw!.AsSpan() : partials.AsSpan((t - 1) * size, size);
            BackwardChunks(gy, x, weight, partials is not null, dw, gx, p, chunks * t / groups, chunks * (t + 1) / groups);
        });
        if (partials is not null)
        {
            var total = gw!.AsSpan();
            for (int t = 1; t < groups; t++) System.Numerics.Tensors.TensorPrimitives.Add(total, partials.AsSpan((t - 1) * size, size), total);
            ArrayPool<float>.Shared.Return(partials);
        }
        return (gx, gw, gb);
    }

    /// <summary>Most groups of chunks whose weight gradients are summed apart (a few per core of a large machine).</summary>
    private const int MaxWeightGroups = 16;

    /// <summary>
    /// Chunks [c0, c1) of the backward pass: dW (O, CKK) = Σ dY (O, nb·L) · colsᵀ (nb·L, CKK) into <paramref name="gw"/>
    /// (written by the first chunk, then accumulated; when <paramref name="wantW"/>), and dx folded back from Wᵀ · dY.
    /// </summary>
    private static void BackwardChunks(Tensor gy, Tensor x, Tensor weight, bool wantW, Span<float> gw, Tensor? gx, ConvPlan p, int c0, int c1)
    {
        int o = p.O, l = p.L, c = p.G.C, ckk = p.Ckk, hw = p.HW, chunk = p.Chunk;
        var cols = ArrayPool<float>.Shared.Rent(ckk * l * chunk);
        var gyb = ArrayPool<float>.Shared.Rent(o * l * chunk);
        for (int ci = c0; ci < c1; ci++)
        {
            int first = ci * chunk, nb = Math.Min(chunk, p.N - first), ld = nb * l;
            WorkerPool.For(nb, b => // (N, O, L) → (O, nb·L)
            {
                var src = gy.Data.Slice((first + b) * o * l, o * l);
                for (int oc = 0; oc < o; oc++) src.Slice(oc * l, l).CopyTo(gyb.AsSpan(oc * ld + b * l, l));
            });
            if (wantW)
            {
                UnfoldChunk(x, p.G, first, nb, cols);
                Gemm.Sgemm(false, true, o, ckk, ld, gyb, ld, cols, ld, gw, ckk, accumulate: ci > c0);
            }
            if (gx is not null)
            {
                // dcols (CKK, nb·L) = Wᵀ (CKK, O) · dY (O, nb·L), folded back into the images
                Gemm.Sgemm(true, false, ckk, ld, o, weight.Data, ckk, gyb, ld, cols, ld, false);
                WorkerPool.For(nb, b =>
                {
                    var dx = gx.AsSpan().Slice((first + b) * c * hw, c * hw);
                    dx.Clear();
                    ConvKernels.Col2Im(cols, ld, b * l, p.G, dx);
                });
            }
        }
        ArrayPool<float>.Shared.Return(cols);
        ArrayPool<float>.Shared.Return(gyb);
    }

    /// <summary>db[o] = Σ over samples and pixels of dy[n, o, ·, ·].</summary>
    private static Tensor BiasGradient(Tensor gy, ConvPlan p)
    {
        int n = p.N, o = p.O, l = p.L;
        var gs = gy.Data;
        var gb = new Tensor([o]);
        var gbs = gb.AsSpan();
        gbs.Clear();
        for (int s = 0; s < n; s++)
            for (int oc = 0; oc < o; oc++)
                gbs[oc] += System.Numerics.Tensors.TensorPrimitives.Sum(gs.Slice((s * o + oc) * l, l));
        return gb;
    }

    /// <summary>
    /// dW of the direct path into the zeroed <paramref name="gw"/>: each task owns a group of output channels (whole
    /// blocks of four, the kernel's register block) and adds the samples in order, the same sums on any number of threads.
    /// </summary>
    private static void DirectWeightGradient(Tensor gy, Tensor x, Tensor gw, ConvPlan p)
    {
        var (g, n, o) = p;
        int l = p.L, hw = p.HW;
        int blocks = (o + 3) / 4, groups = Math.Min(blocks, 8);
        WorkerPool.For(groups, t =>
        {
            int oc0 = Math.Min(o, 4 * (blocks * t / groups)), oc1 = Math.Min(o, 4 * (blocks * (t + 1) / groups));
            for (int s = 0; s < n; s++)
                ConvKernels.DirectWeightGradient(x.Data.Slice(s * hw, hw), g, gy.Data.Slice(s * o * l, o * l), o, oc0, oc1, gw.AsSpan());
        });
    }
}
