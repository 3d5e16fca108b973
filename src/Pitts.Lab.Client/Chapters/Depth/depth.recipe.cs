#:project ../../../Pitts/Pitts.csproj
#:project ../../../Pitts.Lab.Models/Pitts.Lab.Models.csproj
// Why depth: the trained digit CNN (the convolution page's network, the lab's shipped weights) on held-out MNIST digits.
// One digit through the layers (its feature maps after each convolution and ReLU, and the class it reads), then what
// excites each unit most: for every conv1 filter (receptive field 5×5), conv2 channel (14×14) and output class (28×28),
// the input patches of the held-out digits with the strongest response, one per digit. The lab's page runs this file;
// on its own, from the repository's root:
//   dotnet run -c Release src/Pitts.Lab.Client/Chapters/Depth/depth.recipe.cs
using Pitts;
using Pitts.Data;
using Pitts.IO;
using Pitts.Models;

#if !PITTS_LAB // the lab compiles the classes below into itself and scans the held-out digits a block at a time
var settings = new DepthSettings(Digit: 0);
var net = new DigitCnn();
// The shipped weights (scripts/lab-models trained them: 1,500 steps of 64 digits), from the assembly the lab downloads.
using (var file = System.Reflection.Assembly.Load("Pitts.Lab.Models").GetManifestResourceStream("Pitts.Lab.Models.cnn.safetensors")!)
    net.LoadStateDict(Safetensors.Load(file).Tensors);
var test = Datasets.Mnist().Test;                                      // 2,004 held-out digits, (N, 1, 28, 28)
var layers = DepthRecipe.Layers(net, test.Inputs.Narrow(0, settings.Digit, 1));
Console.WriteLine($"test digit #{settings.Digit}: label {test.Targets.ToArray()[settings.Digit]}, the CNN reads {layers.Predicted}; "
    + string.Join(", ", layers.Maps.Select((m, i) => $"layer {i + 1} maps ({string.Join(", ", m.Shape)}) up to {m.Max().Item():0.0000}")));
var analysis = new DepthAnalysis(net, test.Inputs);
while (!analysis.Advance()) { }
foreach (var (name, units) in new[] { ("layer 1", analysis.Layer1), ("layer 2", analysis.Layer2), ("output", analysis.Output) })
    Console.WriteLine($"{name}, strongest held-out digit per unit: " + string.Join(", ", units.Select(u => $"#{u.Strongest.Image} ({u.Strongest.Activation:0.000})")));
#endif

/// <summary>What the page's control changes: the held-out digit sent through the layers.</summary>
public sealed record DepthSettings(int Digit);

/// <summary>One digit through the trained CNN.</summary>
public static class DepthRecipe
{
    /// <summary>The feature maps of <paramref name="digit"/> (1, 1, 28, 28) after each convolution and ReLU, (1, 8, 24, 24) and (1, 16, 8, 8), and the class the CNN reads.</summary>
    public static (IReadOnlyList<Tensor> Maps, int Predicted) Layers(DigitCnn net, Tensor digit)
    {
        var maps = FigureData.FeatureMaps(net, digit);                   // the figure data the CLI's `pitts plot features` draws too
        using var _ = Autograd.NoGrad();
        return (maps, net.Forward(digit).Argmax());                      // logits (1, 10)
    }
}

/// <summary>Where a unit responds most strongly: held-out digit <c>Image</c>, at row <c>Y</c>, column <c>X</c> of its map.</summary>
public readonly record struct UnitResponse(float Activation, int Image, int Y, int X);

/// <summary>One unit (channel or class) with what excites it most among the held-out digits.</summary>
/// <param name="Index">Channel or class index.</param>
/// <param name="Mean">The mean of the top patches (row-major, Size×Size).</param>
/// <param name="Examples">A few of the top patches.</param>
/// <param name="Size">Patch side: the unit's receptive field.</param>
/// <param name="Strongest">The strongest response of all.</param>
public sealed record UnitView(int Index, float[] Mean, float[][] Examples, int Size, UnitResponse Strongest);

/// <summary>
/// What the trained CNN's units respond to: for every channel of conv1 (receptive field 5×5), conv2 (14×14) and every
/// output class (the whole 28×28 digit), the input patches of the first <see cref="Images"/> held-out digits that give
/// the largest activation, one per digit. <see cref="Advance"/> scans <see cref="Block"/> digits at a time, so that a
/// page can spread the scan over time slices.
/// </summary>
public sealed class DepthAnalysis
{
    /// <summary>Held-out digits scanned.</summary>
    public const int Images = 400;

