using System.Globalization;
using System.Security.Cryptography;
using Pitts.Cli.Commands;
using Pitts.Data;
using Pitts.IO;

namespace Pitts.Cli.Training;

/// <summary>
/// A data set held in memory: inputs X of shape (N, ...InputShape) and targets Y, either class indices (N) stored
/// as floats for classification or values (N, k) for regression, with an optional fixed test part (MNIST's t10k).
/// </summary>
public sealed class DataSet
{
    /// <summary>The name the user gave (e.g. "sine", "mnist", a path).</summary>
    public required string Name { get; init; }

    /// <summary>The inputs, (N, ...InputShape).</summary>
    public required Tensor X { get; init; }

    /// <summary>The targets: (N) class indices for classification, (N, k) values for regression.</summary>
    public required Tensor Y { get; init; }

    /// <summary>"classification" or "regression".</summary>
    public required string Task { get; init; }

    /// <summary>The number of classes for classification, the number of target values for regression.</summary>
    public required int Outputs { get; init; }

    /// <summary>Optional class names in label order.</summary>
    public string[]? ClassNames { get; init; }

    /// <summary>A fixed test part (inputs), when the source has one.</summary>
    public Tensor? TestX { get; init; }

    /// <summary>A fixed test part (targets), when the source has one.</summary>
    public Tensor? TestY { get; init; }

    /// <summary>True for (N, T, F) sequence windows whose target is the next step.</summary>
    public bool IsSequence { get; init; }

    /// <summary>True for images (N, C, H, W) with pixel values in [0, 1].</summary>
    public bool IsImage => X.Rank == 4;

    /// <summary>The shape of one sample.</summary>
    public int[] InputShape => X.Shape.ToArray()[1..];

    /// <summary>The number of samples (without the fixed test part).</summary>
    public int Count => X.Size(0);
}

/// <summary>Options of the synthetic generators.</summary>
public sealed record SyntheticOptions(int Samples, float Noise, ulong Seed, int Window = 20, float Frequency = 1);

/// <summary>Resolves a <c>--dataset</c> value to a <see cref="DataSet"/>: a shipped or installed set, an IDX folder, a CSV or .npy file, or a synthetic set.</summary>
public static class DataSources
{
    /// <summary>Names of the synthetic sets.</summary>
    public static IReadOnlyList<string> SyntheticNames { get; } = ["sine", "polynomial", "circle", "xor", "gauss", "spiral", "moons", "damped-oscillator", "lorenz"];

    /// <summary>Names of the image sets known by name.</summary>
    public static IReadOnlyList<string> Named { get; } = ["mnist", "mnist-full", "fashion-mnist"];

    /// <summary>Fashion-MNIST's class names.</summary>
    public static readonly string[] FashionClasses = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Default sample counts of the synthetic sets.</summary>
    public static int DefaultSamples(string name) => name switch
    {
        "sine" => 200,
        "polynomial" => 30,
        "damped-oscillator" or "lorenz" => 2000,
        _ => 400,
    };

    /// <summary>Default noise of the synthetic sets.</summary>
    public static float DefaultNoise(string name) => name switch
    {
        "sine" => 0.05f,
        "polynomial" => 0.15f,
        "circle" or "xor" or "spiral" => 0.0f,
        "moons" => 0.15f,
        _ => 0.0f,
    };

    /// <summary>The folder of the MNIST subset shipped in the repository (the library's own search: $PITTS_DATA, then data/mnist upwards).</summary>
    public static string? MnistFolder() => Datasets.FindShippedMnist();

    /// <summary>
    /// The folder of Fashion-MNIST: <c>$PITTS_DATA/fashion-mnist</c>, Debian's dataset-fashion-mnist, or the download
    /// cache of <c>pitts data get fashion-mnist --download</c>.
    /// </summary>
    public static string? FashionFolder()
    {
        var env = Environment.GetEnvironmentVariable("PITTS_DATA");
        foreach (var dir in new[] { env is null ? null : Path.Combine(env, "fashion-mnist"), "/usr/share/datasets/fashion-mnist", Downloader.CacheFolder(DatasetSources.FashionMnist) })
            if (dir is not null && FindIdx(dir, "train", "images") is not null) return dir;
        return null;
    }

    /// <summary>The folder of the full MNIST (60,000 + 10,000) downloaded by <c>pitts data get mnist-full --download</c>, or null.</summary>
    public static string? MnistFullFolder()
    {
        var env = Environment.GetEnvironmentVariable("PITTS_DATA");
        foreach (var dir in new[] { env is null ? null : Path.Combine(env, "mnist-full"), Downloader.CacheFolder(DatasetSources.Mnist) })
            if (dir is not null && FindIdx(dir, "train", "images") is not null) return dir;
        return null;
    }

