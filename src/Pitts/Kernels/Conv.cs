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
                        if (g.SW == 1 && Avx512F.IsSupported)
                        {
                            AddRowsMasked(src, img, g, ky, x0, x1, shift);
                            continue;
                        }
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

    /// <summary>
    /// The adjoint of <see cref="RowsMasked"/>: adds one (c, ky, kx) row of the columns back into the image, 16 output
    /// columns per masked load-add-store (lanes [x0, x1) only). A row of 14 outputs was one 8-float vector and six scalar
    /// adds; each image element still receives the same additions in the same order.
    /// </summary>
    private static unsafe void AddRowsMasked(float* src, float* img, in Conv2dGeometry g, int ky, int x0, int x1, int shift)
    {
        int oh = g.OH, ow = g.OW;
        for (int j = 0; j < ow; j += 16)
        {
            var idx = Vector512<int>.Indices + Vector512.Create(j);
            var mask = (Vector512.GreaterThanOrEqual(idx, Vector512.Create(x0)) & Vector512.LessThan(idx, Vector512.Create(x1))).AsSingle();
            for (int oy = 0; oy < oh; oy++)
            {
                int iy = oy * g.SH - g.PH + ky * g.DH;
                if ((uint)iy >= (uint)g.H) continue;
                float* d = img + iy * g.W + shift + j;
                var sum = Avx512F.MaskLoad(d, mask, Vector512<float>.Zero) + Avx512F.MaskLoad(src + oy * ow + j, mask, Vector512<float>.Zero);
                Avx512F.MaskStore(d, mask, sum);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Zero(float* d, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated) for (; i + 8 <= n; i += 8) Vector256<float>.Zero.Store(d + i);
        else for (; i + 4 <= n; i += 4) Vector128<float>.Zero.Store(d + i); // ARM64, WebAssembly: no software Vector256
        for (; i < n; i++) d[i] = 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Copy(float* s, float* d, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated) for (; i + 8 <= n; i += 8) Vector256.Load(s + i).Store(d + i);
        else for (; i + 4 <= n; i += 4) Vector128.Load(s + i).Store(d + i);
        for (; i < n; i++) d[i] = s[i];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AddInto(float* s, float* d, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated) for (; i + 8 <= n; i += 8) (Vector256.Load(d + i) + Vector256.Load(s + i)).Store(d + i);
        else for (; i + 4 <= n; i += 4) (Vector128.Load(d + i) + Vector128.Load(s + i)).Store(d + i);
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
        bool vector = (Avx512F.IsSupported || Vector128.IsHardwareAccelerated) && !ScalarPooling;
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
                    if (vector && Avx512F.IsSupported) Row2x2Vector(img + r0, img + r0 + w, r0, w, ow, yp + o, ip + o);
                    else if (vector) Row2x2Vector128(img + r0, img + r0 + w, r0, w, ow, yp + o, ip + o);
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

    /// <summary>
    /// <see cref="Row2x2"/> 4 windows at a time on 128-bit vectors (SSE, AdvSimd, WebAssembly SIMD; and AVX2 machines):
    /// two loads of 4 floats of each image row, split into the windows' left and right columns, then the same strict
    /// selects as <see cref="Row2x2Vector"/>. The last (fewer than 4) windows and a block holding a NaN run the scalar loop.
    /// </summary>
    private static unsafe void Row2x2Vector128(float* top, float* bot, int r0, int w, int ow, float* yo, int* io)
    {
        var even = Vector128<int>.Indices * 2;
        int ox0 = 0;
        for (; ox0 + 4 <= ow; ox0 += 4)
        {
            float* t = top + 2 * ox0, u = bot + 2 * ox0;
            var (a, b) = Deinterleave(Vector128.Load(t), Vector128.Load(t + 4));
            var (c, d) = Deinterleave(Vector128.Load(u), Vector128.Load(u + 4));
            var ia = Vector128.Create(r0 + 2 * ox0) + even;
            var best = a;
            var bi = ia;
            var m = Vector128.GreaterThan(b, best);
            best = Vector128.ConditionalSelect(m, b, best);
            bi = Vector128.ConditionalSelect(m.AsInt32(), ia + Vector128<int>.One, bi);
            m = Vector128.GreaterThan(c, best);
            best = Vector128.ConditionalSelect(m, c, best);
            bi = Vector128.ConditionalSelect(m.AsInt32(), ia + Vector128.Create(w), bi);
            m = Vector128.GreaterThan(d, best);
            best = Vector128.ConditionalSelect(m, d, best);
            bi = Vector128.ConditionalSelect(m.AsInt32(), ia + Vector128.Create(w + 1), bi);
            var sum = a + b + c + d;
            if (!Vector128.EqualsAll(sum, sum))
            {
                Row2x2(top, bot, r0, w, ox0, ox0 + 4, yo, io);
                continue;
            }
            best.Store(yo + ox0);
            bi.Store(io + ox0);
        }
        Row2x2(top, bot, r0, w, ox0, ow, yo, io);
    }

    /// <summary>The even and the odd lanes of the 8 floats lo, hi: (lo0, lo2, hi0, hi2) and (lo1, lo3, hi1, hi3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<float> Even, Vector128<float> Odd) Deinterleave(Vector128<float> lo, Vector128<float> hi)
    {
        if (Sse.IsSupported) return (Sse.Shuffle(lo, hi, 0b10_00_10_00), Sse.Shuffle(lo, hi, 0b11_01_11_01));
        if (System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported)
            return (System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.UnzipEven(lo, hi), System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.UnzipOdd(lo, hi));
        return (Vector128.Create(lo[0], lo[2], hi[0], hi[2]), Vector128.Create(lo[1], lo[3], hi[1], hi[3]));
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
    /// channel and unit stride (any padding and dilation), with AVX-512, or with 128-bit vectors where Vector256 is not
    /// accelerated (ARM64, WebAssembly). There im2col does not pay: it would copy every pixel KH·KW times to feed a GEMM
    /// whose inner dimension is only KH·KW.
    /// </summary>
    public static bool DirectApplies(in Conv2dGeometry g) =>
        g.C == 1 && g.SH == 1 && g.SW == 1 && !NoDirectConvolution
        && (Avx512F.IsSupported || (Vector128.IsHardwareAccelerated && !Vector256.IsHardwareAccelerated));

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
        if (!Avx512F.IsSupported)
        {
            DirectForward128(x, g, w, o, bias, y);
            return;
        }
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
        if (!Avx512F.IsSupported)
        {
            DirectWeightGradient128(x, g, dy, o, oc0, oc1, dw);
            return;
        }
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

    [ThreadStatic] private static float[]? _padded;

    /// <summary>
    /// The image x (H, W) in a thread's scratch buffer with a zero border: PH rows above and below, PW columns left and
    /// right plus 7 more, so that 128-bit loads of any tap of any block of 8 output columns need no mask. Row stride:
    /// the returned width.
    /// </summary>
    private static unsafe float[] Padded(ReadOnlySpan<float> x, in Conv2dGeometry g, out int width)
    {
        width = g.W + 2 * g.PW + 7;
        int height = g.H + 2 * g.PH, need = width * height;
        var buf = _padded;
        if (buf is null || buf.Length < need) _padded = buf = GC.AllocateUninitializedArray<float>(Math.Max(need, 1024), pinned: true);
        var span = buf.AsSpan(0, need);
        span.Clear();
        for (int iy = 0; iy < g.H; iy++) x.Slice(iy * g.W, g.W).CopyTo(span.Slice((iy + g.PH) * width + g.PW, g.W));
        return buf;
    }

    /// <summary>
    /// <see cref="DirectForward"/> on 128-bit vectors: 8 output columns (two vectors) of 4 channels per step, 8
    /// independent multiply-add chains, from unmasked loads of a zero-bordered copy of the image; the weights of the 4
    /// channels are broadcast once per image into a stack table (a broadcast per use cost a shuffle on x64 without
    /// AVX2). Rows outside the image are skipped, as on the AVX-512 path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void DirectForward128(ReadOnlySpan<float> x, in Conv2dGeometry g, ReadOnlySpan<float> w, int o, ReadOnlySpan<float> bias, Span<float> y)
    {
        int oh = g.OH, ow = g.OW, kh = g.KH, kw = g.KW, kk = kh * kw, dh = g.DH, dwid = g.DW, ph = g.PH, h = g.H;
        var buf = Padded(x, g, out int pw);
        // Per output channel block: 4·kk broadcast weights (16 B each); kernels up to 16x16 fit in 16 KB of stack.
        int table = 4 * kk;
        Span<Vector128<float>> wv = table <= 1024 ? stackalloc Vector128<float>[table] : new Vector128<float>[table];
        fixed (float* xp = buf, wp = w, yp = y, bp = bias)
        fixed (Vector128<float>* tv = wv)
        {
            long plane = (long)oh * ow;
            float* tail = stackalloc float[8];
            for (int oc = 0; oc < o; oc += 4)
            {
                int nc = Math.Min(4, o - oc);
                // Missing channels of a last, partial block get zero weights and are not stored.
                for (int c = 0; c < 4; c++)
                    for (int t = 0; t < kk; t++) tv[t * 4 + c] = Vector128.Create(c < nc ? wp[(oc + c) * kk + t] : 0f);
                var b0 = Vector128.Create(bp == null ? 0f : bp[oc]);
                var b1 = Vector128.Create(bp == null || nc < 2 ? 0f : bp[oc + 1]);
                var b2 = Vector128.Create(bp == null || nc < 3 ? 0f : bp[oc + 2]);
                var b3 = Vector128.Create(bp == null || nc < 4 ? 0f : bp[oc + 3]);
                for (int oy = 0; oy < oh; oy++)
                    for (int ox0 = 0; ox0 < ow; ox0 += 8)
                    {
                        Vector128<float> a00 = b0, a01 = b0, a10 = b1, a11 = b1, a20 = b2, a21 = b2, a30 = b3, a31 = b3;
                        for (int ky = 0; ky < kh; ky++)
                        {
                            int iy = oy - ph + ky * dh;
                            if ((uint)iy >= (uint)h) continue;
                            float* row = xp + (long)(iy + ph) * pw + ox0;
                            Vector128<float>* wk = tv + ky * kw * 4;
                            for (int kx = 0; kx < kw; kx++, wk += 4)
                            {
                                float* r = row + kx * dwid;
                                var v0 = Vector128.Load(r);
                                var v1 = Vector128.Load(r + 4);
                                a00 = GemmKernels.MulAdd128(wk[0], v0, a00); a01 = GemmKernels.MulAdd128(wk[0], v1, a01);
                                a10 = GemmKernels.MulAdd128(wk[1], v0, a10); a11 = GemmKernels.MulAdd128(wk[1], v1, a11);
                                a20 = GemmKernels.MulAdd128(wk[2], v0, a20); a21 = GemmKernels.MulAdd128(wk[2], v1, a21);
                                a30 = GemmKernels.MulAdd128(wk[3], v0, a30); a31 = GemmKernels.MulAdd128(wk[3], v1, a31);
                            }
                        }
                        float* yo = yp + ((long)oc * oh + oy) * ow + ox0;
                        int cols = Math.Min(8, ow - ox0);
                        Store8(yo, cols, a00, a01, tail);
                        if (nc > 1) Store8(yo + plane, cols, a10, a11, tail);
                        if (nc > 2) Store8(yo + 2 * plane, cols, a20, a21, tail);
                        if (nc > 3) Store8(yo + 3 * plane, cols, a30, a31, tail);
                    }
            }
        }
    }

    /// <summary>The first <paramref name="cols"/> (1 to 8) floats of lo, hi to dst, a partial block through tail (8
    /// floats); inlined and call-free, so that the JIT does not spill the accumulators in the loop (every XMM register
    /// is caller-saved: a call after the loop had 6 of the 8 stored to the stack at every multiply-add).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store8(float* dst, int cols, Vector128<float> lo, Vector128<float> hi, float* tail)
    {
        if (cols == 8) { lo.Store(dst); hi.Store(dst + 4); return; }
        lo.Store(tail);
        hi.Store(tail + 4);
        for (int q = 0; q < cols; q++) dst[q] = tail[q];
    }

    [ThreadStatic] private static float[]? _paddedDy;

    /// <summary>
    /// <see cref="DirectWeightGradient"/> on 128-bit vectors: for 2 channels and up to 4 taps of a kernel row at a
    /// time, 8 accumulators over 4-lane blocks of each output-gradient row (copied with its rows padded to a multiple
    /// of 4 with zeros) times the shifted, zero-bordered image. Each (o, ky, kx) sums its lanes over the blocks and
    /// rows in one order whatever the blocking, so a channel alone or in a pair gives the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void DirectWeightGradient128(ReadOnlySpan<float> x, in Conv2dGeometry g, ReadOnlySpan<float> dy, int o, int oc0, int oc1, Span<float> dw)
    {
        int oh = g.OH, ow = g.OW, kh = g.KH, kw = g.KW, kk = kh * kw, ph = g.PH, h = g.H;
        int owr = (ow + 3) & ~3;
        var buf = Padded(x, g, out int pw);
        int need = Math.Max(1, (oc1 - oc0) * oh * owr);
        var dbuf = _paddedDy;
        if (dbuf is null || dbuf.Length < need) _paddedDy = dbuf = GC.AllocateUninitializedArray<float>(Math.Max(need, 1024), pinned: true);
        for (int c = oc0; c < oc1; c++)
            for (int oy = 0; oy < oh; oy++)
            {
                var dst = dbuf.AsSpan(((c - oc0) * oh + oy) * owr, owr);
                dy.Slice((c * oh + oy) * ow, ow).CopyTo(dst);
                dst.Slice(ow).Clear();
            }
        fixed (float* xp = buf, dp = dbuf, wp = dw)
        {
            for (int oc = oc0; oc < oc1; oc += 2)
            {
                int nc = Math.Min(2, oc1 - oc);
                for (int ky = 0; ky < kh; ky++)
                    for (int kx0 = 0; kx0 < kw; kx0 += 4)
                    {
                        int n = Math.Min(4, kw - kx0);
                        var z = Vector128<float>.Zero;
                        Vector128<float> a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
                        float* d0p = dp + (long)(oc - oc0) * oh * owr;
                        float* d1p = nc > 1 ? d0p + (long)oh * owr : d0p;
                        for (int oy = 0; oy < oh; oy++)
                        {
                            int iy = oy - ph + ky * g.DH;
                            if ((uint)iy >= (uint)h) continue;
                            float* row = xp + (long)(iy + ph) * pw + kx0 * g.DW;
                            float* d0r = d0p + (long)oy * owr, d1r = d1p + (long)oy * owr;
                            for (int ox0 = 0; ox0 < owr; ox0 += 4)
                            {
                                var d0 = Vector128.Load(d0r + ox0);
                                var d1 = Vector128.Load(d1r + ox0);
                                float* r = row + ox0;
                                var v = Vector128.Load(r);
                                a00 = GemmKernels.MulAdd128(d0, v, a00); a10 = GemmKernels.MulAdd128(d1, v, a10);
                                if (n < 2) continue;
                                v = Vector128.Load(r + g.DW);
                                a01 = GemmKernels.MulAdd128(d0, v, a01); a11 = GemmKernels.MulAdd128(d1, v, a11);
                                if (n < 3) continue;
                                v = Vector128.Load(r + 2 * g.DW);
                                a02 = GemmKernels.MulAdd128(d0, v, a02); a12 = GemmKernels.MulAdd128(d1, v, a12);
                                if (n < 4) continue;
                                v = Vector128.Load(r + 3 * g.DW);
                                a03 = GemmKernels.MulAdd128(d0, v, a03); a13 = GemmKernels.MulAdd128(d1, v, a13);
                            }
                        }
                        float* w0 = wp + (long)oc * kk + ky * kw + kx0;
                        w0[0] += Vector128.Sum(a00);
                        if (n > 1) w0[1] += Vector128.Sum(a01);
                        if (n > 2) w0[2] += Vector128.Sum(a02);
                        if (n > 3) w0[3] += Vector128.Sum(a03);
                        if (nc < 2) continue;
                        float* w1 = w0 + kk;
                        w1[0] += Vector128.Sum(a10);
                        if (n > 1) w1[1] += Vector128.Sum(a11);
                        if (n > 2) w1[2] += Vector128.Sum(a12);
                        if (n > 3) w1[3] += Vector128.Sum(a13);
                    }
            }
        }
    }
}
