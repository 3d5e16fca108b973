#:project ../../../Pitts/Pitts.csproj
// The playground: 2-D classification (circle, xor, gauss, spiral, moons, points clicked in, or a CSV file) by a network of
// the library's modules, trained on shuffled mini-batches. The lab's page runs this file; on its own, from the repository's root:
//   dotnet run -c Release src/Pitts.Lab.Client/Chapters/Playground/playground.recipe.cs
using Pitts;
using Pitts.Data;
using Pitts.IO;
using Pitts.NN;
using Pitts.Optim;

#if !PITTS_LAB // the lab compiles the classes below into itself and runs the mini-batches in slices of about 12 ms
var settings = new PlaygroundSettings
{
    Data = "circle", Noise = 0, TrainPercent = 50, Features = ["x1", "x2"], Hidden = [4, 2], Activation = "tanh",
    Loss = "bce", Optimizer = "adam", Lr = 0.03, L2 = 0, Batch = 10, Epochs = 500, Seed = 1, Custom = [], CsvPath = ""
};
var playground = new PlaygroundRecipe(settings);
for (int epoch = 0; epoch < settings.Epochs; epoch++)
    playground.Epoch();
var (train, test) = playground.Losses();
Console.WriteLine($"epoch {settings.Epochs}: training loss {train:0.0000}, test loss {test:0.0000}, test accuracy {100 * playground.Accuracy(test: true):0.0}%");
#endif

/// <summary>What the page's controls change (all of it lives in the page's URL, but for the contents of a CSV file).</summary>
public sealed record PlaygroundSettings
{
    /// <summary>The data set: circle, xor, gauss, spiral, moons, custom (the points in <see cref="Custom"/>) or csv (the file at <see cref="CsvPath"/>).</summary>
    public string Data { get; init; } = "circle";

    /// <summary>Noise in percent (0 to 50), as TensorFlow Playground.</summary>
    public int Noise { get; init; }

    /// <summary>Percentage of points used for training.</summary>
    public int TrainPercent { get; init; } = 50;

    /// <summary>The network's input features: some of x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2.</summary>
    public IReadOnlyList<string> Features { get; init; } = ["x1", "x2"];

    /// <summary>Units of each hidden layer.</summary>
    public IReadOnlyList<int> Hidden { get; init; } = [4, 2];

    /// <summary>The hidden layers' activation: relu, sigmoid, tanh, gelu, leakyrelu, elu, softplus or identity.</summary>
    public string Activation { get; init; } = "tanh";

    /// <summary>bce (on the output logit) or mse (on the probability sigmoid(output)).</summary>
    public string Loss { get; init; } = "bce";

    /// <summary>sgd, momentum, adam or rmsprop.</summary>
    public string Optimizer { get; init; } = "adam";

    /// <summary>Learning rate.</summary>
    public double Lr { get; init; } = 0.03;

    /// <summary>L2 weight decay λ.</summary>
    public double L2 { get; init; }

    /// <summary>Mini-batch size.</summary>
    public int Batch { get; init; } = 10;

    /// <summary>Epochs to train.</summary>
    public int Epochs { get; init; } = 500;

    /// <summary>Seed of data, split, initialisation and shuffling.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The points clicked in (data = custom): x1, x2 and the label, 1 blue or 0 orange.</summary>
    public IReadOnlyList<(double X, double Y, int Label)> Custom { get; init; } = [];

    /// <summary>The CSV file read when Data is csv (relative to the folder the program runs in): two numeric columns, then a label of two classes.</summary>
    public string CsvPath { get; init; } = "";
}

/// <summary>The data, its split, the network, the loss and the optimizer of the playground, one epoch per <see cref="Epoch"/>.</summary>
public sealed class PlaygroundRecipe
{
    private readonly PlaygroundSettings s;
    private readonly Generator g;
    private readonly Loss loss;
    private readonly Optimizer optimizer;
    private readonly Tensor xTrain, yTrain, xTest, yTest;

    /// <summary>The activation module named <paramref name="key"/>.</summary>
    public static Module Activation(string key) => key switch
    {
        "relu" => new Relu(),
        "sigmoid" => new Sigmoid(),
        "tanh" => new Tanh(),
        "gelu" => new Gelu(),
        "leakyrelu" => new LeakyRelu(0.1f),
        "elu" => new Elu(),
        "softplus" => new Softplus(),
        _ => new Identity(),
    };

    /// <summary>The input feature named <paramref name="key"/> of the point (x1, x2).</summary>
    public static double Feature(string key, double x1, double x2) => key switch
    {
        "x2" => x2,
        "x1sq" => x1 * x1,
        "x2sq" => x2 * x2,
        "x1x2" => x1 * x2,
        "sinx1" => Math.Sin(x1),
        "sinx2" => Math.Sin(x2),
        _ => x1,
    };

