using System.Globalization;
using Pitts.IO;
using Pitts.Lab.Services;
using Pitts.NN;

namespace Pitts.Lab.Widgets;

/// <summary>
/// The playground page's run: the recipe (playground.recipe.cs, beside this file) one mini-batch per <see cref="StepBatch"/>
/// call (the page steps these in slices, so that an epoch of batch size 1 never holds the browser's thread), with the history,
/// the decision map and each neuron's map that the page draws, and the trained weights as a safetensors file.
/// </summary>
public sealed class PlaygroundModel
{
    /// <summary>Datasets offered.</summary>
    public static readonly string[] DataKeys = ["circle", "xor", "gauss", "spiral", "moons", "custom", "csv"];

    /// <summary>Input features offered (TensorFlow Playground's seven).</summary>
    public static readonly string[] FeatureKeys = ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"];

    /// <summary>Most hidden layers.</summary>
    public const int MaxLayers = 6;

    /// <summary>Most units per layer.</summary>
    public const int MaxUnits = 8;

    /// <summary>Points generated per dataset.</summary>
    public const int Points = 300;

    /// <summary>Most clicked-in points.</summary>
    public const int MaxCustomPoints = 200;

    /// <summary>Feature label for display.</summary>
    public static string FeatureName(string key) => key switch
    {
        "x1sq" => "x₁²",
        "x2sq" => "x₂²",
        "x1x2" => "x₁x₂",
        "sinx1" => "sin x₁",
        "sinx2" => "sin x₂",
        "x2" => "x₂",
        _ => "x₁",
    };

    private readonly PlaygroundRecipe _recipe;

    /// <summary>The settings.</summary>
    public PlaygroundSettings Settings { get; }

    /// <summary>The network (outputs one logit).</summary>
    public Sequential Net => _recipe.Net;

    /// <summary>Training points (x1, x2, label).</summary>
    public List<(double X, double Y, int Label)> TrainPoints => _recipe.TrainPoints;

    /// <summary>Test points.</summary>
    public List<(double X, double Y, int Label)> TestPoints => _recipe.TestPoints;

    /// <summary>Epochs run.</summary>
    public int EpochsDone { get; private set; }

    /// <summary>(epoch, training loss, test loss), thinned to about 1000 entries.</summary>
    public TrainingCurve<(int Epoch, double Train, double Test)> History { get; } = new(1000, h => h.Epoch);

    /// <summary>Mini-batches run in the current epoch (0 between epochs).</summary>
    public int BatchesDone { get; private set; }

    /// <summary>Mini-batches per epoch.</summary>
    public int BatchesPerEpoch => (TrainPoints.Count + Settings.Batch - 1) / Settings.Batch;

    /// <summary>The training loss at the end of the last epoch (NaN before the first, or when it diverged).</summary>
    public double LastLoss { get; private set; } = double.NaN;

    private IEnumerator<int[]>? _epoch;   // the current epoch's mini-batches, null between epochs

    /// <summary>Builds data, split and network from the settings; data = csv trains on <paramref name="csv"/>'s points.</summary>
    public PlaygroundModel(PlaygroundSettings s, PlaygroundCsv? csv = null)
    {
        Settings = s;
        if (s.Data == "csv" && csv is null) throw new ArgumentException("PlaygroundModel: data = csv needs the CSV file's points", nameof(csv));
        Csv = s.Data == "csv" ? csv : null;
        _recipe = new PlaygroundRecipe(s, Csv?.Points);
    }

    /// <summary>The CSV file trained on (data = csv), else null.</summary>
    public PlaygroundCsv? Csv { get; }

    /// <summary>The network's input features for points (n, features).</summary>
    public Tensor Inputs(IReadOnlyList<(double X, double Y)> pts) => _recipe.Inputs(pts);

    /// <summary>
    /// One mini-batch of the recipe's current epoch (its <see cref="PlaygroundRecipe.Batches"/> and <see cref="PlaygroundRecipe.Step"/>,
    /// the pieces of its <see cref="PlaygroundRecipe.Epoch"/>); after an epoch's last batch it records the losses and returns true.
    /// </summary>
    public bool StepBatch()
    {
        _epoch ??= _recipe.Batches().GetEnumerator();
        if (_epoch.MoveNext()) _recipe.Step(_epoch.Current);
        if (++BatchesDone < BatchesPerEpoch) return false;
        _epoch.Dispose();
        _epoch = null;
        BatchesDone = 0;
        var (train, test) = Losses();
        History.Record((EpochsDone, train, test));
        EpochsDone++;
        LastLoss = train;
        return true;
    }

    /// <summary>The rest of the current epoch (a whole one between epochs); returns the training loss, or NaN when it diverged.</summary>
    public double Epoch()
    {
        while (!StepBatch()) { }
        return LastLoss;
    }

