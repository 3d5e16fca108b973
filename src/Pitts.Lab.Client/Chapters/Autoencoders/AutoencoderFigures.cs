using System.Globalization;
using Pitts.IO;
using Pitts.Models;
using Pitts.NN;

namespace Pitts.Lab.Zoo;

/// <summary>
/// The autoencoder page's figure data for the two shipped denoisers, computed once ahead by scripts/lab-models
/// (<see cref="Compute"/>, <see cref="Save"/>) and shipped as <see cref="FileName"/>: each one's test MSE on the 2,004
/// held-out digits at every noise level of the page's slider, the noisy input's, and the 2-number model's codes of the
/// 1,000 digits the latent plane draws. The browser's .NET interpreter would take tens of seconds for these passes
/// (1.7 GFLOP for one test error); the page only looks them up.
/// </summary>
public sealed class DenoisingFigures
{
    private static readonly Lazy<DenoisingFigures?> ShippedLazy = new(() => ZooWeights.Load(FileName) is { } f ? FromFile(f) : null);

    /// <summary>The shipped file's short name (src/Pitts.Lab.Client/Models/denoising-figures.safetensors).</summary>
    public const string FileName = "denoising-figures";

    /// <summary>Digits per class drawn in the latent plane (the first of each class in the held-out set).</summary>
    public const int PerClass = LatentPlane.PerClass;

    /// <summary>The slider's noise levels σ = 0, 0.05, …, 1.</summary>
    public static readonly float[] Sigmas = [.. Enumerable.Range(0, 21).Select(i => i / 20f)];

    private DenoisingFigures(float[] noisy, float[] test2, float[] test32, float[] codes) =>
        (Noisy, TestMse2, TestMse32, Codes) = (noisy, test2, test32, codes);

    /// <summary>The shipped figures, or null when the file is missing (the page then computes what it shows).</summary>
    public static DenoisingFigures? Shipped => ShippedLazy.Value;

    /// <summary>The noisy input's test MSE at each of <see cref="Sigmas"/>.</summary>
    public float[] Noisy { get; }

    /// <summary>The shipped 2-number denoiser's test MSE at each of <see cref="Sigmas"/>.</summary>
    public float[] TestMse2 { get; }

    /// <summary>The shipped 32-number denoiser's test MSE at each of <see cref="Sigmas"/>.</summary>
    public float[] TestMse32 { get; }

    /// <summary>The 2-number model's codes (1000 × 2, row-major) of <c>LatentPlane.Sample</c>.</summary>
    public float[] Codes { get; }

    /// <summary>The shipped model's (reconstruction, noisy input) test MSE at <paramref name="sigma"/>, or null off the slider's grid.</summary>
    public (double Reconstruction, double Noisy)? TestError(int code, double sigma)
    {
        int i = (int)Math.Round(sigma * 20);
        if (i < 0 || i >= Sigmas.Length || Math.Abs(i / 20.0 - sigma) > 1e-9) return null;
        return ((code == 32 ? TestMse32 : TestMse2)[i], Noisy[i]);
    }

    /// <summary>Computes the figures of the two shipped models (natively, in scripts/lab-models).</summary>
    public static DenoisingFigures Compute(Autoencoder code2, Autoencoder code32)
    {
        var noisy = new float[Sigmas.Length];
        var t2 = new float[Sigmas.Length];
        var t32 = new float[Sigmas.Length];
        for (int i = 0; i < Sigmas.Length; i++)
        {
            (double r2, double n) = DenoisingTrainer.TestError(code2, Sigmas[i]);
            t2[i] = (float)r2;
            noisy[i] = (float)n;
            t32[i] = (float)DenoisingTrainer.TestError(code32, Sigmas[i]).Reconstruction;
        }
        var data = MnistArrays.Get();
        var codes = FigureData.LatentCodes(code2, MnistArrays.Rows(data.TestImages, LatentPlane.Sample(data.TestLabels))).ToArray(); // (1000, 2)
        return new DenoisingFigures(noisy, t2, t32, codes);
    }

    /// <summary>Reads a file written by <see cref="Save"/>; other shapes are refused with a clear message.</summary>
    public static DenoisingFigures FromFile(SafetensorsFile file)
    {
        float[] Get(string name, int length) => file.Tensors.TryGetValue(name, out var t) && t.Shape.Aggregate(1, (a, b) => a * b) == length
            ? t.ToArray()
            : throw new PittsException($"{FileName}.safetensors: tensor '{name}' of {length} values is missing; rerun scripts/lab-models {FileName}");
        return new DenoisingFigures(Get("noisy_mse", Sigmas.Length), Get("test_mse_2", Sigmas.Length), Get("test_mse_32", Sigmas.Length), Get("codes", 10 * PerClass * 2));
    }

