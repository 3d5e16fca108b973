using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pitts.Kernels;

/// <summary>The geometry of a 2-D convolution or pooling window over one (C, H, W) image.</summary>
internal readonly record struct Conv2dGeometry(int C, int H, int W, int KH, int KW, int SH, int SW, int PH, int PW, int DH, int DW)
{
    /// <summary>Output height: floor((H + 2·PH − DH·(KH − 1) − 1) / SH) + 1 (PyTorch's formula).</summary>
    public int OH => (H + 2 * PH - DH * (KH - 1) - 1) / SH + 1;

    /// <summary>Output width, as <see cref="OH"/>.</summary>
    public int OW => (W + 2 * PW - DW * (KW - 1) - 1) / SW + 1;

    /// <summary>The first output column whose input column ox·SW − PW + kx·DW is inside the image.</summary>
    public int FirstValidX(int kx)
    {
        int num = PW - kx * DW; // need ox·SW ≥ num
        return num <= 0 ? 0 : Math.Min(OW, (num + SW - 1) / SW);
    }

    /// <summary>One past the last output column whose input column is inside the image.</summary>
    public int EndValidX(int kx)
    {
        int t = W - 1 + PW - kx * DW; // need ox·SW ≤ t
        return t < 0 ? 0 : Math.Min(OW, t / SW + 1);
    }
}