    /// <summary>
    /// The trained weights as a safetensors file (the library's writer): the network's state dict, named as PyTorch's
    /// nn.Sequential names it (0.weight, 0.bias, 2.weight, ...), with metadata that says how to use it (the settings, the
    /// input features, and for a CSV file each column's range that the inputs were scaled from).
    /// </summary>
    public byte[] Safetensors()
    {
        var meta = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["pitts.recipe"] = "playground",
            ["settings"] = RecipeFiles.Describe(Settings),
            ["epochs"] = EpochsDone.ToString(CultureInfo.InvariantCulture),
            ["features"] = string.Join(',', Settings.Features),
            ["hidden"] = string.Join(',', Settings.Hidden),
            ["activation"] = Settings.Activation,
            ["output"] = "one logit; P(class 1, blue) = sigmoid(logit)",
        };
        if (Csv is { } csv)
        {
            var t = csv.Table;
            var ranges = new[] { PlaygroundRecipe.CsvRange(t, 0), PlaygroundRecipe.CsvRange(t, 1) };
            meta["csv.columns"] = string.Join(',', t.Columns);
            meta["csv.classes"] = string.Join(',', t.Classes);
            meta["csv.min"] = string.Join(',', ranges.Select(r => r.Min.ToString("R", CultureInfo.InvariantCulture)));
            meta["csv.max"] = string.Join(',', ranges.Select(r => r.Max.ToString("R", CultureInfo.InvariantCulture)));
            meta["inputs"] = "x1, x2 = -5 + 10 (column - csv.min) / (csv.max - csv.min), then the features; class k is csv.classes[k]";
        }
        return Pitts.IO.Safetensors.Serialize(Net.StateDict(), meta);
    }

    /// <summary>Training and test loss now.</summary>
    public (double Train, double Test) Losses() => _recipe.Losses();

    /// <summary>Fraction of test (or, with none, training) points classified correctly.</summary>
    public double Accuracy(bool test) => _recipe.Accuracy(test);

    /// <summary>P(class 1) at the given points.</summary>
    public double[] Probabilities(IReadOnlyList<(double X, double Y)> pts) => _recipe.Probabilities(pts);

    /// <summary>An n x n grid over [-6, 6]² (row 0 at the top).</summary>
    public static List<(double X, double Y)> Grid(int n)
    {
        var g = new List<(double, double)>(n * n);
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++) g.Add((-6 + 12.0 * (c + 0.5) / n, 6 - 12.0 * (r + 0.5) / n));
        return g;
    }

    /// <summary>The decision map: P(class 1) over an n x n grid as a PNG data URI (orange = 0, blue = 1).</summary>
    public string DecisionMap(int n)
    {
        var p = Probabilities(Grid(n));
        return Image(n, p.Select(v => 2 * v - 1).ToArray(), 1);
    }

    /// <summary>Each hidden unit's activation over an n x n grid: one PNG per unit, per layer (the playground's thumbnails).</summary>
    public List<List<string>> NeuronMaps(int n)
    {
        using var _ = Autograd.NoGrad();
        var maps = new List<List<string>>();
        var h = Inputs(Grid(n));
        for (int i = 0; i < Net.Count - 1; i++)
        {
            h = Net[i].Forward(h);
            if (Net[i] is Linear) continue;
            int units = h.Shape[1];
            var a = h.ToArray();
            var layer = new List<string>();
            for (int u = 0; u < units; u++)
            {
                var v = new double[n * n];
                double scale = 1e-9;
                for (int k = 0; k < n * n; k++) { v[k] = a[k * units + u]; scale = Math.Max(scale, Math.Abs(v[k])); }
                layer.Add(Image(n, v, Settings.Activation is "relu" or "softplus" or "elu" or "identity" or "leakyrelu" or "gelu" ? scale : 1));
            }
            maps.Add(layer);
        }
        return maps;
    }

    /// <summary>The selected features over an n x n grid, one PNG each.</summary>
    public List<string> FeatureMaps(int n)
    {
        var x = Inputs(Grid(n)).ToArray();
        int f = Settings.Features.Count;
        var list = new List<string>();
        for (int j = 0; j < f; j++)
        {
            var v = Enumerable.Range(0, n * n).Select(k => (double)x[k * f + j]).ToArray();
            list.Add(Image(n, v, Math.Max(1e-9, v.Max(Math.Abs))));
        }
        return list;
    }

    private static string Image(int n, double[] values, double scale)
    {
        var rgb = new byte[n * n * 3];
        for (int k = 0; k < n * n; k++)
        {
            var (r, g, b) = ColorMap.Diverging(values[k] / scale);
            rgb[3 * k] = r; rgb[3 * k + 1] = g; rgb[3 * k + 2] = b;
        }
        return Png.DataUri(n, n, rgb);
    }

    /// <summary>Parses the URL's custom points "x,y,l;x,y,l"; null when malformed.</summary>
    public static List<(double, double, int)>? ParseCustom(string text)
    {
        var list = new List<(double, double, int)>();
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = part.Split(',');
            if (f.Length != 3 || !double.TryParse(f[0], CultureInfo.InvariantCulture, out double x) || !double.TryParse(f[1], CultureInfo.InvariantCulture, out double y)
                || f[2] is not ("0" or "1") || Math.Abs(x) > 6 || Math.Abs(y) > 6) return null;
            list.Add((x, y, f[2] == "1" ? 1 : 0));
        }
        return list.Count <= MaxCustomPoints ? list : null;
    }

    /// <summary>Formats custom points for the URL.</summary>
    public static string FormatCustom(IEnumerable<(double X, double Y, int Label)> pts) =>
        string.Join(';', pts.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.X:0.#},{p.Y:0.#},{p.Label}")));
}
