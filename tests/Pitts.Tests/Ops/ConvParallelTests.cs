using Pitts;

namespace Pitts.Tests.Ops;

/// <summary>
/// The parallel and vector paths of convolution and pooling: the same values on one thread or two, and the AVX-512
/// 2x2 max pooling against the scalar loop and a direct reference.
/// </summary>
[Collection("GemmThreads")] // sets the process-wide GEMM thread count and the pooling path
public class ConvParallelTests
{
    [Theory]
    [InlineData(3, 2, 2)]
    [InlineData(2, 28, 28)]   // the Fashion CNN's first pooling: 14 windows a row, one masked 16-lane block
    [InlineData(1, 6, 70)]    // 35 windows a row: two full blocks and a ragged one
    [InlineData(5, 9, 33)]    // odd sizes: the last row and column are not pooled
    [InlineData(300, 14, 14)] // enough planes to be split over both cores
    public void TwoByTwoPoolingVectorScalarAndGeneralLoopsAgree(int planes, int h, int w)
    {
        // Ties (values from a small set), a NaN now and then and ±∞: the vector and the scalar 2x2 loops must give
        // the same values and the same argmax (seen through the gradient), and both the first maximum of each window
        // (a NaN wins), computed directly here.
        var g = new Generator((ulong)(planes * 1000 + h * 10 + w));
        var vals = Tensor.Randint(0, 6, [planes, h, w], g).ToArray();
        for (int i = 0; i < vals.Length; i += 97) vals[i] = float.NaN;
        for (int i = 5; i < vals.Length; i += 131) vals[i] = float.PositiveInfinity;
        for (int i = 11; i < vals.Length; i += 151) vals[i] = float.NegativeInfinity;
        (float[] Y, float[] G) Run(bool scalar)
        {
            bool saved = Pitts.Kernels.ConvKernels.ScalarPooling;
            Pitts.Kernels.ConvKernels.ScalarPooling = scalar;
            try
            {
                var x = Tensor.FromArray(vals, planes, h, w).RequireGrad();
                var y = x.MaxPool2d(2);
                y.Sum().Backward();
                return (y.ToArray(), x.Grad!.ToArray());
            }
            finally { Pitts.Kernels.ConvKernels.ScalarPooling = saved; }
        }
        var (yv, gv) = Run(false);
        var (ys, gs) = Run(true);
        Assert.Equal(ys, yv);
        Assert.Equal(gs, gv);
        int oh = h / 2, ow = w / 2;
        for (int p = 0; p < planes; p++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    float best = float.NegativeInfinity;
                    bool first = true;
                    foreach (var (dy, dx) in new[] { (0, 0), (0, 1), (1, 0), (1, 1) })
                    {
                        float v = vals[(p * h + 2 * oy + dy) * w + 2 * ox + dx];
                        if (first || v > best || (float.IsNaN(v) && !float.IsNaN(best))) { best = v; first = false; }
                    }
                    float got = yv[(p * oh + oy) * ow + ox];
                    Assert.True(best.Equals(got), $"plane {p}, window ({oy}, {ox}): {got}, expected {best}");
                }
    }