/// <summary>Convolution and pooling loops on spans (no autograd): im2col, col2im, max and average pooling.</summary>
internal static class ConvKernels
{
    /// <summary>
    /// Unfolds one image x (C, H, W) into columns: cols[(c·KH + ky)·KW + kx, col0 + oy·OW + ox] =
    /// x[c, oy·SH − PH + ky·DH, ox·SW − PW + kx·DW], zero outside the image. Rows of cols are ldCols apart.
    /// </summary>
    /// <remarks>Rows of an image are short (14 or 28 floats in the Fashion CNN), so copies are inlined 8-float vector
    /// loops on pointers rather than span calls, whose fixed cost was larger than the copy.</remarks>
    public static unsafe void Im2Col(ReadOnlySpan<float> x, in Conv2dGeometry g, Span<float> cols, int ldCols, int col0)
    {
        int oh = g.OH, ow = g.OW, hw = g.H * g.W, rows = g.C * g.KH * g.KW;
        if (x.Length < g.C * hw || (rows > 0 && cols.Length < (long)(rows - 1) * ldCols + col0 + oh * ow))
            throw new ArgumentException("Im2Col: spans too short for the geometry");
        fixed (float* xp = x, cp = cols)
        {
            for (int c = 0; c < g.C; c++)
            {
                float* img = xp + (long)c * hw;
                for (int ky = 0; ky < g.KH; ky++)
                    for (int kx = 0; kx < g.KW; kx++)
                    {
                        int row = (c * g.KH + ky) * g.KW + kx;
                        float* dst = cp + (long)row * ldCols + col0;
                        int x0 = g.FirstValidX(kx), x1 = Math.Max(x0, g.EndValidX(kx));
                        int shift = kx * g.DW - g.PW;
                        if (g.SW == 1 && Avx512F.IsSupported)
                        {
                            RowsMasked(img, dst, g, ky, x0, x1, shift);
                            continue;
                        }
                        for (int oy = 0; oy < oh; oy++)
                        {
                            float* d = dst + oy * ow;
                            int iy = oy * g.SH - g.PH + ky * g.DH;
                            if ((uint)iy >= (uint)g.H) { Zero(d, ow); continue; }
                            Zero(d, x0);
                            Zero(d + x1, ow - x1);
                            float* src = img + iy * g.W + shift;
                            if (g.SW == 1) Copy(src + x0, d + x0, x1 - x0);
                            else for (int ox = x0; ox < x1; ox++) d[ox] = src[ox * g.SW];
                        }
                    }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Im2Col"/>: adds every column entry back into dx (C, H, W).</summary>
    public static unsafe void Col2Im(ReadOnlySpan<float> cols, int ldCols, int col0, in Conv2dGeometry g, Span<float> dx)
    {
        int oh = g.OH, ow = g.OW, hw = g.H * g.W, rows = g.C * g.KH * g.KW;
        if (dx.Length < g.C * hw || (rows > 0 && cols.Length < (long)(rows - 1) * ldCols + col0 + oh * ow))
            throw new ArgumentException("Col2Im: spans too short for the geometry");
        fixed (float* cp = cols, xp = dx)
        {
            for (int c = 0; c < g.C; c++)
            {
                float* img = xp + (long)c * hw;
                for (int ky = 0; ky < g.KH; ky++)
                    for (int kx = 0; kx < g.KW; kx++)
                    {
                        int row = (c * g.KH + ky) * g.KW + kx;
                        float* src = cp + (long)row * ldCols + col0;
                        int x0 = g.FirstValidX(kx), x1 = Math.Max(x0, g.EndValidX(kx));
                        int shift = kx * g.DW - g.PW;
                        for (int oy = 0; oy < oh; oy++)
                        {
                            int iy = oy * g.SH - g.PH + ky * g.DH;
                            if ((uint)iy >= (uint)g.H) continue;
                            float* s = src + oy * ow;
                            float* d = img + iy * g.W + shift;
                            if (g.SW == 1) AddInto(s + x0, d + x0, x1 - x0);
                            else for (int ox = x0; ox < x1; ox++) d[ox * g.SW] += s[ox];
                        }
                    }
            }
        }
    }

    /// <summary>
    /// One (c, ky, kx) row of the columns for unit stride with AVX-512: each 16-lane chunk of an output row is one
    /// masked load of the image row (lanes [x0, x1) only, so nothing outside the image is touched) and one masked store.
    /// </summary>
    private static unsafe void RowsMasked(float* img, float* dst, in Conv2dGeometry g, int ky, int x0, int x1, int shift)
    {
        int oh = g.OH, ow = g.OW;
        for (int j = 0; j < ow; j += 16)
        {
            var idx = Vector512<int>.Indices + Vector512.Create(j);
            var load = (Vector512.GreaterThanOrEqual(idx, Vector512.Create(x0)) & Vector512.LessThan(idx, Vector512.Create(x1))).AsSingle();
            var store = Vector512.LessThan(idx, Vector512.Create(ow)).AsSingle();
            for (int oy = 0; oy < oh; oy++)
            {
                int iy = oy * g.SH - g.PH + ky * g.DH;
                var v = (uint)iy < (uint)g.H ? Avx512F.MaskLoad(img + iy * g.W + shift + j, load, Vector512<float>.Zero) : Vector512<float>.Zero;
                Avx512F.MaskStore(dst + oy * ow + j, store, v);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Zero(float* d, int n)
    {
        int i = 0;
        for (; i + 8 <= n; i += 8) Vector256<float>.Zero.Store(d + i);
        for (; i < n; i++) d[i] = 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Copy(float* s, float* d, int n)
    {
        int i = 0;
        for (; i + 8 <= n; i += 8) Vector256.Load(s + i).Store(d + i);
        for (; i < n; i++) d[i] = s[i];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AddInto(float* s, float* d, int n)
    {
        int i = 0;
        for (; i + 8 <= n; i += 8) (Vector256.Load(d + i) + Vector256.Load(s + i)).Store(d + i);
        for (; i < n; i++) d[i] += s[i];
    }

    /// <summary>
    /// Max pooling of planes (P, H, W): y[p, oy, ox] = max over the window (padding counts as −∞), and the flat
    /// index iy·W + ix of the first maximum in argmax (NaN wins, as in PyTorch).
    /// </summary>
    public static void MaxPoolForward(ReadOnlySpan<float> x, int planes, in Conv2dGeometry g, Span<float> y, Span<int> argmax)
    {
        int oh = g.OH, ow = g.OW, hw = g.H * g.W;
        if (g is { KH: 2, KW: 2, SH: 2, SW: 2, PH: 0, PW: 0, DH: 1, DW: 1 })
        {
            MaxPool2x2(x, planes, g.H, g.W, y, argmax);
            return;
        }
        for (int p = 0; p < planes; p++)
        {
            var img = x.Slice(p * hw, hw);
            int o = p * oh * ow;
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++, o++)
                {
                    float best = float.NegativeInfinity;
                    int bi = -1;
                    for (int ky = 0; ky < g.KH; ky++)
                    {
                        int iy = oy * g.SH - g.PH + ky * g.DH;
                        if ((uint)iy >= (uint)g.H) continue;
                        for (int kx = 0; kx < g.KW; kx++)
                        {
                            int ix = ox * g.SW - g.PW + kx * g.DW;
                            if ((uint)ix >= (uint)g.W) continue;
                            float v = img[iy * g.W + ix];
                            if (v > best || float.IsNaN(v) || bi < 0)
                            {
                                best = v;
                                bi = iy * g.W + ix;
                                if (float.IsNaN(v)) goto done;
                            }
                        }
                    }
                done:
                    y[o] = best;
                    argmax[o] = bi;
                }
        }
    }

    /// <summary>Forces the scalar 2x2 pooling loop (tests compare it with the vector one).</summary>
    internal static bool ScalarPooling { get; set; }

    /// <summary>The common 2x2, stride-2 window without padding: same first-maximum and NaN rules, on pointers.</summary>
    private static unsafe void MaxPool2x2(ReadOnlySpan<float> x, int planes, int h, int w, Span<float> y, Span<int> argmax)
    {
        int oh = h / 2, ow = w / 2, hw = h * w;
        if (x.Length < planes * hw || y.Length < planes * oh * ow || argmax.Length < planes * oh * ow)
            throw new ArgumentException("MaxPool2d: spans too short for the geometry");
        bool vector = Avx512F.IsSupported && !ScalarPooling;
        fixed (float* xp = x, yp = y)
        fixed (int* ip = argmax)
        {
            int o = 0;
            for (int p = 0; p < planes; p++)
            {
                float* img = xp + (long)p * hw;
                for (int oy = 0; oy < oh; oy++, o += ow)
                {
                    int r0 = 2 * oy * w;
                    if (vector) Row2x2Vector(img + r0, img + r0 + w, r0, w, ow, yp + o, ip + o);
                    else Row2x2(img + r0, img + r0 + w, r0, w, 0, ow, yp + o, ip + o);
                }
            }
        }
    }

    /// <summary>Outputs [ox0, ox1) of one row of 2x2 windows over the image rows top and bot (r0: top's flat index).</summary>
    private static unsafe void Row2x2(float* top, float* bot, int r0, int w, int ox0, int ox1, float* yo, int* io)
    {
        for (int ox = ox0; ox < ox1; ox++)
        {
            int ix = 2 * ox;
            float a = top[ix], b = top[ix + 1], c = bot[ix], d = bot[ix + 1];
            float best = a;
            int bi = r0 + ix;
            if (b > best) { best = b; bi = r0 + ix + 1; }
            if (c > best) { best = c; bi = r0 + w + ix; }
            if (d > best) { best = d; bi = r0 + w + ix + 1; }
            if (float.IsNaN(a + b + c + d))
            {
                // Rare: a NaN wins (the first one), as in the general loop; inf − inf also lands here, harmlessly.
                if (float.IsNaN(a)) { best = a; bi = r0 + ix; }
                else if (float.IsNaN(b)) { best = b; bi = r0 + ix + 1; }
                else if (float.IsNaN(c)) { best = c; bi = r0 + w + ix; }
                else if (float.IsNaN(d)) { best = d; bi = r0 + w + ix + 1; }
            }
            yo[ox] = best;
            io[ox] = bi;
        }
    }

    /// <summary>
    /// <see cref="Row2x2"/> 16 windows at a time: masked loads of 32 floats of each image row, split into the
    /// windows' left and right columns, then strict greater-than selects in the order a, b, c, d (the first maximum
    /// wins, as in the scalar loop) with the flat indices alongside. A block holding a NaN is redone by the scalar loop.
    /// </summary>
    private static unsafe void Row2x2Vector(float* top, float* bot, int r0, int w, int ow, float* yo, int* io)
    {
        var even = Vector512<int>.Indices * 2;
        var odd = even + Vector512<int>.One;
        for (int ox0 = 0; ox0 < ow; ox0 += 16)
        {
            int lanes = Math.Min(16, ow - ox0), floats = 2 * lanes;
            var loMask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(floats)).AsSingle();
            var hiMask = Vector512.LessThan(Vector512<int>.Indices + Vector512.Create(16), Vector512.Create(floats)).AsSingle();
            float* t = top + 2 * ox0, u = bot + 2 * ox0;
            var t0 = Avx512F.MaskLoad(t, loMask, Vector512<float>.Zero);
            var t1 = Avx512F.MaskLoad(t + 16, hiMask, Vector512<float>.Zero);
            var u0 = Avx512F.MaskLoad(u, loMask, Vector512<float>.Zero);
            var u1 = Avx512F.MaskLoad(u + 16, hiMask, Vector512<float>.Zero);
            var a = Avx512F.PermuteVar16x32x2(t0, even, t1);
            var b = Avx512F.PermuteVar16x32x2(t0, odd, t1);
            var c = Avx512F.PermuteVar16x32x2(u0, even, u1);
            var d = Avx512F.PermuteVar16x32x2(u0, odd, u1);
            var ia = Vector512.Create(r0 + 2 * ox0) + even;
            var best = a;
            var bi = ia;
            var m = Vector512.GreaterThan(b, best);
            best = Vector512.ConditionalSelect(m, b, best);
            bi = Vector512.ConditionalSelect(m.AsInt32(), ia + Vector512<int>.One, bi);
            m = Vector512.GreaterThan(c, best);
            best = Vector512.ConditionalSelect(m, c, best);
            bi = Vector512.ConditionalSelect(m.AsInt32(), ia + Vector512.Create(w), bi);
            m = Vector512.GreaterThan(d, best);
            best = Vector512.ConditionalSelect(m, d, best);
            bi = Vector512.ConditionalSelect(m.AsInt32(), ia + Vector512.Create(w + 1), bi);
            var store = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(lanes));
            var sum = a + b + c + d;
            if ((~Vector512.Equals(sum, sum).AsInt32() & store) != Vector512<int>.Zero)
            {
                Row2x2(top, bot, r0, w, ox0, ox0 + lanes, yo, io);
                continue;
            }
            Avx512F.MaskStore(yo + ox0, store.AsSingle(), best);
            Avx512F.MaskStore(io + ox0, store, bi);
        }
    }

    /// <summary>Routes each output gradient to its window's maximum: dx[p, argmax] += dy[p, o].</summary>
    public static void MaxPoolBackward(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, int planes, int hw, int ohw, Span<float> dx)
    {
        for (int p = 0; p < planes; p++)
        {
            var d = dx.Slice(p * hw, hw);
            int o = p * ohw;
            for (int i = 0; i < ohw; i++, o++)
                if (argmax[o] >= 0) d[argmax[o]] += dy[o];
        }
    }

    /// <summary>The divisor of one average-pooling window: its full size with padding, or its in-image part.</summary>
    private static int Divisor(in Conv2dGeometry g, int oy, int ox, bool countIncludePad)
    {
        // PyTorch: the window is clipped to the padded image for count_include_pad, to the image otherwise.
        int y0 = oy * g.SH - g.PH, x0 = ox * g.SW - g.PW;
        int y1 = Math.Min(y0 + g.KH, g.H + g.PH), x1 = Math.Min(x0 + g.KW, g.W + g.PW);
        if (countIncludePad) return (y1 - y0) * (x1 - x0);
        return (Math.Min(y1, g.H) - Math.Max(y0, 0)) * (Math.Min(x1, g.W) - Math.Max(x0, 0));
    }

    /// <summary>Average pooling of planes (P, H, W) (no dilation): y = window sum / divisor.</summary>
    public static void AvgPoolForward(ReadOnlySpan<float> x, int planes, in Conv2dGeometry g, bool countIncludePad, Span<float> y)
    {
        int oh = g.OH, ow = g.OW, hw = g.H * g.W;
        for (int p = 0; p < planes; p++)
        {
            var img = x.Slice(p * hw, hw);
            int o = p * oh * ow;
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++, o++)
                {
                    float s = 0;
                    int ys = Math.Max(0, oy * g.SH - g.PH), ye = Math.Min(g.H, oy * g.SH - g.PH + g.KH);
                    int xs = Math.Max(0, ox * g.SW - g.PW), xe = Math.Min(g.W, ox * g.SW - g.PW + g.KW);
                    for (int iy = ys; iy < ye; iy++)
                        for (int ix = xs; ix < xe; ix++) s += img[iy * g.W + ix];
                    y[o] = s / Divisor(g, oy, ox, countIncludePad);
                }
        }
    }

    /// <summary>The adjoint of <see cref="AvgPoolForward"/>: each input in a window receives dy / divisor.</summary>
    public static void AvgPoolBackward(ReadOnlySpan<float> dy, int planes, in Conv2dGeometry g, bool countIncludePad, Span<float> dx)
    {
        int oh = g.OH, ow = g.OW, hw = g.H * g.W;
        for (int p = 0; p < planes; p++)
        {
            var d = dx.Slice(p * hw, hw);
            int o = p * oh * ow;
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++, o++)
                {
                    float v = dy[o] / Divisor(g, oy, ox, countIncludePad);
                    int ys = Math.Max(0, oy * g.SH - g.PH), ye = Math.Min(g.H, oy * g.SH - g.PH + g.KH);
                    int xs = Math.Max(0, ox * g.SW - g.PW), xe = Math.Min(g.W, ox * g.SW - g.PW + g.KW);
                    for (int iy = ys; iy < ye; iy++)
                        for (int ix = xs; ix < xe; ix++) d[iy * g.W + ix] += v;
                }
        }
    }

    /// <summary>Turns the direct single-channel convolution off (tests compare it with im2col + GEMM).</summary>
    internal static bool NoDirectConvolution { get; set; }

    /// <summary>
    /// Whether <see cref="DirectForward"/> and <see cref="DirectWeightGradient"/> handle this geometry: one input
    /// channel and unit stride (any padding and dilation), with AVX-512. There im2col does not pay: it would copy
    /// every pixel KH·KW times to feed a GEMM whose inner dimension is only KH·KW.
    /// </summary>
    public static bool DirectApplies(in Conv2dGeometry g) =>
        g.C == 1 && g.SH == 1 && g.SW == 1 && Avx512F.IsSupported && !NoDirectConvolution;

    /// <summary>
    /// y[o, oy, ox] = bias[o] + Σ_ky Σ_kx w[o, ky, kx] · x[oy − PH + ky·DH, ox − PW + kx·DW] for one image x (H, W),
    /// zero outside it, y (O, OH, OW). Sixteen output columns per vector; each masked load of an input row segment
    /// (lanes outside the image are neither read nor counted) feeds four output channels.
    /// </summary>
    public static unsafe void DirectForward(ReadOnlySpan<float> x, in Conv2dGeometry g, ReadOnlySpan<float> w, int o, ReadOnlySpan<float> bias, Span<float> y)
    {
        int oh = g.OH, ow = g.OW, kk = g.KH * g.KW, kw = g.KW;
        if (x.Length < g.H * g.W || w.Length < o * kk || y.Length < o * oh * ow || (!bias.IsEmpty && bias.Length < o))
            throw new ArgumentException("DirectForward: spans too short for the geometry");
        var geo = g;
        var masks = stackalloc Vector512<float>[kw]; // per kx: the lanes of this block inside the image row
        var shifts = stackalloc int[kw];
        fixed (float* xp = x, wp = w, yp = y, bp = bias)
        {
            for (int ox0 = 0; ox0 < ow; ox0 += 16)
            {
                Masks(geo, ox0, ow, masks, shifts);
                var store = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(ow - ox0)).AsSingle();
                for (int oy = 0; oy < oh; oy++)
                {
                    int oc = 0;
                    for (; oc + 4 <= o; oc += 4)
                    {
                        Vector512<float> a0 = Start(bp, oc), a1 = Start(bp, oc + 1), a2 = Start(bp, oc + 2), a3 = Start(bp, oc + 3);
                        for (int ky = 0; ky < geo.KH; ky++)
                        {
                            int iy = oy - geo.PH + ky * geo.DH;
                            if ((uint)iy >= (uint)geo.H) continue;
                            float* row = xp + iy * geo.W + ox0;
                            float* wk = wp + oc * kk + ky * kw;
                            for (int kx = 0; kx < kw; kx++, wk++)
                            {
                                var v = Avx512F.MaskLoad(row + shifts[kx], masks[kx], Vector512<float>.Zero);
                                a0 = Vector512.FusedMultiplyAdd(Vector512.Create(wk[0]), v, a0);
                                a1 = Vector512.FusedMultiplyAdd(Vector512.Create(wk[kk]), v, a1);
                                a2 = Vector512.FusedMultiplyAdd(Vector512.Create(wk[2 * kk]), v, a2);
                                a3 = Vector512.FusedMultiplyAdd(Vector512.Create(wk[3 * kk]), v, a3);
                            }
                        }
                        float* yo = yp + ((long)oc * oh + oy) * ow + ox0;
                        Avx512F.MaskStore(yo, store, a0);
                        Avx512F.MaskStore(yo + oh * ow, store, a1);
                        Avx512F.MaskStore(yo + 2 * oh * ow, store, a2);
                        Avx512F.MaskStore(yo + 3 * oh * ow, store, a3);
                    }
                    for (; oc < o; oc++)
                    {
                        var a = Start(bp, oc);
                        for (int ky = 0; ky < geo.KH; ky++)
                        {
                            int iy = oy - geo.PH + ky * geo.DH;
                            if ((uint)iy >= (uint)geo.H) continue;
                            float* row = xp + iy * geo.W + ox0;
                            for (int kx = 0; kx < kw; kx++)
                                a = Vector512.FusedMultiplyAdd(Vector512.Create(wp[oc * kk + ky * kw + kx]),
                                    Avx512F.MaskLoad(row + shifts[kx], masks[kx], Vector512<float>.Zero), a);
                        }
                        Avx512F.MaskStore(yp + ((long)oc * oh + oy) * ow + ox0, store, a);
                    }
                }
            }
        }
    }

    /// <summary>
    /// dW[o, ky, kx] += Σ_oy Σ_ox dy[o, oy, ox] · x[oy − PH + ky·DH, ox − PW + kx·DW] for one image and the output
    /// channels [oc0, oc1), the adjoint of <see cref="DirectForward"/> in w: each (o, ky, kx) is a dot product of the
    /// output gradient with the shifted image. Four channels and up to five taps of a kernel row at a time keep 20
    /// sums in registers: each masked load of an image row feeds four FMAs, each output-gradient row five (one load
    /// and one sum in memory per FMA before: 43 GFLOP/s on the Fashion CNN's first layer). Every (o, ky, kx) still
    /// sums its 16 lanes over the column blocks and rows in the same order, so the result does not change.
    /// </summary>
    public static unsafe void DirectWeightGradient(ReadOnlySpan<float> x, in Conv2dGeometry g, ReadOnlySpan<float> dy, int o, int oc0, int oc1, Span<float> dw)
    {
        int oh = g.OH, ow = g.OW, kk = g.KH * g.KW, kw = g.KW;
        if (x.Length < g.H * g.W || dy.Length < o * oh * ow || dw.Length < o * kk)
            throw new ArgumentException("DirectWeightGradient: spans too short for the geometry");
        var geo = g;
        var masks = stackalloc Vector512<float>[kw];
        var shifts = stackalloc int[kw];
        var acc = stackalloc Vector512<float>[kk];
        fixed (float* xp = x, dp = dy, wp = dw)
        {
            int oc = oc0;
            for (; oc + 4 <= oc1; oc += 4)
                for (int ky = 0; ky < geo.KH; ky++)
                    for (int kx0 = 0; kx0 < kw; kx0 += 5)
                        WeightGradientBlock(xp, geo, dp, oc, ky, kx0, Math.Min(5, kw - kx0), masks, shifts, wp);
            for (; oc < oc1; oc++)
            {
                for (int t = 0; t < kk; t++) acc[t] = Vector512<float>.Zero;
                for (int ox0 = 0; ox0 < ow; ox0 += 16)
                {
                    Masks(geo, ox0, ow, masks, shifts);
                    var lanes = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(ow - ox0)).AsSingle();
                    for (int oy = 0; oy < oh; oy++)
                    {
                        var d = Avx512F.MaskLoad(dp + ((long)oc * oh + oy) * ow + ox0, lanes, Vector512<float>.Zero);
                        for (int ky = 0; ky < geo.KH; ky++)
                        {
                            int iy = oy - geo.PH + ky * geo.DH;
                            if ((uint)iy >= (uint)geo.H) continue;
                            float* row = xp + iy * geo.W + ox0;
                            var at = acc + ky * kw;
                            for (int kx = 0; kx < kw; kx++)
                                at[kx] = Vector512.FusedMultiplyAdd(d, Avx512F.MaskLoad(row + shifts[kx], masks[kx], Vector512<float>.Zero), at[kx]);
                        }
                    }
                }
                for (int t = 0; t < kk; t++) wp[oc * kk + t] += Vector512.Sum(acc[t]);
            }
        }
    }

    /// <summary>
    /// The sums of <see cref="DirectWeightGradient"/> for channels oc..oc+3, kernel row ky and the <paramref name="n"/>
    /// (1 to 5) taps from kx0, in 20 register accumulators a[channel][tap].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void WeightGradientBlock(float* xp, in Conv2dGeometry g, float* dp, int oc, int ky, int kx0, int n,
        Vector512<float>* masks, int* shifts, float* wp)
    {
        int oh = g.OH, ow = g.OW, kk = g.KH * g.KW;
        long plane = (long)oh * ow;
        var z = Vector512<float>.Zero;
        Vector512<float> a00 = z, a01 = z, a02 = z, a03 = z, a04 = z, a10 = z, a11 = z, a12 = z, a13 = z, a14 = z;
        Vector512<float> a20 = z, a21 = z, a22 = z, a23 = z, a24 = z, a30 = z, a31 = z, a32 = z, a33 = z, a34 = z;
        for (int ox0 = 0; ox0 < ow; ox0 += 16)
        {
            Masks(g, ox0, ow, masks, shifts);
            var lanes = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(ow - ox0)).AsSingle();
            for (int oy = 0; oy < oh; oy++)
            {
                int iy = oy - g.PH + ky * g.DH;
                if ((uint)iy >= (uint)g.H) continue;
                float* d = dp + (long)oc * plane + (long)oy * ow + ox0;
                var d0 = Avx512F.MaskLoad(d, lanes, z);
                var d1 = Avx512F.MaskLoad(d + plane, lanes, z);
                var d2 = Avx512F.MaskLoad(d + 2 * plane, lanes, z);
                var d3 = Avx512F.MaskLoad(d + 3 * plane, lanes, z);
                float* row = xp + (long)iy * g.W + ox0;
                int k = kx0;
                var v = Avx512F.MaskLoad(row + shifts[k], masks[k], z);
                a00 = Vector512.FusedMultiplyAdd(d0, v, a00); a10 = Vector512.FusedMultiplyAdd(d1, v, a10);
                a20 = Vector512.FusedMultiplyAdd(d2, v, a20); a30 = Vector512.FusedMultiplyAdd(d3, v, a30);
                if (n < 2) continue;
                v = Avx512F.MaskLoad(row + shifts[k + 1], masks[k + 1], z);
                a01 = Vector512.FusedMultiplyAdd(d0, v, a01); a11 = Vector512.FusedMultiplyAdd(d1, v, a11);
                a21 = Vector512.FusedMultiplyAdd(d2, v, a21); a31 = Vector512.FusedMultiplyAdd(d3, v, a31);
                if (n < 3) continue;
                v = Avx512F.MaskLoad(row + shifts[k + 2], masks[k + 2], z);
                a02 = Vector512.FusedMultiplyAdd(d0, v, a02); a12 = Vector512.FusedMultiplyAdd(d1, v, a12);
                a22 = Vector512.FusedMultiplyAdd(d2, v, a22); a32 = Vector512.FusedMultiplyAdd(d3, v, a32);
                if (n < 4) continue;
                v = Avx512F.MaskLoad(row + shifts[k + 3], masks[k + 3], z);
                a03 = Vector512.FusedMultiplyAdd(d0, v, a03); a13 = Vector512.FusedMultiplyAdd(d1, v, a13);
                a23 = Vector512.FusedMultiplyAdd(d2, v, a23); a33 = Vector512.FusedMultiplyAdd(d3, v, a33);
                if (n < 5) continue;
                v = Avx512F.MaskLoad(row + shifts[k + 4], masks[k + 4], z);
                a04 = Vector512.FusedMultiplyAdd(d0, v, a04); a14 = Vector512.FusedMultiplyAdd(d1, v, a14);
                a24 = Vector512.FusedMultiplyAdd(d2, v, a24); a34 = Vector512.FusedMultiplyAdd(d3, v, a34);
            }
        }
        float* w = wp + (long)oc * kk + ky * g.KW + kx0;
        w[0] += Vector512.Sum(a00); w[kk] += Vector512.Sum(a10); w[2 * kk] += Vector512.Sum(a20); w[3 * kk] += Vector512.Sum(a30);
        if (n < 2) return;
        w[1] += Vector512.Sum(a01); w[kk + 1] += Vector512.Sum(a11); w[2 * kk + 1] += Vector512.Sum(a21); w[3 * kk + 1] += Vector512.Sum(a31);
        if (n < 3) return;
        w[2] += Vector512.Sum(a02); w[kk + 2] += Vector512.Sum(a12); w[2 * kk + 2] += Vector512.Sum(a22); w[3 * kk + 2] += Vector512.Sum(a32);
        if (n < 4) return;
        w[3] += Vector512.Sum(a03); w[kk + 3] += Vector512.Sum(a13); w[2 * kk + 3] += Vector512.Sum(a23); w[3 * kk + 3] += Vector512.Sum(a33);
        if (n < 5) return;
        w[4] += Vector512.Sum(a04); w[kk + 4] += Vector512.Sum(a14); w[2 * kk + 4] += Vector512.Sum(a24); w[3 * kk + 4] += Vector512.Sum(a34);
    }

    /// <summary>For the 16 output columns from ox0: per kx, the input column shift and the lanes inside the image and the output.</summary>
    private static unsafe void Masks(in Conv2dGeometry g, int ox0, int ow, Vector512<float>* masks, int* shifts)
    {
        var outLanes = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(ow - ox0));
        for (int kx = 0; kx < g.KW; kx++)
        {
            int shift = kx * g.DW - g.PW;
            var col = Vector512<int>.Indices + Vector512.Create(ox0 + shift);
            masks[kx] = (Vector512.GreaterThanOrEqual(col, Vector512<int>.Zero) & Vector512.LessThan(col, Vector512.Create(g.W)) & outLanes).AsSingle();
            shifts[kx] = shift;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> Start(float* bias, int oc) => bias == null ? Vector512<float>.Zero : Vector512.Create(bias[oc]);
}