    /// <summary>Top patches averaged per unit.</summary>
    public const int Top = 16;

    /// <summary>Digits per <see cref="Advance"/>.</summary>
    public const int Block = 10;

    private readonly DigitCnn net;
    private readonly Tensor images;
    private readonly float[] pixels;
    // Each unit's best position in each digit scanned so far, digit by digit: conv1's 8, conv2's 16, the 10 classes.
    private readonly List<UnitResponse>[] best1 = Fresh(DigitCnn.C1), best2 = Fresh(DigitCnn.C2), bestOut = Fresh(10);

    /// <summary>Starts the analysis of <paramref name="net"/> on the first <see cref="Images"/> of <paramref name="heldOut"/> (N, 1, 28, 28).</summary>
    public DepthAnalysis(DigitCnn net, Tensor heldOut)
    {
        this.net = net;
        images = heldOut.Narrow(0, 0, Images);                           // (400, 1, 28, 28)
        pixels = images.ToArray();
    }

    /// <summary>Digits scanned so far.</summary>
    public int Done { get; private set; }

    /// <summary>First-layer units (after the scan).</summary>
    public IReadOnlyList<UnitView> Layer1 { get; private set; } = [];

    /// <summary>Second-layer units (after the scan).</summary>
    public IReadOnlyList<UnitView> Layer2 { get; private set; } = [];

    /// <summary>Output units, one per digit (after the scan).</summary>
    public IReadOnlyList<UnitView> Output { get; private set; } = [];

    /// <summary>Scans the next block of digits; true when all are done (the units are then ready).</summary>
    public bool Advance()
    {
        if (Done >= Images) return true;
        int m = Math.Min(Block, Images - Done);
        using (Autograd.NoGrad())
        {
            net.Eval();
            var f = net.Features(images.Narrow(0, Done, m));
            Scan(f.Conv1.ToArray(), best1, 24, m);                          // (m, 8, 24, 24)
            Scan(f.Conv2.ToArray(), best2, 8, m);                           // (m, 16, 8, 8)
            Scan(f.Logits.ToArray(), bestOut, 1, m);                        // (m, 10)
        }
        Done += m;
        if (Done < Images) return false;
        Layer1 = Units(best1, 5, 1);
        Layer2 = Units(best2, 14, 2);
        Output = Units(bestOut, 28, 0);
        return true;
    }

    private static List<UnitResponse>[] Fresh(int channels) => [.. Enumerable.Range(0, channels).Select(_ => new List<UnitResponse>(Images))];

    /// <summary>Each channel's best position in each of the <paramref name="m"/> digits of a block (maps side × side).</summary>
    private void Scan(float[] act, List<UnitResponse>[] best, int side, int m)
    {
        int channels = best.Length;
        for (int n = 0; n < m; n++)
            for (int c = 0; c < channels; c++)
            {
                int off = (n * channels + c) * side * side;
                int arg = 0;
                for (int i = 1; i < side * side; i++) if (act[off + i] > act[off + arg]) arg = i;
                best[c].Add(new UnitResponse(act[off + arg], Done + n, arg / side, arg % side));
            }
    }

    /// <summary>The digits with each channel's strongest best position, their patches (field × field from stride × position) and their mean.</summary>
    private List<UnitView> Units(List<UnitResponse>[] best, int field, int stride)
    {
        var units = new List<UnitView>();
        for (int c = 0; c < best.Length; c++)
        {
            var top = best[c].OrderByDescending(b => b.Activation).Take(Top).ToList();
            var mean = new float[field * field];
            var examples = new List<float[]>();
            foreach (var r in top)
            {
                var patch = new float[field * field];
                for (int y = 0; y < field; y++)
                    for (int x = 0; x < field; x++)
                    {
                        int py = r.Y * stride + y, px = r.X * stride + x;
                        patch[y * field + x] = py < 28 && px < 28 ? pixels[r.Image * 784 + py * 28 + px] : 0;
                    }
                for (int i = 0; i < patch.Length; i++) mean[i] += patch[i] / top.Count;
                if (examples.Count < 4) examples.Add(patch);
            }
            units.Add(new UnitView(c, mean, [.. examples], field, top[0]));
        }
        return units;
    }
}
