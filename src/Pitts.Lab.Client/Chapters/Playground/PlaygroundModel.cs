using System.Globalization;
using Pitts.Data;
using Pitts.Lab.Services;
using Pitts.NN;
using Pitts.Optim;

namespace Pitts.Lab.Widgets;

/// <summary>The playground's settings, all of which live in the URL.</summary>
public sealed record PlaygroundSettings
{
    /// <summary>Dataset key.</summary>
    public string Data { get; init; } = "circle";

    /// <summary>Noise in percent (0 to 50), as TensorFlow Playground.</summary>
    public int Noise { get; init; }

    /// <summary>Percentage of points used for training.</summary>
    public int TrainPercent { get; init; } = 50;

    /// <summary>Selected input features.</summary>
    public IReadOnlyList<string> Features { get; init; } = ["x1", "x2"];

    /// <summary>Units of each hidden layer.</summary>
    public IReadOnlyList<int> Hidden { get; init; } = [4, 2];

    /// <summary>Activation key.</summary>
    public string Activation { get; init; } = "tanh";

    /// <summary>bce or mse.</summary>
    public string Loss { get; init; } = "bce";

    /// <summary>sgd, momentum, adam or rmsprop.</summary>
    public string Optimizer { get; init; } = "adam";

    /// <summary>Learning rate.</summary>
    public double Lr { get; init; } = 0.03;

    /// <summary>L2 weight decay λ.</summary>
    public double L2 { get; init; }

    /// <summary>Mini-batch size.</summary>
    public int Batch { get; init; } = 10;

    /// <summary>Epochs before the run stops by itself.</summary>
    public int Epochs { get; init; } = 500;

    /// <summary>Seed of data, split, initialisation and shuffling.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Points the reader clicked in (data = custom): x, y and label 0/1.</summary>
    public IReadOnlyList<(double X, double Y, int Label)> Custom { get; init; } = [];
}

/// <summary>The playground: 2-D classification with a network of the library's modules, trained live.</summary>
public sealed class PlaygroundModel
{
    /// <summary>Datasets offered.</summary>
    public static readonly string[] DataKeys = ["circle", "xor", "gauss", "spiral", "moons", "custom"];

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

    private static double Feature(string key, double x1, double x2) => key switch
    {
        "x2" => x2,
        "x1sq" => x1 * x1,
        "x2sq" => x2 * x2,
        "x1x2" => x1 * x2,
        "sinx1" => Math.Sin(x1),
        "sinx2" => Math.Sin(x2),
        _ => x1,
    };

    private readonly Optimizer _opt;
    private readonly Generator _g;
    private readonly Loss _loss;
    private readonly bool _bce;
    private readonly Tensor _xTrain, _yTrain, _xTest, _yTest;

    /// <summary>The settings.</summary>
    public PlaygroundSettings Settings { get; }

    /// <summary>The network (outputs one logit).</summary>
    public Sequential Net { get; }

    /// <summary>Training points (x1, x2, label).</summary>
    public List<(double X, double Y, int Label)> TrainPoints { get; } = [];

    /// <summary>Test points.</summary>
    public List<(double X, double Y, int Label)> TestPoints { get; } = [];

    /// <summary>Epochs run.</summary>
    public int EpochsDone { get; private set; }

    /// <summary>(epoch, training loss, test loss), thinned to about 1000 entries.</summary>
    public TrainingCurve<(int Epoch, double Train, double Test)> History { get; } = new(1000, h => h.Epoch);

    /// <summary>Builds data, split and network from the settings.</summary>
    public PlaygroundModel(PlaygroundSettings s)
    {
        Settings = s;
        _g = new Generator((ulong)s.Seed);
        var all = MakeData(s, _g);
        var order = _g.Permutation(all.Count);
        int nTrain = Math.Clamp((int)Math.Round(all.Count * s.TrainPercent / 100.0), 1, Math.Max(1, all.Count - 1));
        for (int i = 0; i < all.Count; i++) (i < nTrain ? TrainPoints : TestPoints).Add(all[order[i]]);
        (_xTrain, _yTrain) = ToTensors(TrainPoints);
        (_xTest, _yTest) = ToTensors(TestPoints);

        var layers = new List<Module>();
        int width = s.Features.Count;
        foreach (int h in s.Hidden)
        {
            layers.Add(new Linear(width, h, generator: _g));
            layers.Add(LabActivations.Create(s.Activation));
            width = h;
        }
        layers.Add(new Linear(width, 1, generator: _g));
        Net = new Sequential(layers.ToArray());
        _bce = s.Loss != "mse";
        _loss = _bce ? new BceWithLogitsLoss() : new MseLoss();
        var p = Net.Parameters();
        float lr = (float)s.Lr, wd = (float)s.L2;
        _opt = s.Optimizer switch
        {
            "sgd" => new Sgd(p, lr, weightDecay: wd),
            "momentum" => new Sgd(p, lr, momentum: 0.9f, weightDecay: wd),
            "rmsprop" => new RmsProp(p, lr, weightDecay: wd),
            _ => new Adam(p, lr, weightDecay: wd),
        };
    }