    /// <summary>Writes the figures to <paramref name="path"/> (safetensors, atomic).</summary>
    public void Save(string path) => Safetensors.Save(path, new Dictionary<string, Tensor>
    {
        ["sigma"] = Tensor.FromArray(Sigmas),
        ["noisy_mse"] = Tensor.FromArray(Noisy),
        ["test_mse_2"] = Tensor.FromArray(TestMse2),
        ["test_mse_32"] = Tensor.FromArray(TestMse32),
        ["codes"] = Tensor.FromArray(Codes, 10 * PerClass, 2),
    }, new Dictionary<string, string>
    {
        ["recipe"] = "dotnet run -c Release --project scripts/lab-models -- " + FileName,
        ["note"] = string.Create(CultureInfo.InvariantCulture, $"test MSE of denoising-ae and denoising-ae-32 on the 2,004 held-out digits at sigma 0, 0.05, ..., 1; codes of the first {PerClass} held-out digits of each class"),
    });
}

/// <summary>
/// PCA of the shipped training digits, read once from the shipped file <see cref="FileName"/> (scripts/lab-models
/// writes it with <see cref="Compute"/> and <see cref="Save"/>: the 784×784 covariance and 300 power iterations take a
/// second natively but over a minute in the browser's interpreter), or computed when the file is missing.
/// </summary>
public sealed class PcaCache
{
    private static readonly Lazy<PcaCache> Shared = new(() => ZooWeights.Load(FileName) is { } file ? FromFile(file) : Compute());

    /// <summary>The shared result.</summary>
    public static PcaCache Get() => Shared.Value;

    /// <summary>The shipped file's short name (src/Pitts.Lab.Client/Models/mnist-pca.safetensors).</summary>
    public const string FileName = "mnist-pca";

    /// <summary>The largest code size offered.</summary>
    public const int MaxK = 8;

    private PcaCache(double[,] components, double[] eigenvalues, float[] mean, double totalVariance) =>
        (Components, Eigenvalues, Mean, TotalVariance) = (components, eigenvalues, mean, totalVariance);

    /// <summary>Computes the PCA of the 7,996 shipped training digits (<see cref="Pca.Fit"/>).</summary>
    public static PcaCache Compute()
    {
        var (c, e, m, total) = Pca.Fit(MnistArrays.Get().TrainImages, MaxK);
        return new PcaCache(c, e, m, total);
    }

    /// <summary>Reads a file written by <see cref="Save"/>; a file of other shapes is refused with a clear message.</summary>
    public static PcaCache FromFile(SafetensorsFile file)
    {
        if (!file.Tensors.TryGetValue("components", out var comps) || !comps.Shape.SequenceEqual([784, MaxK])
            || !file.Tensors.TryGetValue("mean", out var mean) || !mean.Shape.SequenceEqual([784])
            || !file.Metadata.TryGetValue("eigenvalues", out var eig) || !file.Metadata.TryGetValue("total_variance", out var total))
            throw new PittsException($"{FileName}.safetensors: expected components (784, {MaxK}), mean (784) and metadata eigenvalues, total_variance; rerun scripts/lab-models pca");
        var c = comps.ToArray();
        var m = new double[784, MaxK];
        for (int r = 0; r < 784; r++) for (int k = 0; k < MaxK; k++) m[r, k] = c[r * MaxK + k];
        var values = eig.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        if (values.Length != MaxK) throw new PittsException($"{FileName}.safetensors: {values.Length} eigenvalues, expected {MaxK}");
        return new PcaCache(m, values, mean.ToArray(), double.Parse(total, CultureInfo.InvariantCulture));
    }

    /// <summary>Writes the components and mean (float32) and the eigenvalues and total variance (exact, as text) to <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        var c = new float[784 * MaxK];
        for (int r = 0; r < 784; r++) for (int k = 0; k < MaxK; k++) c[r * MaxK + k] = (float)Components[r, k];
        Safetensors.Save(path, new Dictionary<string, Tensor> { ["components"] = Tensor.FromArray(c, 784, MaxK), ["mean"] = Tensor.FromArray(Mean) },
            new Dictionary<string, string>
            {
                ["eigenvalues"] = string.Join(',', Eigenvalues.Select(v => v.ToString("R", CultureInfo.InvariantCulture))),
                ["total_variance"] = TotalVariance.ToString("R", CultureInfo.InvariantCulture),
                ["recipe"] = "dotnet run -c Release --project scripts/lab-models -- pca",
            });
    }

    /// <summary>Top principal directions (784×MaxK).</summary>
    public double[,] Components { get; }

    /// <summary>Their eigenvalues (variances), descending.</summary>
    public double[] Eigenvalues { get; }

    /// <summary>The mean digit.</summary>
    public float[] Mean { get; }

    /// <summary>Total variance (trace of the covariance).</summary>
    public double TotalVariance { get; }

    /// <summary>MSE per pixel of the best rank-k reconstruction: (total − Σ top-k eigenvalues) / 784.</summary>
    public double ErrorWith(int k) => Pca.RankKError(TotalVariance, Eigenvalues, k, 784);
}
