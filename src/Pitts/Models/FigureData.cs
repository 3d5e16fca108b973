using Pitts.Data;
using Pitts.NN;

namespace Pitts.Models;

/// <summary>
/// The data behind the figures of autoencoders and CNNs, computed once here for both faces that draw them: the
/// command line's PNGs (<c>pitts plot</c>) and the lab's pages (SVG and images in the browser). Each runs the model in
/// evaluation mode without recording a graph; a <see cref="ModelSpec"/>, when given, normalises the input as the model
/// was trained.
/// </summary>
public static class FigureData
{
    /// <summary>Gaussian pixel noise x̃ = clip(x + σ·ε, 0, 1), ε ~ N(0, 1) per pixel (none, and no draws, for σ ≤ 0): the corruption a denoising autoencoder undoes.</summary>
    public static Tensor Corrupt(Tensor x, float sigma, Generator generator) =>
        sigma <= 0 ? x : Augment.GaussianNoise(x, sigma, generator, clampMin: 0f, clampMax: 1f);

    /// <summary>The noisy inputs x̃ = <see cref="Corrupt"/>(x) of clean images <paramref name="clean"/> and the autoencoder's reconstructions g(f(x̃)).</summary>
    public static (Tensor Noisy, Tensor Reconstruction) Reconstructions(Autoencoder model, Tensor clean, float sigma, Generator generator, ModelSpec? spec = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var noisy = Corrupt(clean, sigma, generator);
        model.Eval();
        using var _ = Autograd.NoGrad();
        return (noisy, model.Forward(spec is null ? noisy : spec.Normalize(noisy)));
    }

    /// <summary>The codes z = f(x) of <paramref name="x"/>: (N, latent), row-major.</summary>
    public static Tensor LatentCodes(Autoencoder model, Tensor x, ModelSpec? spec = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Eval();
        using var _ = Autograd.NoGrad();
        return model.Encode(spec is null ? x : spec.Normalize(x));
    }

    /// <summary>
    /// The feature maps of images <paramref name="images"/> (N, C, H, W) after each convolution of <paramref name="model"/>
    /// and the layer that follows it (its activation): (N, channels, h, w) per convolution, first layer first. The model is
    /// the lab's <see cref="DigitCnn"/> or a <see cref="Sequential"/> such as <see cref="ModelSpec"/>'s <c>cnn</c>.
    /// </summary>
    public static IReadOnlyList<Tensor> FeatureMaps(Module model, Tensor images, ModelSpec? spec = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Eval();
        using var _ = Autograd.NoGrad();
        var x = spec is null ? images : spec.Normalize(images);
        switch (model)
        {
            case DigitCnn cnn:
                var f = cnn.Features(x);
                return [f.Conv1, f.Conv2];                                   // (N, 8, 24, 24), (N, 16, 8, 8)
            case Sequential seq:
                int last = -1;
                for (int i = 0; i < seq.Count; i++) if (seq[i] is Conv2d) last = i;
                if (last < 0) break;
                var maps = new List<Tensor>();
                for (int i = 0; i <= Math.Min(last + 1, seq.Count - 1); i++)
                {
                    x = seq[i].Forward(x);
                    // After each convolution's next layer (its activation), or after a convolution that ends the model.
                    if ((i > 0 && seq[i - 1] is Conv2d) || (seq[i] is Conv2d && i == seq.Count - 1)) maps.Add(x);
                }
                return maps;
        }
        throw new ShapeException($"FigureData.FeatureMaps: the model ({model.GetType().Name}) has no convolution layer");
    }
}