    [Theory]
    [InlineData(20, 3, 15, 8)]  // one chunk of samples: the GEMMs share the threads
    [InlineData(40, 16, 14, 32)] // the Fashion CNN's second layer: 7 chunks of 6 samples on the threads, dW in 7 groups
    [InlineData(200, 16, 14, 4)] // 34 chunks in 16 groups of 2 or 3
    public void ConvolutionGivesTheSameBitsOnOneThreadOrTwo(int n, int c, int h, int o)
    {
        var g = new Generator(21);
        var x = Tensor.Randn([n, c, h, h], g);
        var w = Tensor.Randn([o, c, 5, 5], g);
        var b = Tensor.Randn([o], g);
        (float[], float[], float[], float[]) Run(int threads)
        {
            int saved = Pitts.Kernels.Gemm.MaxThreads;
            Pitts.Kernels.Gemm.MaxThreads = threads;
            try
            {
                var (xi, wi, bi) = (x.Detach().RequireGrad(), w.Detach().RequireGrad(), b.Detach().RequireGrad());
                var y = Tensor.Conv2d(xi, wi, bi, 1, 2).Relu().MaxPool2d(2);
                y.Square().Sum().Backward();
                return (y.ToArray(), xi.Grad!.ToArray(), wi.Grad!.ToArray(), bi.Grad!.ToArray());
            }
            finally { Pitts.Kernels.Gemm.MaxThreads = saved; }
        }
        var (one, two) = (Run(1), Run(2));
        Assert.Equal(one.Item1, two.Item1);
        Assert.Equal(one.Item2, two.Item2);
        Assert.Equal(one.Item3, two.Item3);
        Assert.Equal(one.Item4, two.Item4);
        // dW, which the chunk groups sum apart, against sums in double: dW[o, c, ky, kx] = Σ_n Σ_pixels dy · x, with
        // dy = 2·y·[y > 0] routed through the pooling (the gradient of Σ MaxPool(ReLU(y))²), taken from one's dx-free
        // forward: recompute y here in double.
        int oh = h, hw = h * h;
        var xs = x.ToArray(); var ws = w.ToArray(); var bs = b.ToArray();
        var dy = new double[n * o * hw];
        for (int s = 0; s < n; s++)
            for (int oc = 0; oc < o; oc++)
            {
                var yv = new double[hw];
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < oh; ox++)
                    {
                        double acc = bs[oc];
                        for (int ci = 0; ci < c; ci++)
                            for (int ky = 0; ky < 5; ky++)
                                for (int kx = 0; kx < 5; kx++)
                                {
                                    int iy = oy - 2 + ky, ix = ox - 2 + kx;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < h) acc += (double)ws[((oc * c + ci) * 5 + ky) * 5 + kx] * xs[((s * c + ci) * h + iy) * h + ix];
                                }
                        yv[oy * oh + ox] = acc;
                    }
                for (int py = 0; py < oh / 2; py++)
                    for (int px = 0; px < oh / 2; px++)
                    {
                        int best = -1;
                        for (int d = 0; d < 4; d++)
                        {
                            int i = (2 * py + d / 2) * oh + 2 * px + d % 2;
                            if (best < 0 || Math.Max(0, yv[i]) > Math.Max(0, yv[best])) best = i;
                        }
                        if (yv[best] > 0) dy[(s * o + oc) * hw + best] = 2 * yv[best];
                    }
            }
        for (int oc = 0; oc < o; oc++)
            for (int ci = 0; ci < c; ci++)
                for (int k = 0; k < 25; k += 6) // every sixth tap
                {
                    int ky = k / 5, kx = k % 5;
                    double sum = 0, mag = 0;
                    for (int s = 0; s < n; s++)
                        for (int oy = 0; oy < oh; oy++)
                            for (int ox = 0; ox < oh; ox++)
                            {
                                int iy = oy - 2 + ky, ix = ox - 2 + kx;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= h) continue;
                                double t = dy[(s * o + oc) * hw + oy * oh + ox] * xs[((s * c + ci) * h + iy) * h + ix];
                                sum += t; mag += Math.Abs(t);
                            }
                    float got = one.Item3[((oc * c + ci) * 5 + ky) * 5 + kx];
                    Assert.True(Math.Abs(got - sum) <= 1e-5 * (1 + mag), $"dW[{oc}, {ci}, {ky}, {kx}] = {got}, double sum {sum}");
                }
    }


    [Theory]
    [InlineData(4, 6, 28, 28, 5, 5, 2, 1, true)]   // the Fashion CNN's first layer
    [InlineData(3, 5, 9, 40, 3, 3, 1, 1, false)]   // rows wider than one and two vectors
    [InlineData(2, 3, 7, 17, 1, 3, 0, 2, true)]    // dilation, no padding, a 1x3 kernel
    [InlineData(2, 7, 6, 5, 3, 1, 3, 1, true)]     // padding wider than the kernel's reach on one side
    [InlineData(1, 1, 4, 33, 2, 2, 1, 3, false)]   // one output channel, even kernel, dilation 3
    [InlineData(2, 5, 3, 3, 3, 3, 1, 1, true)]     // 3 output columns, 5 channels: partial vector and channel blocks
    [InlineData(1, 3, 12, 13, 4, 2, 2, 1, false)]  // 13 output columns: one 8-wide block and a ragged one
    public void DirectSingleChannelConvolutionMatchesIm2Col(int n, int o, int h, int w, int kh, int kw, int pad, int dil, bool withBias)
    {
        // Where no direct path applies (AVX2 without AVX-512) both runs would take im2col and compare it with itself.
        if (!Pitts.Kernels.ConvKernels.DirectApplies(new Pitts.Kernels.Conv2dGeometry(1, h, w, kh, kw, 1, 1, pad, pad, dil, dil))) return;
        var g = new Generator((ulong)(n * 7 + o * 11 + h * 13 + w * 17 + kh + kw + pad + dil));
        var x = Tensor.Randn([n, 1, h, w], g);
        var wt = Tensor.Randn([o, 1, kh, kw], g);
        var b = withBias ? Tensor.Randn([o], g) : null;
        var up = Tensor.Randn(Tensor.Conv2d(x, wt, b, 1, pad, dil).Shape.ToArray(), g);
        (float[] Y, float[] Gx, float[] Gw, float[]? Gb) Run(bool direct)
        {
            bool saved = Pitts.Kernels.ConvKernels.NoDirectConvolution;
            Pitts.Kernels.ConvKernels.NoDirectConvolution = !direct;
            try
            {
                var (xi, wi, bi) = (x.Detach().RequireGrad(), wt.Detach().RequireGrad(), b?.Detach().RequireGrad());
                var y = Tensor.Conv2d(xi, wi, bi, 1, pad, dil);
                y.Mul(up).Sum().Backward();
                return (y.ToArray(), xi.Grad!.ToArray(), wi.Grad!.ToArray(), bi?.Grad!.ToArray());
            }
            finally { Pitts.Kernels.ConvKernels.NoDirectConvolution = saved; }
        }
        var d = Run(true);
        var r = Run(false);
        static void Close(float[] a, float[] e, string what)
        {
            Assert.Equal(e.Length, a.Length);
            for (int i = 0; i < e.Length; i++)
                Assert.True(Math.Abs(a[i] - e[i]) <= 1e-4f * (1 + Math.Abs(e[i])), $"{what}[{i}] = {a[i]}, im2col gives {e[i]}");
        }
        Close(d.Y, r.Y, "y");
        Close(d.Gx, r.Gx, "dx");
        Close(d.Gw, r.Gw, "dW");
        if (withBias) Close(d.Gb!, r.Gb!, "db");
    }

    [Theory]
    [InlineData(16, 14, 14, 5, 5, 1, 2, 1)]   // the Fashion CNN's second layer (14-wide rows)
    [InlineData(2, 9, 40, 3, 7, 1, 1, 1)]     // rows wider than two vectors
    [InlineData(3, 7, 17, 2, 3, 1, 0, 2)]     // dilation
    [InlineData(2, 11, 13, 3, 3, 2, 1, 1)]    // stride 2 (the scalar loop)
    public void Col2ImAddsEveryColumnEntryBackInOrder(int c, int h, int w, int kh, int kw, int stride, int pad, int dil)
    {
        // The adjoint of im2col written as the plain loop over (c, ky, kx, oy, ox): the kernel must add the same
        // numbers into each pixel in the same order, so the results agree to the bit (masked AVX-512 rows or not).
        var geo = new Pitts.Kernels.Conv2dGeometry(c, h, w, kh, kw, stride, stride, pad, pad, dil, dil);
        int l = geo.OH * geo.OW, rows = c * kh * kw, ld = l + 3, col0 = 2;
        var cols = Tensor.Randn([rows * ld], new Generator((ulong)(c + h * 3 + w * 5 + kw))).ToArray();
        var expected = new float[c * h * w];
        for (int ch = 0; ch < c; ch++)
            for (int ky = 0; ky < kh; ky++)
                for (int kx = 0; kx < kw; kx++)
                    for (int oy = 0; oy < geo.OH; oy++)
                        for (int ox = 0; ox < geo.OW; ox++)
                        {
                            int iy = oy * stride - pad + ky * dil, ix = ox * stride - pad + kx * dil;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                                expected[(ch * h + iy) * w + ix] += cols[((ch * kh + ky) * kw + kx) * ld + col0 + oy * geo.OW + ox];
                        }
        var dx = new float[c * h * w];
        Pitts.Kernels.ConvKernels.Col2Im(cols, ld, col0, geo, dx);
        Assert.Equal(expected, dx);
    }

    [Theory]
    [InlineData(28, 28, 5, 5, 2, 1)]   // the Fashion CNN's first layer
    [InlineData(9, 40, 3, 7, 1, 1)]    // seven taps a row: a block of five and one of two
    [InlineData(7, 17, 2, 3, 0, 2)]    // dilation, no padding
    [InlineData(4, 33, 1, 11, 4, 3)]   // eleven taps: 5 + 5 + 1
    [InlineData(5, 3, 3, 2, 2, 1)]     // outputs narrower than one 128-bit vector
    public void TheRegisterBlockedWeightGradientAddsLikeTheOneChannelLoop(int h, int w, int kh, int kw, int pad, int dil)
    {
        // Channels 0-7 through the four-channel (AVX-512) or two-channel (128-bit) blocks, then each channel alone
        // through the one-channel loop: the same sums in the same order, so the same bits.
        const int o = 8;
        var geo = new Pitts.Kernels.Conv2dGeometry(1, h, w, kh, kw, 1, 1, pad, pad, dil, dil);
        if (!Pitts.Kernels.ConvKernels.DirectApplies(geo)) return; // the direct kernels need AVX-512 or 128-bit only
        var g = new Generator((ulong)(h * 31 + w * 7 + kh + kw));
        float[] x = Tensor.Randn([h * w], g).ToArray(), dy = Tensor.Randn([o * geo.OH * geo.OW], g).ToArray();
        float[] blocked = new float[o * kh * kw], single = new float[o * kh * kw];
        Pitts.Kernels.ConvKernels.DirectWeightGradient(x, geo, dy, o, 0, o, blocked);
        for (int c = 0; c < o; c++) Pitts.Kernels.ConvKernels.DirectWeightGradient(x, geo, dy, o, c, c + 1, single);
        Assert.Equal(single, blocked);
        // And both are the dot products they stand for (double-precision reference).
        for (int c = 0; c < o; c++)
            for (int ky = 0; ky < kh; ky++)
                for (int kx = 0; kx < kw; kx++)
                {
                    double sum = 0;
                    for (int oy = 0; oy < geo.OH; oy++)
                        for (int ox = 0; ox < geo.OW; ox++)
                        {
                            int iy = oy - pad + ky * dil, ix = ox - pad + kx * dil;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) sum += (double)dy[(c * geo.OH + oy) * geo.OW + ox] * x[iy * w + ix];
                        }
                    float got = blocked[(c * kh + ky) * kw + kx];
                    Assert.True(Math.Abs(got - sum) <= 1e-4 * (1 + Math.Abs(sum)), $"dW[{c},{ky},{kx}] = {got}, expected {sum}");
                }
    }

    [Fact]
    public void DirectConvolutionGivesTheSameBitsOnOneThreadOrTwo()
    {
        var g = new Generator(31);
        var x = Tensor.Randn([12, 1, 28, 28], g);
        var w = Tensor.Randn([16, 1, 5, 5], g);
        float[][] Run(int threads)
        {
            int saved = Pitts.Kernels.Gemm.MaxThreads;
            Pitts.Kernels.Gemm.MaxThreads = threads;
            try
            {
                var wi = w.Detach().RequireGrad();
                var y = Tensor.Conv2d(x, wi, null, 1, 2);
                y.Square().Sum().Backward();
                return [y.ToArray(), wi.Grad!.ToArray()];
            }
            finally { Pitts.Kernels.Gemm.MaxThreads = saved; }
        }
        var (one, two) = (Run(1), Run(2));
        Assert.Equal(one[0], two[0]);
        Assert.Equal(one[1], two[1]);
    }
}
