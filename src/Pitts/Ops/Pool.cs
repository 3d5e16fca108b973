using Pitts.Kernels;

namespace Pitts;

// 2-D max and average pooling over the last two dimensions of (N, C, H, W) or (C, H, W).
public sealed partial class Tensor
{
    /// <summary>
    /// Max pooling: y[…, oy, ox] = max of x over the window at (oy·s − p, ox·s − p) of size k (dilation d), padding as −∞;
    /// stride defaults to the kernel size, as PyTorch's max_pool2d. The gradient goes to the first maximum of each window.
    /// </summary>
    public Tensor MaxPool2d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1)
        => MaxPool2d((kernelSize, kernelSize), stride is { } s ? (s, s) : null, (padding, padding), (dilation, dilation));

    /// <summary>Max pooling with separate (height, width) kernel, stride, padding and dilation; see the square overload.</summary>
    public Tensor MaxPool2d((int H, int W) kernelSize, (int H, int W)? stride, (int H, int W) padding, (int H, int W) dilation)
    {
        var g = PoolGeometry("MaxPool2d", kernelSize, stride, padding, dilation, out int planes, out int[] outShape);
        var y = new Tensor(outShape);
        int ohw = g.OH * g.OW, hw = g.H * g.W;
        var argmax = new int[planes * ohw];
        var x = this;
        if (y.Numel > 0)
            OverPlanes(planes, hw, (p0, np) => ConvKernels.MaxPoolForward(x.Data.Slice(p0 * hw, np * hw), np, g,
                y.Storage.AsSpan(p0 * ohw, np * ohw), argmax.AsSpan(p0 * ohw, np * ohw)));
        Graph.Record(y, "MaxPool2d", x, gy =>
        {
            var gx = new Tensor((int[])x._shape.Clone());
            OverPlanes(planes, hw, (p0, np) =>
            {
                var dx = gx.AsSpan().Slice(p0 * hw, np * hw);
                dx.Clear();
                ConvKernels.MaxPoolBackward(gy.Data.Slice(p0 * ohw, np * ohw), argmax.AsSpan(p0 * ohw, np * ohw), np, hw, ohw, dx);
            });
            return gx;
        });
        return y;
    }

    /// <summary>
    /// Average pooling: y[…, oy, ox] = (sum of x over the window) / divisor, where the divisor counts the padding when
    /// <paramref name="countIncludePad"/> (PyTorch's default) and only the in-image part otherwise; stride defaults to the kernel size.
    /// </summary>
    public Tensor AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool countIncludePad = true)
        => AvgPool2d((kernelSize, kernelSize), stride is { } s ? (s, s) : null, (padding, padding), countIncludePad);

    /// <summary>Average pooling with separate (height, width) kernel, stride and padding; see the square overload.</summary>
    public Tensor AvgPool2d((int H, int W) kernelSize, (int H, int W)? stride, (int H, int W) padding, bool countIncludePad = true)
    {
        var g = PoolGeometry("AvgPool2d", kernelSize, stride, padding, (1, 1), out int planes, out int[] outShape);
        var y = new Tensor(outShape);
        int ohw = g.OH * g.OW, hw = g.H * g.W;
        var x = this;
        if (y.Numel > 0)
            OverPlanes(planes, hw, (p0, np) => ConvKernels.AvgPoolForward(x.Data.Slice(p0 * hw, np * hw), np, g, countIncludePad,
                y.Storage.AsSpan(p0 * ohw, np * ohw)));
        Graph.Record(y, "AvgPool2d", x, gy =>
        {
            var gx = new Tensor((int[])x._shape.Clone());
            OverPlanes(planes, hw, (p0, np) =>
            {
                var dx = gx.AsSpan().Slice(p0 * hw, np * hw);
                dx.Clear();
                ConvKernels.AvgPoolBackward(gy.Data.Slice(p0 * ohw, np * ohw), np, g, countIncludePad, dx);
            });
            return gx;
        });
        return y;
    }

    /// <summary>
    /// Runs <paramref name="body"/>(first plane, plane count) over groups of whole planes on the worker threads (one
    /// per core); planes are independent, so the split does not change any value.
    /// </summary>
    private static void OverPlanes(int planes, int hw, Action<int, int> body)
    {
        int tasks = Math.Clamp((int)((long)planes * hw / (32 * 1024)), 1, 16); // at least ~32K floats a task
        if (tasks == 1) { body(0, planes); return; }
        WorkerPool.For(tasks, t =>
        {
            int p0 = (int)((long)planes * t / tasks), p1 = (int)((long)planes * (t + 1) / tasks);
            if (p1 > p0) body(p0, p1 - p0);
        });
    }

    private Conv2dGeometry PoolGeometry(string op, (int H, int W) k, (int H, int W)? stride, (int H, int W) pad, (int H, int W) dil,
        out int planes, out int[] outShape)
    {
        if (Rank != 3 && Rank != 4)
            throw new ShapeException($"{op}: input must be (N, C, H, W) or (C, H, W), got {Fmt.Shape(_shape)}");
        var s = stride ?? k;
        if (k.H < 1 || k.W < 1 || s.H < 1 || s.W < 1 || dil.H < 1 || dil.W < 1)
            throw new PittsException($"{op}: kernel size, stride and dilation must be at least 1, got kernel {k}, stride {s}, dilation {dil}");
        if (pad.H < 0 || pad.W < 0 || pad.H > k.H / 2 || pad.W > k.W / 2)
            throw new PittsException($"{op}: padding {pad} must be between 0 and half the kernel size {k}");
        int h = _shape[^2], w = _shape[^1];
        var g = new Conv2dGeometry(1, h, w, k.H, k.W, s.H, s.W, pad.H, pad.W, dil.H, dil.W);
        if (h + 2 * pad.H - dil.H * (k.H - 1) - 1 < 0 || w + 2 * pad.W - dil.W * (k.W - 1) - 1 < 0)
            throw new ShapeException($"{op}: input {Fmt.Shape(_shape)} with padding {pad} is smaller than the window {k.H}x{k.W}");
        planes = h * w == 0 ? 0 : Numel / (h * w);
        if (h * w == 0) planes = ShapeUtil.Numel(_shape[..^2]);
        outShape = [.. _shape[..^2], g.OH, g.OW];
        return g;
    }
}
