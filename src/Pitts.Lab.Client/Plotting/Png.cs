using System.IO.Compression;

namespace Pitts.Lab.Services;

/// <summary>A minimal PNG writer (8-bit RGB) for heat maps drawn as data URIs: no image library needed, works offline.</summary>
public static class Png
{
    /// <summary>Encodes width x height RGB pixels (row-major, 3 bytes each) as PNG bytes.</summary>
    public static byte[] Encode(int width, int height, ReadOnlySpan<byte> rgb)
    {
        if (rgb.Length != width * height * 3) throw new ArgumentException("rgb length must be width*height*3");
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Span<byte> ihdr = stackalloc byte[13];
        WriteBE(ihdr, (uint)width);
        WriteBE(ihdr[4..], (uint)height);
        ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
        Chunk(ms, "IHDR", ihdr);
        using (var raw = new MemoryStream())
        {
            using (var z = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
            {
                for (int y = 0; y < height; y++)
                {
                    z.WriteByte(0); // filter: none
                    z.Write(rgb.Slice(y * width * 3, width * 3));
                }
            }
            Chunk(ms, "IDAT", raw.ToArray());
        }
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    /// <summary>A data: URI for <see cref="Encode"/>'s output.</summary>
    public static string DataUri(int width, int height, ReadOnlySpan<byte> rgb) =>
        "data:image/png;base64," + Convert.ToBase64String(Encode(width, height, rgb));

    private static void Chunk(Stream s, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> len = stackalloc byte[4];
        WriteBE(len, (uint)data.Length);
        s.Write(len);
        Span<byte> head = stackalloc byte[4];
        for (int i = 0; i < 4; i++) head[i] = (byte)type[i];
        s.Write(head);
        s.Write(data);
        uint crc = Crc(Crc(0xFFFFFFFFu, head), data) ^ 0xFFFFFFFFu;
        WriteBE(len, crc);
        s.Write(len);
    }

    private static readonly uint[] Table = MakeTable();

    private static uint[] MakeTable()
    {
        var t = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }

    private static uint Crc(uint c, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        return c;
    }

    private static void WriteBE(Span<byte> d, uint v)
    {
        d[0] = (byte)(v >> 24); d[1] = (byte)(v >> 16); d[2] = (byte)(v >> 8); d[3] = (byte)v;
    }
}

/// <summary>Colour maps for heat maps (dark = low, as in the lecture's loss landscape).</summary>
public static class ColorMap
{
    // Viridis anchors (matplotlib), dark purple (low) to yellow (high).
    private static readonly (double r, double g, double b)[] Viridis =
    [
        (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
        (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37),
    ];

    /// <summary>Viridis colour of t in [0, 1].</summary>
    public static (byte R, byte G, byte B) ViridisAt(double t)
    {
        if (double.IsNaN(t)) return (255, 0, 255);
        t = Math.Clamp(t, 0, 1) * (Viridis.Length - 1);
        int i = Math.Min((int)t, Viridis.Length - 2);
        double f = t - i;
        var (a, b) = (Viridis[i], Viridis[i + 1]);
        return ((byte)(a.r + (b.r - a.r) * f), (byte)(a.g + (b.g - a.g) * f), (byte)(a.b + (b.b - a.b) * f));
    }

    /// <summary>Diverging orange (negative) to white to blue (positive) for t in [-1, 1], as TensorFlow Playground.</summary>
    public static (byte R, byte G, byte B) Diverging(double t)
    {
        if (double.IsNaN(t)) return (200, 200, 200);
        t = Math.Clamp(t, -1, 1);
        (double r, double g, double b) lo = (245, 147, 34), mid = (232, 234, 235), hi = (8, 119, 189);
        var (a, c, f) = t < 0 ? (mid, lo, -t) : (mid, hi, t);
        return ((byte)(a.r + (c.r - a.r) * f), (byte)(a.g + (c.g - a.g) * f), (byte)(a.b + (c.b - a.b) * f));
    }

    /// <summary>A PNG data URI of a grid of values (row 0 at the top) mapped through viridis from lo to hi (log: compressed highs).</summary>
    public static string HeatMap(double[,] values, double lo, double hi, bool log = false)
    {
        int h = values.GetLength(0), w = values.GetLength(1);
        var rgb = new byte[w * h * 3];
        double range = hi > lo ? hi - lo : 1;
        double T(double v) => log ? Math.Log(1 + 100 * Math.Max(v - lo, 0) / range) / Math.Log(101) : (v - lo) / range;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var (r, g, bl) = ViridisAt(T(values[y, x]));
                int o = (y * w + x) * 3;
                rgb[o] = r; rgb[o + 1] = g; rgb[o + 2] = bl;
            }
        return Png.DataUri(w, h, rgb);
    }
}
