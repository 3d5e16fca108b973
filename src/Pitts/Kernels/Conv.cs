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
    public static void Im2Col(ReadOnlySpan<float> x, in Conv2dGeometry g, Span<float> cols, int ldCols, int col0)
    {
        int oh = g.OH, ow = g.OW, hw = g.H * g.W;
        for (int c = 0; c < g.C; c++)
        {
            var img = x.Slice(c * hw, hw);
            for (int ky = 0; ky < g.KH; ky++)
                for (int kx = 0; kx < g.KW; kx++)
                {
                    int row = (c * g.KH + ky) * g.KW + kx;
                    var dst = cols.Slice(row * ldCols + col0, oh * ow);
                    int x0 = g.FirstValidX(kx), x1 = Math.Max(x0, g.EndValidX(kx));
                    int shift = kx * g.DW - g.PW;
                    for (int oy = 0; oy < oh; oy++)
                    {
                        var d = dst.Slice(oy * ow, ow);
                        int iy = oy * g.SH - g.PH + ky * g.DH;
                        if ((uint)iy >= (uint)g.H) { d.Clear(); continue; }
                        d[..x0].Clear();
                        d[x1..].Clear();
                        var src = img.Slice(iy * g.W, g.W);
                        if (g.SW == 1)
                            src.Slice(x0 + shift, x1 - x0).CopyTo(d[x0..x1]);
                        else
                            for (int ox = x0; ox < x1; ox++) d[ox] = src[ox * g.SW + shift];
                    }
                }
        }
    }

    /// <summary>The adjoint of <see cref="Im2Col"/>: adds every column entry back into dx (C, H, W).</summary>
    public static void Col2Im(ReadOnlySpan<float> cols, int ldCols, int col0, in Conv2dGeometry g, Span<float> dx)
    {
        int oh = g.OH, ow = g.OW, hw = g.H * g.W;
        for (int c = 0; c < g.C; c++)
        {
            var img = dx.Slice(c * hw, hw);
            for (int ky = 0; ky < g.KH; ky++)
                for (int kx = 0; kx < g.KW; kx++)
                {
                    int row = (c * g.KH + ky) * g.KW + kx;
                    var src = cols.Slice(row * ldCols + col0, oh * ow);
                    int x0 = g.FirstValidX(kx), x1 = Math.Max(x0, g.EndValidX(kx));
                    int shift = kx * g.DW - g.PW;
                    for (int oy = 0; oy < oh; oy++)
                    {
                        int iy = oy * g.SH - g.PH + ky * g.DH;
                        if ((uint)iy >= (uint)g.H) continue;
                        var s = src.Slice(oy * ow, ow);
                        var d = img.Slice(iy * g.W, g.W);
                        if (g.SW == 1)
                        {
                            var dd = d.Slice(x0 + shift, x1 - x0);
                            System.Numerics.Tensors.TensorPrimitives.Add(dd, s[x0..x1], dd);
                        }
                        else
                            for (int ox = x0; ox < x1; ox++) d[ox * g.SW + shift] += s[ox];
                    }
                }
        }
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

    /// <summary>The common 2x2, stride-2 window without padding: same first-maximum and NaN rules, no bounds tests.</summary>
    private static void MaxPool2x2(ReadOnlySpan<float> x, int planes, int h, int w, Span<float> y, Span<int> argmax)
    {
        int oh = h / 2, ow = w / 2, hw = h * w;
        int o = 0;
        for (int p = 0; p < planes; p++)
        {
            var img = x.Slice(p * hw, hw);
            for (int oy = 0; oy < oh; oy++)
            {
                int r0 = 2 * oy * w;
                var top = img.Slice(r0, w);
                var bot = img.Slice(r0 + w, w);
                for (int ox = 0; ox < ow; ox++, o++)
                {
                    int ix = 2 * ox;
                    float best = top[ix];
                    int bi = r0 + ix;
                    float v = top[ix + 1];
                    if (v > best || float.IsNaN(v) && !float.IsNaN(best)) { best = v; bi = r0 + ix + 1; }
                    v = bot[ix];
                    if (v > best || float.IsNaN(v) && !float.IsNaN(best)) { best = v; bi = r0 + w + ix; }
                    v = bot[ix + 1];
                    if (v > best || float.IsNaN(v) && !float.IsNaN(best)) { best = v; bi = r0 + w + ix + 1; }
                    y[o] = best;
                    argmax[o] = bi;
                }
            }
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
}