    private static List<(double, double, int)> MakeData(PlaygroundSettings s, Generator g)
    {
        if (s.Data == "custom") return s.Custom.ToList();
        double noise = s.Noise / 100.0;
        TensorDataset d = s.Data switch
        {
            "xor" => Playground.Xor(Points, noise, g),
            "gauss" => Playground.Gauss(Points, noise, g),
            "spiral" => Playground.Spiral(Points, noise, g),
            "moons" => Synthetic.Moons(Points, noise, g),
            _ => Playground.Circle(Points, noise, g),
        };
        var x = d.Inputs.ToArray();
        var y = d.Targets.ToArray();
        var pts = new List<(double, double, int)>();
        for (int i = 0; i < y.Length; i++)
        {
            double a = x[2 * i], b = x[2 * i + 1];
            // The moons live on about [-1, 2] x [-0.5, 1]: stretch them onto the playground's [-6, 6] square.
            if (s.Data == "moons") (a, b) = ((a - 0.5) * 3.5, (b - 0.25) * 5);
            pts.Add((a, b, y[i] > 0.5f ? 1 : 0));
        }
        return pts;
    }

    /// <summary>The network's input features for points (n, features).</summary>
    public Tensor Inputs(IReadOnlyList<(double X, double Y)> pts)
    {
        var f = Settings.Features;
        var data = new float[pts.Count * f.Count];
        for (int i = 0; i < pts.Count; i++)
            for (int j = 0; j < f.Count; j++) data[i * f.Count + j] = (float)Feature(f[j], pts[i].X, pts[i].Y);
        return Tensor.FromArray(data, pts.Count, f.Count);
    }

    private (Tensor X, Tensor Y) ToTensors(List<(double X, double Y, int Label)> pts) =>
        (Inputs(pts.Select(p => (p.X, p.Y)).ToList()), Tensor.FromArray(pts.Select(p => (float)p.Label).ToArray(), pts.Count, 1));

    private Tensor LossOf(Tensor logits, Tensor y) => _bce ? _loss.Forward(logits, y) : _loss.Forward(logits.Sigmoid(), y);

    /// <summary>One epoch of shuffled mini-batches; returns the training loss, or NaN when it diverged.</summary>
    public double Epoch()
    {
        int n = TrainPoints.Count;
        var order = _g.Permutation(n);
        for (int start = 0; start < n; start += Settings.Batch)
        {
            var idx = order.Skip(start).Take(Settings.Batch).ToArray();
            _opt.ZeroGrad();
            LossOf(Net.Forward(_xTrain.IndexSelect(0, idx)), _yTrain.IndexSelect(0, idx)).Backward();
            _opt.Step();
        }
        var (train, test) = Losses();
        History.Record((EpochsDone, train, test));
        EpochsDone++;
        return train;
    }

    /// <summary>Training and test loss now.</summary>
    public (double Train, double Test) Losses()
    {
        using var _ = Autograd.NoGrad();
        double train = LossOf(Net.Forward(_xTrain), _yTrain).Item();
        double test = TestPoints.Count == 0 ? double.NaN : LossOf(Net.Forward(_xTest), _yTest).Item();
        return (train, test);
    }

    /// <summary>Fraction of test (or, with none, training) points classified correctly.</summary>
    public double Accuracy(bool test)
    {
        var pts = test ? TestPoints : TrainPoints;
        if (pts.Count == 0) return double.NaN;
        var p = Probabilities(pts.Select(q => (q.X, q.Y)).ToList());
        return pts.Select((q, i) => (p[i] >= 0.5 ? 1 : 0) == q.Label ? 1.0 : 0.0).Average();
    }

    /// <summary>P(class 1) at the given points.</summary>
    public double[] Probabilities(IReadOnlyList<(double X, double Y)> pts)
    {
        using var _ = Autograd.NoGrad();
        return Net.Forward(Inputs(pts)).Sigmoid().ToArray().Select(v => (double)v).ToArray();
    }

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
