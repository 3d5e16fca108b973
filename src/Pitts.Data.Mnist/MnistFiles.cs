using System.Reflection;

namespace Pitts.Data.Mnist;

/// <summary>
/// The shipped MNIST subset's four gzip-compressed IDX files, embedded in this assembly (licence CC BY-SA 3.0, see the
/// package readme); <c>Pitts.Data.Datasets.Mnist()</c> reads them through <see cref="Open"/> when this assembly is present.
/// </summary>
public static class MnistFiles
{
    /// <summary>The prefix of the embedded resources' names, followed by the file name (e.g. <c>train-images-idx3-ubyte.gz</c>).</summary>
    public const string ResourcePrefix = "Pitts.Data.Mnist.";

    /// <summary>The embedded file <paramref name="fileName"/> (e.g. <c>t10k-labels-idx1-ubyte.gz</c>), or null when there is none.</summary>
    public static Stream? Open(string fileName) => typeof(MnistFiles).Assembly.GetManifestResourceStream(ResourcePrefix + fileName);

    /// <summary>The names of the embedded files.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [.. typeof(MnistFiles).Assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Select(n => n[ResourcePrefix.Length..]).Order(StringComparer.Ordinal)];
}
