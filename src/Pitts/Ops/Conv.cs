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
        int oh = g.OH, ow = g.OW;
        if (h + 2 * padding.H - dilation.H * (kh - 1) - 1 < 0 || w + 2 * padding.W - dilation.W * (kw - 1) - 1 < 0 || kh == 0 || kw == 0)
            throw new ShapeException($"Conv2d: input {Fmt.Shape(input._shape)} with padding {padding} is smaller than the kernel {kh}x{kw} with dilation {dilation}");

        int l = oh * ow, ckk = c * kh * kw, hw = h * w;
        var y = new Tensor([n, o, oh, ow]);
        var x = input;
        var ys = y.Storage.AsSpan(0, y.Numel);
        // A 1x1 kernel with unit stride and no padding reads the image as it is: no unfolding.
        bool pointwise = kh == 1 && kw == 1 && stride == (1, 1) && padding == (0, 0);
        // One input channel with unit stride: a direct loop, where im2col would copy each pixel KH·KW times.
        bool direct = !pointwise && ConvKernels.DirectApplies(g);
        int chunk = Math.Clamp(Im2ColBudget / Math.Max(1, ckk * l), 1, Math.Max(1, n));

        if (n > 0 && l > 0 && o > 0)
        {
            if (pointwise)
            {
                for (int s = 0; s < n; s++)
                    Gemm.Sgemm(false, false, o, l, c, weight.Data, c, x.Data.Slice(s * c * hw), hw, ys.Slice(s * o * l, o * l), l, false);
            }
            else if (direct)
                WorkerPool.For(n, s => ConvKernels.DirectForward(x.Data.Slice(s * hw, hw), g, weight.Data, o,
                    bias is null ? default : bias.Data, y.Storage.AsSpan(s * o * l, o * l)));
            else
            {
                var cols = ArrayPool<float>.Shared.Rent(ckk * l * chunk);
                var outb = ArrayPool<float>.Shared.Rent(o * l * chunk);
                for (int s0 = 0; s0 < n; s0 += chunk)
                {
                    int first = s0, nb = Math.Min(chunk, n - s0), ld = nb * l;
                    UnfoldChunk(x, g, first, nb, cols);
                    // (O, CKK) · (CKK, nb·L) → (O, nb·L), one GEMM for the chunk
                    Gemm.Sgemm(false, false, o, ld, ckk, weight.Data, ckk, cols, ld, outb, ld, false);
                    WorkerPool.For(nb, b => // (O, nb·L) → (N, O, L), plus the bias
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
                }
                ArrayPool<float>.Shared.Return(cols);
                ArrayPool<float>.Shared.Return(outb);
            }
            if (bias is not null && pointwise)
                for (int s = 0; s < n; s++)
                    for (int oc = 0; oc < o; oc++)
                    {
                        var row = ys.Slice((s * o + oc) * l, l);
                        System.Numerics.Tensors.TensorPrimitives.Add(row, bias.Storage[bias.Offset + oc], row);
                    }
        }

        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        Graph.Record(y, "Conv2d", inputs, gy =>
        {
            var gs = gy.Data;
            if (bias is { RequiresGrad: true })
            {
                var gb = new Tensor([o]);
                var gbs = gb.AsSpan();
                gbs.Clear();
                for (int s = 0; s < n; s++)
                    for (int oc = 0; oc < o; oc++)
                        gbs[oc] += System.Numerics.Tensors.TensorPrimitives.Sum(gs.Slice((s * o + oc) * l, l));
                Graph.Accumulate(bias, gb, owned: true);
            }
            bool needW = weight.RequiresGrad, needX = x.RequiresGrad;
            if (!needW && !needX) return;
            var gw = needW ? new Tensor([o, c, kh, kw]) : null;
            var gx = needX ? new Tensor([n, c, h, w]) : null;
            bool directW = direct && gw is not null && n > 0 && l > 0;
            // Zero-filled only where something adds into them: the GEMMs below write their first chunk, and each
            // sample's slice of dx is cleared by the task that folds its columns back.
            if (gw is not null && (directW || n == 0 || l == 0)) gw.AsSpan().Clear();
            if (gx is not null && (n == 0 || l == 0)) gx.AsSpan().Clear();
            if (directW)
            {
                // Each task owns a group of output channels (whole blocks of four, the kernel's register block) and
                // adds the samples in order: the same sums on any number of threads.
                int blocks = (o + 3) / 4, groups = Math.Min(blocks, 8);
                WorkerPool.For(groups, t =>
                {
                    int oc0 = Math.Min(o, 4 * (blocks * t / groups)), oc1 = Math.Min(o, 4 * (blocks * (t + 1) / groups));
                    for (int s = 0; s < n; s++)
                        ConvKernels.DirectWeightGradient(x.Data.Slice(s * hw, hw), g, gy.Data.Slice(s * o * l, o * l), o, oc0, oc1, gw!.AsSpan());
                });
            }
            if (n > 0 && l > 0 && (gx is not null || !directW))
            {
                if (pointwise)
                {
                    for (int s = 0; s < n; s++)
                    {
                        var gys = gs.Slice(s * o * l, o * l);
                        // dW (O, C) += dY[s] (O, L) · X[s]ᵀ (L, C); dX[s] (C, L) = Wᵀ (C, O) · dY[s] (O, L)
                        if (gw is not null) Gemm.Sgemm(false, true, o, c, l, gys, l, x.Data.Slice(s * c * hw, c * hw), hw, gw.AsSpan(), c, accumulate: s > 0);
                        if (gx is not null) Gemm.Sgemm(true, false, c, l, o, weight.Data, c, gys, l, gx.AsSpan().Slice(s * c * hw, c * hw), hw, false);
                    }
                }
                else
                {
                    var cols = ArrayPool<float>.Shared.Rent(ckk * l * chunk);
                    var gyb = ArrayPool<float>.Shared.Rent(o * l * chunk);
                    for (int s0 = 0; s0 < n; s0 += chunk)
                    {
                        int first = s0, nb = Math.Min(chunk, n - s0), ld = nb * l;
                        WorkerPool.For(nb, b => // (N, O, L) → (O, nb·L)
                        {
                            var src = gy.Data.Slice((first + b) * o * l, o * l);
                            for (int oc = 0; oc < o; oc++) src.Slice(oc * l, l).CopyTo(gyb.AsSpan(oc * ld + b * l, l));
                        });
                        if (gw is not null && !directW)
                        {
                            UnfoldChunk(x, g, first, nb, cols);
                            // dW (O, CKK) += dY (O, nb·L) · colsᵀ (nb·L, CKK), chunks in a fixed order
                            Gemm.Sgemm(false, true, o, ckk, ld, gyb, ld, cols, ld, gw.AsSpan(), ckk, accumulate: s0 > 0);
                        }
                        if (gx is not null)
                        {
                            // dcols (CKK, nb·L) = Wᵀ (CKK, O) · dY (O, nb·L), folded back into the images
                            Gemm.Sgemm(true, false, ckk, ld, o, weight.Data, ckk, gyb, ld, cols, ld, false);
                            WorkerPool.For(nb, b =>
                            {
                                var dx = gx.AsSpan().Slice((first + b) * c * hw, c * hw);
                                dx.Clear();
                                ConvKernels.Col2Im(cols, ld, b * l, g, dx);
                            });
                        }
                    }
                    ArrayPool<float>.Shared.Return(cols);
                    ArrayPool<float>.Shared.Return(gyb);
                }
            }
            if (gw is not null) Graph.Accumulate(weight, gw, owned: true);
            if (gx is not null) Graph.Accumulate(x, gx, owned: true);
        });
        return y;
    }
}