    /// <summary>Loads the data set named by <paramref name="name"/>; a wrong name or a bad file raises a <see cref="UsageException"/>.</summary>
    public static DataSet Load(string name, SyntheticOptions options, string? task = null, int? limit = null)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new UsageException("--dataset is empty");
        DataSet data;
        if (SyntheticNames.Contains(name)) data = MakeSynthetic(name, options);
        else if (name == "mnist")
            data = LoadIdxFolder(MnistFolder() ?? throw new UsageException("dataset 'mnist': the shipped subset data/mnist was not found (run from the repository or set PITTS_DATA)"), "mnist", null, limit);
        else if (name == "fashion-mnist")
            data = LoadIdxFolder(FashionFolder() ?? throw new UsageException("dataset 'fashion-mnist': not found in /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist) or $PITTS_DATA/fashion-mnist"), "fashion-mnist", FashionClasses, limit);
        else if (name == "mnist-full")
            data = LoadIdxFolder(MnistFullFolder() ?? throw new UsageException("dataset 'mnist-full': not downloaded yet; run 'pitts data get mnist-full --download' (or use 'mnist', the shipped subset)"), "mnist-full", null, limit);
        else if (Directory.Exists(name)) data = LoadIdxFolder(name, name, null, limit);
        else if (name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) data = TableData(name, ReadCsv(name), task);
        else if (name.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)) data = TableData(name, ReadNpy(name), task);
        else if (File.Exists(name)) throw new UsageException($"dataset '{name}': unsupported file type (use .csv, .npy or a folder of IDX files)");
        else throw new UsageException($"unknown dataset '{name}' (known: {string.Join(", ", Named.Concat(SyntheticNames))}, a folder of IDX files, a .csv or .npy file)");
        return data;
    }

    // ------------------------------------------------------------------ IDX folders

    /// <summary>Finds "{part}-{kind}-idx?-ubyte[.gz]" (or the t10k name for the test part) in a folder.</summary>
    public static string? FindIdx(string dir, string part, string kind)
    {
        if (!Directory.Exists(dir)) return null;
        var prefix = part == "train" ? "train" : "t10k";
        foreach (var f in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
        {
            var n = Path.GetFileName(f);
            if (n.StartsWith($"{prefix}-{kind}-idx", StringComparison.Ordinal) && (n.EndsWith("ubyte", StringComparison.Ordinal) || n.EndsWith("ubyte.gz", StringComparison.Ordinal)))
                return f;
        }
        return null;
    }

    private static DataSet LoadIdxFolder(string dir, string name, string[]? classNames, int? limit)
    {
        string Need(string part, string kind) => FindIdx(dir, part, kind)
            ?? throw new UsageException($"dataset '{name}': no {(part == "train" ? "train" : "t10k")}-{kind}-idx*-ubyte[.gz] file in {dir}");
        var (xs, ys) = ReadImages(Need("train", "images"), Need("train", "labels"), limit);
        Tensor? tx = null, ty = null;
        if (FindIdx(dir, "test", "images") is not null)
        {
            (tx, ty) = ReadImages(Need("test", "images"), Need("test", "labels"), limit is null ? null : Math.Max(1, limit.Value / 5));
            // A model trained on 28x28 images cannot be tested on 14x56 ones: the splits must agree on the image size.
            if (tx.Size(2) != xs.Size(2) || tx.Size(3) != xs.Size(3))
                throw new UsageException($"dataset '{name}': the test images are {tx.Size(2)}x{tx.Size(3)} but the training images are {xs.Size(2)}x{xs.Size(3)} ({Path.GetFileName(Need("test", "images"))} vs {Path.GetFileName(Need("train", "images"))})");
        }
        int classes = (int)Math.Max(ys.Max().Item(), ty is null ? 0 : ty.Max().Item()) + 1;
        return new DataSet { Name = name, X = xs, Y = ys, TestX = tx, TestY = ty, Task = "classification", Outputs = Math.Max(classes, 2), ClassNames = classNames };
    }

    private static (Tensor X, Tensor Y) ReadImages(string images, string labels, int? limit)
    {
        (byte[] Data, int[] Shape) img, lab;
        try { img = Idx.ReadBytes(images, CommandKit.Limits); lab = Idx.ReadBytes(labels, CommandKit.Limits); }
        catch (IdxException e) { throw new UsageException(e.Message); }
        if (img.Shape.Length != 3) throw new UsageException($"{Path.GetFileName(images)}: expected images of rank 3 (N, H, W), got {img.Shape.Length} dimensions");
        if (lab.Shape.Length != 1 || lab.Shape[0] != img.Shape[0])
            throw new UsageException($"{Path.GetFileName(labels)}: {string.Join("x", lab.Shape)} labels for {img.Shape[0]} images");
        int n = Math.Min(img.Shape[0], limit ?? int.MaxValue), h = img.Shape[1], w = img.Shape[2];
        var x = new float[n * h * w];
        for (int i = 0; i < x.Length; i++) x[i] = img.Data[i] / 255f;
        var y = new float[n];
        for (int i = 0; i < n; i++) y[i] = lab.Data[i];
        return (Tensor.FromArray(x, n, 1, h, w), Tensor.FromArray(y, n));
    }

    // ------------------------------------------------------------------ tables

    private static DataSet TableData(string name, Tensor table, string? task)
    {
        string file = Path.GetFileName(name);
        if (table.Rank != 2) throw new UsageException($"{file}: expected a 2-D table (rows of features, then the target), got shape ({string.Join("x", table.Shape)})");
        int n = table.Size(0), cols = table.Size(1);
        if (n < 2) throw new UsageException($"{file}: needs at least 2 rows, got {n}");
        if (cols < 2) throw new UsageException($"{file}: needs at least 2 columns (features, then the target), got {cols}");
        int f = cols - 1;
        var all = table.ToArray();
        for (int i = 0; i < all.Length; i++)
            if (!float.IsFinite(all[i])) throw new UsageException($"{file}: row {i / cols + 1}, column {i % cols + 1}: value {all[i].ToString(CultureInfo.InvariantCulture)} is not a finite number");
        var x = new float[n * f];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            Array.Copy(all, i * cols, x, i * f, f);
            y[i] = all[i * cols + f];
        }
        bool integral = y.All(v => v >= 0 && v == MathF.Floor(v) && v < 1000);
        int distinct = y.Distinct().Count();
        task ??= integral && distinct <= 50 ? "classification" : "regression";
        if (task == "classification")
        {
            if (!integral) throw new UsageException($"{Path.GetFileName(name)}: classification needs class indices 0, 1, 2, … in the last column");
            return new DataSet { Name = name, X = Tensor.FromArray(x, n, f), Y = Tensor.FromArray(y, n), Task = task, Outputs = Math.Max(2, (int)y.Max() + 1) };
        }
        return new DataSet { Name = name, X = Tensor.FromArray(x, n, f), Y = Tensor.FromArray(y, n, 1), Task = "regression", Outputs = 1 };
    }

    /// <summary>Reads a numeric CSV file (optional header) as a (rows, columns) tensor with Pitts.IO.Csv; a bad file raises a one-line <see cref="UsageException"/>.</summary>
    public static Tensor ReadCsv(string path)
    {
        if (!File.Exists(path)) throw new UsageException($"file not found: {path}");
        try { return Csv.Load(path, limits: CommandKit.Limits).Values; }
        catch (DataFormatException e) { throw new UsageException(e.Message); }
    }

    /// <summary>Reads a 2-D NumPy .npy array with Pitts.IO.Npy; a bad file raises a one-line <see cref="UsageException"/>.</summary>
    public static Tensor ReadNpy(string path)
    {
        if (!File.Exists(path)) throw new UsageException($"file not found: {path}");
        try { return Npy.Load(path, CommandKit.Limits); }
        catch (DataFormatException e) { throw new UsageException(e.Message); }
    }

    // ------------------------------------------------------------------ synthetic sets

    /// <summary>
    /// Generates a synthetic set with Pitts.Data's generators (Synthetic, Playground, Trajectories); the same options
    /// give the same numbers on every machine.
    /// </summary>
    public static DataSet MakeSynthetic(string name, SyntheticOptions o)
    {
        if (o.Samples < 4) throw new UsageException($"--samples must be at least 4, got {o.Samples}");
        if (!(o.Noise >= 0)) throw new UsageException($"--noise must be non-negative, got {o.Noise}");
        var g = new Generator(o.Seed ^ 0xDA7A5E7UL);
        int n = o.Samples;
        DataSet Regression(TensorDataset d) => new() { Name = name, X = d.Inputs, Y = d.Targets.Reshape(n, -1), Task = "regression", Outputs = 1 };
        DataSet Classes(TensorDataset d) => new() { Name = name, X = d.Inputs, Y = d.Targets.Reshape(-1), Task = "classification", Outputs = 2 };
        switch (name)
        {
            case "sine": return Regression(Synthetic.Sin(n, o.Noise, frequency: o.Frequency, generator: g));
            case "polynomial": return Regression(Synthetic.Polynomial(PolynomialCoefficients, n, noise: o.Noise, generator: g));
            case "moons": return Classes(Synthetic.Moons(n, o.Noise, g));
            case "circle": return Classes(Playground.Circle(n, o.Noise, g));
            case "xor": return Classes(Playground.Xor(n, o.Noise, g));
            case "gauss": return Classes(Playground.Gauss(n, o.Noise, g));
            case "spiral": return Classes(Playground.Spiral(n, o.Noise, g));
            case "damped-oscillator":
                {
                    // Trajectories of OscillatorSteps + 1 samples from random starts; each gives its windows of x.
                    int per = OscillatorSteps + 1 - o.Window;
                    if (per < 1) throw new UsageException($"--window {o.Window} is too long for trajectories of {OscillatorSteps + 1} steps");
                    int count = (n + per - 1) / per;
                    var batch = Trajectories.DampedOscillatorBatch(count, OscillatorSteps, OscillatorDt, noise: o.Noise, generator: g); // (count, T, 2)
                    var xs = new List<Tensor>();
                    var ys = new List<Tensor>();
                    for (int c = 0; c < count; c++)
                    {
                        var w = Trajectories.Windows(batch.Select(0, c).Narrow(1, 0, 1), o.Window); // x only: (T, 1)
                        xs.Add(w.Inputs);
                        ys.Add(w.Targets);
                    }
                    var x = Tensor.Cat(xs, 0).Narrow(0, 0, n);
                    var y = Tensor.Cat(ys, 0).Narrow(0, 0, n).Reshape(n, 1);
                    return new DataSet { Name = name, X = x, Y = y, Task = "regression", Outputs = 1, IsSequence = true };
                }
            case "lorenz":
                {
                    var w = Trajectories.Windows(Lorenz(n + o.Window), o.Window);
                    return new DataSet { Name = name, X = w.Inputs, Y = w.Targets.Reshape(n, 3), Task = "regression", Outputs = 3, IsSequence = true };
                }
            default:
                throw new UsageException($"unknown synthetic dataset '{name}'");
        }
    }

    /// <summary>Coefficients c0..c3 of the polynomial set, y = 0.3 - x + 2x³.</summary>
    public static readonly double[] PolynomialCoefficients = [0.3, -1, 0, 2];

    /// <summary>Steps of each damped-oscillator trajectory (ω = 1, ζ = 0.1, dt = <see cref="OscillatorDt"/>).</summary>
    public const int OscillatorSteps = 149;

    /// <summary>The damped oscillator's sampling step.</summary>
    public const double OscillatorDt = 0.2;

    /// <summary>The noise-free function behind a 1-D regression set.</summary>
    public static float Truth(string name, float x, float frequency = 1) => name == "sine"
        ? MathF.Sin(frequency * x)
        : (float)PolynomialCoefficients.Select((c, k) => c * Math.Pow(x, k)).Sum();

    /// <summary>x(t) of the damped oscillator from x = <paramref name="x0"/>, v = <paramref name="v0"/>, <paramref name="steps"/> + 1 samples as (T, 1).</summary>
    public static float[,] Oscillator(int steps, double x0, double v0)
    {
        var t = Trajectories.DampedOscillator(steps, OscillatorDt, x0: x0, v0: v0).ToArray(); // (T, 2)
        var r = new float[steps + 1, 1];
        for (int i = 0; i <= steps; i++) r[i, 0] = t[2 * i];
        return r;
    }

    /// <summary>
    /// Lorenz's system (σ = 10, ρ = 28, β = 8/3) from (1, 1, 1) by RK4 with dt = 0.02, <paramref name="steps"/> samples,
    /// scaled to order one as (x/20, y/20, (z - 25)/20).
    /// </summary>
    public static Tensor Lorenz(int steps)
    {
        var t = Trajectories.Lorenz(steps - 1, 0.02, y0: [1, 1, 1]).ToArray();
        for (int i = 0; i < t.Length; i++) t[i] = i % 3 == 2 ? (t[i] - 25) / 20 : t[i] / 20;
        return Tensor.FromArray(t, steps, 3);
    }

    /// <summary>The SHA-256 of a file as lowercase hex.</summary>
    public static string Sha256(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }
}
