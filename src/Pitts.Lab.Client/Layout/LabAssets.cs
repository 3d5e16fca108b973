namespace Pitts.Lab.Services;

/// <summary>
/// The lab's large assets, each an assembly of its own that the browser downloads only on the pages that need it
/// (<c>BlazorWebAssemblyLazyLoad</c> in the client's project file; <c>Routes.razor</c> loads them before it shows such
/// a page). Natively (tests, scripts, a recipe run on its own) they are ordinary references, loaded on first use.
/// </summary>
public static class LabAssets
{
    /// <summary>The 10,000 MNIST digits that <c>Datasets.Mnist()</c> reads (1.6 MB compressed).</summary>
    public const string Mnist = "Pitts.Data.Mnist";

    /// <summary>The shipped weights of the CNN, the RNN and LSTM and the attention models (0.2 MB).</summary>
    public const string Weights = "Pitts.Lab.Models";

    /// <summary>The shipped weights of the two denoising autoencoders and the autoencoder page's figure data (the PCA of the digits, the denoisers' errors and codes; 3.5 MB).</summary>
    public const string AutoencoderWeights = "Pitts.Lab.Models.Autoencoders";

    /// <summary>What each asset is, for the line the page shows while it arrives.</summary>
    public static string Describe(string assembly) => assembly switch
    {
        Mnist => "the MNIST digits",
        Weights => "the trained weights",
        AutoencoderWeights => "the autoencoders' trained weights",
        _ => assembly,
    };

    /// <summary>The assembly that holds the shipped weights file <paramref name="weights"/> (a name of <c>ZooWeights.Names</c>).</summary>
    public static string WeightsAssembly(string weights) =>
        weights.StartsWith("denoising-", StringComparison.Ordinal) || weights == "mnist-pca" ? AutoencoderWeights : Weights;

    /// <summary>The assets the page at <paramref name="path"/> (relative to the base, with or without query) needs; none for most pages.</summary>
    public static IReadOnlyList<string> ForPage(string path)
    {
        var slug = path.AsSpan();
        int end = slug.IndexOfAny('?', '#');
        if (end >= 0) slug = slug[..end];
        return slug.Trim('/').ToString() switch
        {
            "zoo" or "convolution" or "depth" => [Mnist, Weights],
            "autoencoder" => [Mnist, AutoencoderWeights],
            "recurrent" or "attention" => [Weights],
            _ => [],
        };
    }

    /// <summary>The file names the browser's lazy loader fetches for <paramref name="assemblies"/> (WebAssembly's Webcil files).</summary>
    public static IEnumerable<string> Files(IEnumerable<string> assemblies) => assemblies.Select(a => a + ".wasm");
}
