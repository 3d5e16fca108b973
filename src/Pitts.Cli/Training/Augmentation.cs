namespace Pitts.Cli.Training;

/// <summary>Random augmentations of a training batch, drawn from the run's generator so a resumed run repeats them.</summary>
public static class Augmentation
{
    /// <summary>
    /// Applies each named augmentation to a copy of <paramref name="batch"/>: <c>shift</c> moves each image by up to
    /// 2 pixels in x and y (zero fill), <c>flip</c> mirrors half of the images left to right, <c>noise</c> adds N(0, 0.1²).
    /// Shift and flip apply to images (B, C, H, W) only.
    /// </summary>
    public static Tensor Apply(Tensor batch, IReadOnlyList<string> names, Generator g, bool images)
    {
        var x = batch.Clone();
        var s = x.AsSpan();
        int b = x.Size(0), per = x.Numel / Math.Max(1, b);
        foreach (var name in names)
        {
            if (name == "noise")
            {
                var e = new float[s.Length];
                g.FillNormal(e, 0, 0.1f);
                for (int i = 0; i < s.Length; i++) s[i] += e[i];
                continue;
            }
            if (!images) continue;
            int c = x.Size(1), h = x.Size(2), w = x.Size(3);
            var tmp = new float[h * w];
            for (int i = 0; i < b; i++)
            {
                int dy = 0, dx = 0;
                bool flip = false;
                if (name == "shift") { dy = (int)g.NextInt64(-2, 3); dx = (int)g.NextInt64(-2, 3); }
                else flip = g.NextFloat() < 0.5f;
                for (int ch = 0; ch < c; ch++)
                {
                    var plane = s.Slice(i * per + ch * h * w, h * w);
                    plane.CopyTo(tmp);
                    for (int r = 0; r < h; r++)
                        for (int q = 0; q < w; q++)
                        {
                            int sr = r - dy, sq = flip ? w - 1 - q : q - dx;
                            plane[r * w + q] = sr >= 0 && sr < h && sq >= 0 && sq < w ? tmp[sr * w + sq] : 0f;
                        }
                }
            }
        }
        return x;
    }
}
