using System.Globalization;
using Pitts.IO;
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
    public const int PerClass = 100;

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

    /// <summary>The 2-number model's codes (1000 × 2, row-major) of <c>TestIndicesPerClass(PerClass)</c>.</summary>
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
        using var _ = Autograd.NoGrad();
        var data = MnistArrays.Get();
        var codes = code2.Encode(MnistArrays.Rows(data.TestImages, data.TestIndicesPerClass(PerClass))).ToArray(); // (1000, 2)
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
