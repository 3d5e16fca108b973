namespace Pitts.Data;

/// <summary>
/// Seeded augmentations of image batches shaped (N, C, H, W) or (N, H, W): random shifts and crops, horizontal flips,
/// small rotations with bilinear interpolation, and additive Gaussian noise (for denoising autoencoders). Each returns a
/// new tensor of data (no gradient is recorded) and draws one set of random parameters per image from the generator.
/// </summary>
/// <example>
/// <code>
/// var g = new Generator(0);
/// var loader = new DataLoader(train, 64, shuffle: true, generator: g,
///     transform: b => b with { Inputs = Augment.RandomShift(b.Inputs, 2, g) });
/// </code>
/// </example>
public static class Augment
{
    private static (int N, int C, int H, int W) Dims(Tensor x, string op)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Rank switch
        {
            3 => (x.Shape[0], 1, x.Shape[1], x.Shape[2]),
            4 => (x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]),
            _ => throw new ShapeException($"Augment.{op}: expected images (N, C, H, W) or (N, H, W), got {Fmt.Shape(x._shape)}"),
        };
    }

    /// <summary>Moves every image right by <paramref name="dx"/> and down by <paramref name="dy"/> pixels, filling with <paramref name="fill"/>.</summary>
    public static Tensor Shift(Tensor images, int dx, int dy, float fill = 0f)
    {
        var (n, _, _, _) = Dims(images, "Shift");
        var dxs = Enumerable.Repeat(dx, n).ToArray();
        var dys = Enumerable.Repeat(dy, n).ToArray();
        return ShiftEach(images, dxs, dys, fill);
    }

    /// <summary>
    /// Shifts each image by its own random offsets dx, dy drawn uniformly from [-maxShift, maxShift], filling with
    /// <paramref name="fill"/>: the same as zero-padding by maxShift and cropping back to H x W at a random place.
    /// </summary>
    public static Tensor RandomShift(Tensor images, int maxShift, Generator? generator = null, float fill = 0f)
    {
        var (n, _, _, _) = Dims(images, "RandomShift");
        if (maxShift < 0) throw new DatasetException($"Augment.RandomShift: maxShift must be non-negative, got {maxShift}");
        var g = generator ?? Generator.Default;
        var dxs = new int[n];
        var dys = new int[n];
        for (int i = 0; i < n; i++)
        {
            dxs[i] = (int)g.NextInt64(-maxShift, maxShift + 1);
            dys[i] = (int)g.NextInt64(-maxShift, maxShift + 1);
        }
        return ShiftEach(images, dxs, dys, fill);
    }

    private static Tensor ShiftEach(Tensor images, int[] dxs, int[] dys, float fill)
    {
        var (n, c, h, w) = Dims(images, "Shift");
        var src = images.AsSpan();
        var dst = new float[src.Length];
        dst.AsSpan().Fill(fill);
        for (int i = 0; i < n; i++)
        {
            int dx = dxs[i], dy = dys[i];
            int x0 = Math.Max(0, dx), x1 = Math.Min(w, w + dx);
            if (x1 <= x0) continue;
            for (int ch = 0; ch < c; ch++)
            {
                int plane = (i * c + ch) * h * w;
                for (int r = Math.Max(0, dy); r < Math.Min(h, h + dy); r++)
                    src.Slice(plane + (r - dy) * w + (x0 - dx), x1 - x0).CopyTo(dst.AsSpan(plane + r * w + x0, x1 - x0));
            }
        }
        return Tensor.FromArray(dst, images._shape);
    }

    /// <summary>
    /// torchvision's RandomCrop(size, padding): pads each image by <paramref name="padding"/> pixels of <paramref name="fill"/>
    /// on every side and cuts a size x size window at a uniformly random position. Returns (N, C, size, size) or (N, size, size).
    /// </summary>
    public static Tensor RandomCrop(Tensor images, int size, int padding = 0, Generator? generator = null, float fill = 0f)
    {
        var (n, c, h, w) = Dims(images, "RandomCrop");
        int ph = h + 2 * padding, pw = w + 2 * padding;
        if (size < 1 || padding < 0 || size > ph || size > pw)
            throw new DatasetException($"Augment.RandomCrop: a {size}x{size} crop does not fit {h}x{w} images padded by {padding}");
        var g = generator ?? Generator.Default;
        var src = images.AsSpan();
        var dst = new float[n * c * size * size];
        for (int i = 0; i < n; i++)
        {
            int top = (int)g.NextInt64(0, ph - size + 1) - padding;
            int left = (int)g.NextInt64(0, pw - size + 1) - padding;
            for (int ch = 0; ch < c; ch++)
            {
                int sp = (i * c + ch) * h * w, dp = (i * c + ch) * size * size;
                for (int r = 0; r < size; r++)
                    for (int col = 0; col < size; col++)
                    {
                        int sr = top + r, sc = left + col;
                        dst[dp + r * size + col] = sr >= 0 && sr < h && sc >= 0 && sc < w ? src[sp + sr * w + sc] : fill;
                    }
            }
        }
        int[] shape = images.Rank == 4 ? [n, c, size, size] : [n, size, size];
        return Tensor.FromArray(dst, shape);
    }

    /// <summary>Mirrors every image left to right.</summary>
    public static Tensor FlipHorizontal(Tensor images) => FlipEach(images, _ => true);

    /// <summary>Mirrors each image left to right with probability <paramref name="p"/>.</summary>
    public static Tensor RandomHorizontalFlip(Tensor images, double p = 0.5, Generator? generator = null)
    {
        if (!(p >= 0 && p <= 1)) throw new DatasetException($"Augment.RandomHorizontalFlip: p = {p} is not a probability");
        var g = generator ?? Generator.Default;
        return FlipEach(images, _ => g.NextDouble() < p);
    }

    private static Tensor FlipEach(Tensor images, Func<int, bool> flip)
    {
        var (n, c, h, w) = Dims(images, "Flip");
        var src = images.AsSpan();
        var dst = src.ToArray();
        for (int i = 0; i < n; i++)
        {
            if (!flip(i)) continue;
            for (int row = 0; row < c * h; row++)
            {
                int o = (i * c * h + row) * w;
                dst.AsSpan(o, w).Reverse();
            }
        }
        return Tensor.FromArray(dst, images._shape);
    }

    /// <summary>
    /// Rotates every image counter-clockwise by <paramref name="degrees"/> about its centre ((W-1)/2, (H-1)/2), sampling
    /// the source with bilinear interpolation; pixels whose source falls outside the image get <paramref name="fill"/>.
    /// </summary>
    public static Tensor Rotate(Tensor images, double degrees, float fill = 0f)
    {
        var (n, _, _, _) = Dims(images, "Rotate");
        return RotateEach(images, Enumerable.Repeat(degrees, n).ToArray(), fill);
    }

    /// <summary>Rotates each image by its own angle drawn uniformly from [-maxDegrees, maxDegrees] (see <see cref="Rotate"/>).</summary>
    public static Tensor RandomRotation(Tensor images, double maxDegrees, Generator? generator = null, float fill = 0f)
    {
        var (n, _, _, _) = Dims(images, "RandomRotation");
        if (!(maxDegrees >= 0 && maxDegrees <= 180)) throw new DatasetException($"Augment.RandomRotation: maxDegrees must be in [0, 180], got {maxDegrees}");
        var g = generator ?? Generator.Default;
        var angles = new double[n];
        for (int i = 0; i < n; i++) angles[i] = (2 * g.NextDouble() - 1) * maxDegrees;
        return RotateEach(images, angles, fill);
    }

    private static Tensor RotateEach(Tensor images, double[] degrees, float fill)
    {
        var (n, c, h, w) = Dims(images, "Rotate");
        var src = images.AsSpan();
        var dst = new float[src.Length];
        double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
        for (int i = 0; i < n; i++)
        {
            double a = degrees[i] * Math.PI / 180;
            double cos = Math.Cos(a), sin = Math.Sin(a);
            // Snap the exact quarter turns so they move pixels without interpolation blur.
            if (Math.Abs(cos) < 1e-12) cos = 0;
            if (Math.Abs(sin) < 1e-12) sin = 0;
            for (int r = 0; r < h; r++)
            {
                for (int col = 0; col < w; col++)
                {
                    // Output pixel in "y up" coordinates, rotated back by -a to find where it came from.
                    double X = col - cx, Y = cy - r;
                    double sx = cx + (X * cos + Y * sin);
                    double sy = cy - (-X * sin + Y * cos);
                    int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
                    double fx = sx - x0, fy = sy - y0;
                    for (int ch = 0; ch < c; ch++)
                    {
                        int plane = (i * c + ch) * h * w;
                        double v = (1 - fy) * ((1 - fx) * Px(src, plane, y0, x0, h, w, fill) + fx * Px(src, plane, y0, x0 + 1, h, w, fill))
                                 + fy * ((1 - fx) * Px(src, plane, y0 + 1, x0, h, w, fill) + fx * Px(src, plane, y0 + 1, x0 + 1, h, w, fill));
                        dst[plane + r * w + col] = (float)v;
                    }
                }
            }
        }
        return Tensor.FromArray(dst, images._shape);
    }

    private static float Px(ReadOnlySpan<float> src, int plane, int y, int x, int h, int w, float fill) =>
        y >= 0 && y < h && x >= 0 && x < w ? src[plane + y * w + x] : fill;

    /// <summary>
    /// x + N(0, std²) elementwise, the corruption of a denoising autoencoder; when <paramref name="clampMin"/> and
    /// <paramref name="clampMax"/> are given the result is clipped to that range (e.g. 0 and 1 for pixels).
    /// </summary>
    public static Tensor GaussianNoise(Tensor x, double std, Generator? generator = null, float? clampMin = null, float? clampMax = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!(std >= 0)) throw new DatasetException($"Augment.GaussianNoise: std must be non-negative, got {std}");
        var noise = new float[x.Numel];
        (generator ?? Generator.Default).FillNormal(noise, 0f, (float)std);
        var src = x.AsSpan();
        for (int i = 0; i < noise.Length; i++)
        {
            float v = src[i] + noise[i];
            if (clampMin is float lo && v < lo) v = lo;
            if (clampMax is float hi && v > hi) v = hi;
            noise[i] = v;
        }
        return Tensor.FromArray(noise, x._shape);
    }
}
