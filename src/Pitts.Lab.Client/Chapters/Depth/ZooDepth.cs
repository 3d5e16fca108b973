using Pitts.Models;

namespace Pitts.Lab.Zoo;

/// <summary>One unit (channel) of a layer with what excites it most among held-out digits.</summary>
/// <param name="Index">Channel or class index.</param>
/// <param name="Mean">The mean of the top patches (row-major, Size×Size).</param>
/// <param name="Examples">A few of the top patches.</param>
/// <param name="Size">Patch side: the unit's receptive field.</param>
public sealed record UnitView(int Index, float[] Mean, float[][] Examples, int Size);

/// <summary>
/// What the trained CNN's units respond to: for every channel of conv1 (receptive field 5×5), conv2 (14×14) and every
/// output class (the whole 28×28 digit), the held-out input patches that give the largest activation, one per image.
/// </summary>
public sealed class DepthAnalysis
{
    /// <summary>Held-out digits scanned.</summary>
    public const int Images = 400;

    /// <summary>Top patches averaged per unit.</summary>
    public const int Top = 16;

    /// <summary>First-layer units.</summary>
    public IReadOnlyList<UnitView> Layer1 { get; }

    /// <summary>Second-layer units.</summary>
    public IReadOnlyList<UnitView> Layer2 { get; }

    /// <summary>Output units (one per digit).</summary>
    public IReadOnlyList<UnitView> Output { get; }

    /// <summary>Runs the analysis for <paramref name="net"/> on the first <see cref="Images"/> held-out digits.</summary>
    public DepthAnalysis(DigitCnn net)
    {
        using var _ = Autograd.NoGrad();
        net.Eval();
        var data = MnistArrays.Get();
        var x = data.TestImages.Narrow(0, 0, Images);
        var px = x.ToArray();
        var f = net.Features(x.Reshape(Images, 1, 28, 28));
        Layer1 = Units(f.Conv1.ToArray(), DigitCnn.C1, 24, 5, 1, px);
        Layer2 = Units(f.Conv2.ToArray(), DigitCnn.C2, 8, 14, 2, px);
        var logits = f.Logits.ToArray();
        Output = Units(logits, 10, 1, 28, 0, px);
    }

    private static List<UnitView> Units(float[] act, int channels, int side, int field, int stride, float[] pixels)
    {
        var units = new List<UnitView>();
        for (int c = 0; c < channels; c++)
        {
            // Best position per image, then the images with the strongest best position.
            var best = new List<(float A, int Img, int Y, int X)>();
            for (int n = 0; n < Images; n++)
            {
                int off = (n * channels + c) * side * side;
                int arg = 0;
                for (int i = 1; i < side * side; i++) if (act[off + i] > act[off + arg]) arg = i;
                best.Add((act[off + arg], n, arg / side, arg % side));
            }
            var top = best.OrderByDescending(b => b.A).Take(Top).ToList();
            var mean = new float[field * field];
            var examples = new List<float[]>();
            foreach (var (_, img, y, xx) in top)
            {
                var patch = new float[field * field];
                for (int r = 0; r < field; r++)
                    for (int q = 0; q < field; q++)
                    {
                        int Y = y * stride + r, X = xx * stride + q;
                        patch[r * field + q] = Y < 28 && X < 28 ? pixels[img * 784 + Y * 28 + X] : 0;
                    }
                for (int i = 0; i < patch.Length; i++) mean[i] += patch[i] / top.Count;
                if (examples.Count < 4) examples.Add(patch);
            }
            units.Add(new UnitView(c, mean, [.. examples], field));
        }
        return units;
    }

    private static readonly Lazy<DepthAnalysis?> ShippedLazy = new(() =>
    {
        var net = new DigitCnn(new Generator(1));
        return ZooWeights.TryLoadInto("cnn", net) ? new DepthAnalysis(net) : null;
    });

    /// <summary>The analysis of the shipped CNN (computed once), or null without shipped weights.</summary>
    public static DepthAnalysis? Shipped => ShippedLazy.Value;
}