    /// <summary>The 300 points of the data set (or the clicked ones, or the CSV file's) on the square [-6, 6]²: x1, x2, label.</summary>
    public static List<(double X, double Y, int Label)> Points(PlaygroundSettings s, Generator g)
    {
        if (s.Data == "custom") return [.. s.Custom];
        if (s.Data == "csv") return CsvPoints(Csv.LoadLabeled(s.CsvPath), s.CsvPath);
        double noise = s.Noise / 100.0;
        var data = s.Data switch
        {
            "xor" => Playground.Xor(300, noise, g),
            "gauss" => Playground.Gauss(300, noise, g),
            "spiral" => Playground.Spiral(300, noise, g),
            "moons" => Synthetic.Moons(300, noise, g),
            _ => Playground.Circle(300, noise, g),
        };
        var x = data.Inputs.ToArray();   // (300, 2)
        var y = data.Targets.ToArray();  // (300, 1): 1 blue, 0 orange
        var points = new List<(double X, double Y, int Label)>();
        for (int i = 0; i < y.Length; i++)
        {
            double x1 = x[2 * i], x2 = x[2 * i + 1];
            // The moons live on about [-1, 2] x [-0.5, 1]: stretch them onto the playground's square
            if (s.Data == "moons") (x1, x2) = ((x1 - 0.5) * 3.5, (x2 - 0.25) * 5);
            points.Add((x1, x2, y[i] > 0.5f ? 1 : 0));
        }
        return points;
    }

    /// <summary>
    /// A CSV table's rows as points: its two feature columns, each scaled from its range onto [-5, 5], and its label's two
    /// classes (sorted, see <see cref="CsvLabeledTable.Classes"/>) as 0, orange, and 1, blue. <paramref name="source"/> names the file in errors.
    /// </summary>
    public static List<(double X, double Y, int Label)> CsvPoints(CsvLabeledTable table, string source)
    {
        if (table.Columns.Count != 2)
            throw new CsvException($"CSV: {source}: {table.Columns.Count + 1} columns; the playground needs three: two numeric features, then the label");
        if (table.Classes.Count != 2)
            throw new CsvException($"CSV: {source}: the label column '{table.LabelColumn}' has {table.Classes.Count} class{(table.Classes.Count == 1 ? "" : "es")} "
                + $"({string.Join(", ", table.Classes.Take(5))}{(table.Classes.Count > 5 ? ", ..." : "")}); the playground needs exactly two");
        var v = table.Features.ToArray();   // (rows, 2)
        int bad = Array.FindIndex(v, x => !float.IsFinite(x));
        if (bad >= 0) throw new CsvException($"CSV: {source}: data row {bad / 2 + 1}, column '{table.Columns[bad % 2]}' is {v[bad]}; the playground needs finite numbers");
        var (r1, r2) = (CsvRange(table, 0), CsvRange(table, 1));
        static double Scale(double x, (double Min, double Max) r) => r.Max > r.Min ? -5 + 10 * (x - r.Min) / (r.Max - r.Min) : 0;
        return [.. table.Labels.Select((label, i) => (Scale(v[2 * i], r1), Scale(v[2 * i + 1], r2), label))];
    }

    /// <summary>The smallest and largest value of a CSV table's feature column: the range that <see cref="CsvPoints"/> maps onto [-5, 5].</summary>
    public static (double Min, double Max) CsvRange(CsvLabeledTable table, int column)
    {
        var v = table.Features.ToArray();
        int width = table.Columns.Count;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (int i = column; i < v.Length; i += width) (min, max) = (Math.Min(min, v[i]), Math.Max(max, v[i]));
        return (min, max);
    }

    /// <summary>The training points.</summary>
    public List<(double X, double Y, int Label)> TrainPoints { get; } = [];

    /// <summary>The test points.</summary>
    public List<(double X, double Y, int Label)> TestPoints { get; } = [];

    /// <summary>The network; it outputs one logit, P(blue) = sigmoid(logit).</summary>
    public Sequential Net { get; }

