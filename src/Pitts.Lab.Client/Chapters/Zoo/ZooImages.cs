using Pitts.Lab.Services;

namespace Pitts.Lab.Zoo;

/// <summary>Small images for the zoo pages, as PNG data URIs (the lab's own <see cref="Png"/> encoder).</summary>
public static class ZooImages
{
    /// <summary>A grey-scale image of values in [lo, hi] (row-major, w×h): dark = lo, white = hi (MNIST: white ink on black).</summary>
    public static string Gray(ReadOnlySpan<float> values, int w, int h, float lo = 0f, float hi = 1f)
    {
        var rgb = new byte[w * h * 3];
        float range = hi > lo ? hi - lo : 1f;
        for (int i = 0; i < w * h; i++)
        {
            float v = values[i];
            byte b = float.IsFinite(v) ? (byte)Math.Clamp((v - lo) / range * 255f, 0f, 255f) : (byte)0;
            rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = b;
        }
        return Png.DataUri(w, h, rgb);
    }

    /// <summary>A grey-scale image scaled to its own range (for feature maps).</summary>
    public static string GrayAuto(ReadOnlySpan<float> values, int w, int h)
    {
        float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
        foreach (float v in values[..(w * h)]) { if (!float.IsFinite(v)) continue; lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        if (!float.IsFinite(lo)) (lo, hi) = (0, 1);
        return Gray(values, w, h, lo, hi > lo ? hi : lo + 1);
    }

    /// <summary>Signed values on the lab's diverging map (orange negative, blue positive), scaled by the largest magnitude.</summary>
    public static string Diverging(ReadOnlySpan<float> values, int w, int h)
    {
        float max = 1e-12f;
        foreach (float v in values[..(w * h)]) if (float.IsFinite(v)) max = Math.Max(max, Math.Abs(v));
        var rgb = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++)
        {
            var (r, g, b) = ColorMap.Diverging(values[i] / max);
            rgb[3 * i] = r; rgb[3 * i + 1] = g; rgb[3 * i + 2] = b;
        }
        return Png.DataUri(w, h, rgb);
    }

    /// <summary>The ten digit colours (Tableau 10), for scatter plots and legends.</summary>
    public static readonly string[] DigitColors =
        ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#7f7f7f"];

    /// <summary>A scatter of labelled 2-D points drawn as dots on a white PNG covering [x0, x1]×[y0, y1].</summary>
    public static string Scatter(IReadOnlyList<(double X, double Y, int Label)> points, double x0, double x1, double y0, double y1, int size = 360)
    {
        var rgb = new byte[size * size * 3];
        Array.Fill(rgb, (byte)255);
        foreach (var (x, y, label) in points)
        {
            int cx = (int)((x - x0) / (x1 - x0) * size), cy = (int)((1 - (y - y0) / (y1 - y0)) * size);
            string c = DigitColors[label % 10];
            byte r = Convert.ToByte(c.Substring(1, 2), 16), g = Convert.ToByte(c.Substring(3, 2), 16), b = Convert.ToByte(c.Substring(5, 2), 16);
            for (int dy = -2; dy <= 2; dy++)
                for (int dx = -2; dx <= 2; dx++)
                {
                    if (dx * dx + dy * dy > 5) continue;
                    int px = cx + dx, py = cy + dy;
                    if (px < 0 || py < 0 || px >= size || py >= size) continue;
                    int o = (py * size + px) * 3;
                    rgb[o] = r; rgb[o + 1] = g; rgb[o + 2] = b;
                }
        }
        return Png.DataUri(size, size, rgb);
    }
}
