using System.Globalization;
using Pitts.Cli.Commands;
using Pitts.Cli.Training;
using Pitts.Models;
using Pitts.NN;
using Pitts.Training;

namespace Pitts.Cli.Plotting;

/// <summary>Draws one figure kind for a trained zoo model, reloading the data it was trained on when the figure needs it.</summary>
public static class PlotRenderer
{
    /// <summary>
    /// Draws figure <paramref name="kind"/> to <paramref name="path"/>; <paramref name="options"/> names the data (null:
    /// figures that need data fail with a usage message); <paramref name="bestEpoch"/> marks early stopping's choice.
    /// </summary>
    public static void Render(string kind, Module model, ModelSpec spec, TrainOptions? options, IReadOnlyList<EpochRecord> history, string path, int? bestEpoch = null)
    {
        string name = options?.Dataset ?? spec.Dataset ?? "data";
        string title = $"{spec.Describe()} on {name}";
        DataSet Data()
        {
            if (options is null) throw new UsageException($"{kind}: the checkpoint does not say which data it was trained on; pass --dataset");
            return DataSources.Load(options.Dataset, options.SyntheticFor(options.Dataset), options.Task, options.Limit);
        }
        switch (kind)
        {
            case "curves":
                Figures.Curves(history, title, path, bestEpoch);
                break;
            case "fit":
                {
                    var d = Data();
                    Func<float, float>? truth = d.Name is "sine" or "polynomial" ? x => DataSources.Truth(d.Name, x, options!.Frequency) : null;
                    var (train, val, test) = TrainSession.PrepareSplits(options!, spec, normalize: false);
                    (Tensor, Tensor)? held = (val, test) switch
                    {
                        (null, null) => null,
                        ({ } v, null) => v,
                        (null, { } t) => t,
                        ({ } v, { } t) => (Tensor.Cat([v.X, t.X], 0), Tensor.Cat([v.Y, t.Y], 0)),
                    };
                    var m = TrainSession.EvaluateModel(model, spec.Task, spec.Normalize(d.X), d.Y);
                    Figures.Fit(model, spec, train, held, truth, $"{title}, R² = {m.R2?.ToString("0.000", CultureInfo.InvariantCulture) ?? "-"} on all data", path);
                    break;
                }
            case "boundary":
                {
                    var d = Data();
                    var m = TrainSession.EvaluateModel(model, spec.Task, spec.Normalize(d.X), d.Y);
                    Figures.Boundary(model, spec, d.X, d.Y, $"{title}, accuracy {(m.Accuracy ?? 0) * 100:0.0}%", path);
                    break;
                }
            case "reconstructions":
                {
                    var ae = model as Autoencoder ?? throw new UsageException($"reconstructions need an autoencoder, this is a {spec.Kind}");
                    var d = Data();
                    float noise = options!.Denoise > 0 ? options.Denoise : 0f;
                    Figures.Reconstructions(ae, spec, ImagesOf(d.TestX ?? d.X, spec), noise, new Generator(options.Seed + 99), $"{spec.Kind} on {name}: test images", path);
                    break;
                }
            case "latent":
                {
                    var ae = model as Autoencoder ?? throw new UsageException($"latent needs an autoencoder, this is a {spec.Kind}");
                    var d = Data();
                    var x = d.TestX ?? d.X;
                    var y = d.TestY ?? d.Y;
                    CommandKit.Require(y.Rank == 1, "latent needs labelled data to colour the codes");
                    int n = Math.Min(3000, x.Size(0));
                    Figures.Latent(ae, spec, ImagesOf(x.Narrow(0, 0, n), spec), y.Narrow(0, 0, n), $"2-D latent space of {n} test images ({name})", path);
                    break;
                }
            case "filters":
                {
                    var (conv, _) = FirstConv(model, spec);
                    Figures.Filters(conv, $"first-layer filters ({conv.Size(0)} of {conv.Size(2)}x{conv.Size(3)})", path);
                    break;
                }
            case "features":
                {
                    var d = Data();
                    var image = ImagesOf((d.TestX ?? d.X).Narrow(0, 0, 1), spec);
                    var maps = FeatureMaps(model, spec, image);
                    Figures.FeatureMaps(image.Select(0, 0), maps, "an image and its first-layer feature maps", path);
                    break;
                }
            case "trajectory":
                {
                    CommandKit.Require(options is not null && options.Dataset is "damped-oscillator" or "lorenz",
                        "trajectory needs a model trained on damped-oscillator or lorenz");
                    float[,] truth;
                    double dt;
                    if (options!.Dataset == "damped-oscillator")
                    {
                        truth = DataSources.Oscillator(DataSources.OscillatorSteps, 1.0, 0.0);
                        dt = DataSources.OscillatorDt;
                    }
                    else
                    {
                        // The part of Lorenz's trajectory after the training windows, which the model has not seen.
                        var so = options.SyntheticFor("lorenz");
                        var full = DataSources.Lorenz(so.Samples + so.Window + 300).ToArray();
                        truth = new float[300, 3];
                        int start = (so.Samples + so.Window) * 3;
                        for (int i = 0; i < 300; i++) for (int j = 0; j < 3; j++) truth[i, j] = full[start + i * 3 + j];
                        dt = 0.02;
                    }
                    Figures.Trajectory(model, spec, truth, spec.InputShape[0], dt, $"{spec.Kind} on {options.Dataset}: predicted vs true", path);
                    break;
                }
            default:
                throw new UsageException($"unknown figure '{kind}' (known: {string.Join(", ", Figures.Kinds.Keys)})");
        }
    }

    private static Tensor ImagesOf(Tensor x, ModelSpec spec)
    {
        if (x.Rank == 4) return x;
        throw new UsageException($"this figure needs images, the data has samples of shape {ModelSpec.Show(x.Shape.ToArray()[1..])}");
    }

    /// <summary>The first convolution layer's weight (out, in, k, k) and its index in a Sequential model.</summary>
    public static (Tensor Weight, int Index) FirstConv(Module model, ModelSpec spec)
    {
        if (model is Sequential seq)
            for (int i = 0; i < seq.Count; i++)
                if (seq[i].GetType().Name == "Conv2d")
                    return (seq[i].NamedParameters().First(p => p.Name == "weight").Parameter, i);
        throw new UsageException($"this figure needs a convolutional model (--model cnn), this is a {spec.Kind}");
    }

    /// <summary>The feature maps (channels, H, W) of one image after the first convolution and its activation.</summary>
    public static Tensor FeatureMaps(Module model, ModelSpec spec, Tensor image)
    {
        _ = FirstConv(model, spec);                                                      // a clear message for a model without one
        return FigureData.FeatureMaps(model, image, spec)[0].Select(0, 0);               // (channels, H, W), as the lab's depth page
    }
}