    /// <summary>
    /// Makes the data (or takes <paramref name="points"/>: the lab passes the CSV file the reader loaded, as <see cref="CsvPoints"/>
    /// gave them), splits it, builds the network and the optimizer for <paramref name="settings"/>.
    /// </summary>
    public PlaygroundRecipe(PlaygroundSettings settings, List<(double X, double Y, int Label)>? points = null)
    {
        s = settings;
        g = new Generator((ulong)s.Seed);
        var all = points ?? Points(s, g);
        var order = g.Permutation(all.Count);
        int nTrain = Math.Clamp((int)Math.Round(all.Count * s.TrainPercent / 100.0), 1, Math.Max(1, all.Count - 1));
        for (int i = 0; i < all.Count; i++) (i < nTrain ? TrainPoints : TestPoints).Add(all[order[i]]);
        (xTrain, yTrain) = (Inputs(TrainPoints.Select(p => (p.X, p.Y)).ToList()), Labels(TrainPoints));
        (xTest, yTest) = (Inputs(TestPoints.Select(p => (p.X, p.Y)).ToList()), Labels(TestPoints));

        var layers = new List<Module>();
        int width = s.Features.Count;
        foreach (int units in s.Hidden)
        {
            layers.Add(new Linear(width, units, generator: g));
            layers.Add(Activation(s.Activation));
            width = units;
        }
        layers.Add(new Linear(width, 1, generator: g));
        Net = new Sequential([.. layers]);

        loss = s.Loss == "mse" ? new MseLoss() : new BceWithLogitsLoss();
        var p = Net.Parameters();
        float lr = (float)s.Lr, wd = (float)s.L2;
        optimizer = s.Optimizer switch
        {
            "sgd" => new Sgd(p, lr, weightDecay: wd),
            "momentum" => new Sgd(p, lr, momentum: 0.9f, weightDecay: wd),
            "rmsprop" => new RmsProp(p, lr, weightDecay: wd),
            _ => new Adam(p, lr, weightDecay: wd),
        };
    }

    /// <summary>The network's input features of the points, (n, features).</summary>
    public Tensor Inputs(IReadOnlyList<(double X, double Y)> points)
    {
        var f = s.Features;
        var data = new float[points.Count * f.Count];
        for (int i = 0; i < points.Count; i++)
            for (int j = 0; j < f.Count; j++) data[i * f.Count + j] = (float)Feature(f[j], points[i].X, points[i].Y);
        return Tensor.FromArray(data, points.Count, f.Count);
    }

    private static Tensor Labels(List<(double X, double Y, int Label)> points) =>
        Tensor.FromArray(points.Select(p => (float)p.Label).ToArray(), points.Count, 1);

    /// <summary>The loss of the logits: BCE on the logit, or MSE on the probability.</summary>
    public Tensor LossOf(Tensor logits, Tensor y) => s.Loss == "mse" ? loss.Forward(logits.Sigmoid(), y) : loss.Forward(logits, y);

    /// <summary>One epoch: the training points in shuffled mini-batches.</summary>
    public void Epoch()
    {
        foreach (var batch in Batches())
            Step(batch);
    }

    /// <summary>One epoch's mini-batches: the training points' indices, shuffled, <see cref="PlaygroundSettings.Batch"/> at a time.</summary>
    public IEnumerable<int[]> Batches()
    {
        int n = TrainPoints.Count;
        var order = g.Permutation(n);
        for (int start = 0; start < n; start += s.Batch)
            yield return order[start..Math.Min(start + s.Batch, n)];
    }

    /// <summary>One optimizer step on the training points <paramref name="batch"/>.</summary>
    public void Step(int[] batch)
    {
        var output = Net.Forward(xTrain.IndexSelect(0, batch));
        var l = LossOf(output, yTrain.IndexSelect(0, batch));
        l.Backward();
        optimizer.Step();
        optimizer.ZeroGrad();
    }

    /// <summary>The training and test loss now (test NaN without test points).</summary>
    public (double Train, double Test) Losses()
    {
        using var _ = Autograd.NoGrad();
        double train = LossOf(Net.Forward(xTrain), yTrain).Item();
        double test = TestPoints.Count == 0 ? double.NaN : LossOf(Net.Forward(xTest), yTest).Item();
        return (train, test);
    }

    /// <summary>P(blue) at the points.</summary>
    public double[] Probabilities(IReadOnlyList<(double X, double Y)> points)
    {
        using var _ = Autograd.NoGrad();
        return Net.Forward(Inputs(points)).Sigmoid().ToArray().Select(v => (double)v).ToArray();
    }

    /// <summary>The fraction of the test (or training) points classified correctly (P(blue) ≥ 0.5 means blue).</summary>
    public double Accuracy(bool test)
    {
        var points = test ? TestPoints : TrainPoints;
        if (points.Count == 0) return double.NaN;
        var p = Probabilities(points.Select(q => (q.X, q.Y)).ToList());
        return points.Select((q, i) => (p[i] >= 0.5 ? 1 : 0) == q.Label ? 1.0 : 0.0).Average();
    }
}
