using System.Globalization;
using Pitts.Cli.Commands;
using Pitts.Cli.Training;
using Pitts.Models;
using Pitts.NN;
using Pitts.Training;
using ScottPlot;

namespace Pitts.Cli.Plotting;

/// <summary>The PNG figures of <c>pitts plot</c> and <c>pitts train --plot</c>, drawn with ScottPlot in a sans-serif font with titles and labelled axes.</summary>
public static class Figures
{
    /// <summary>The font family of every figure (DejaVu Sans ships with Debian; ScottPlot falls back to its default sans-serif).</summary>
    public const string Font = "DejaVu Sans";

    /// <summary>The figure kinds and what each shows.</summary>
    public static IReadOnlyDictionary<string, string> Kinds { get; } = new Dictionary<string, string>
    {
        ["curves"] = "training and validation loss (and accuracy or R²) per epoch",
        ["fit"] = "a 1-D regression: the data, the model's curve and the true function",
        ["boundary"] = "the decision regions of a 2-D classifier with its data",
        ["reconstructions"] = "autoencoder rows: noisy input, output, clean target",
        ["latent"] = "the 2-D latent space of an autoencoder, coloured by label",
        ["filters"] = "the first convolution layer's kernels",
        ["features"] = "the first convolution layer's feature maps for one image",
        ["trajectory"] = "a sequence model's one-step and free-running predictions against the true trajectory",
    };

    private static Plot NewPlot(string title, string x, string y)
    {
        var plt = new Plot();
        plt.Font.Set(Font);
        plt.Title(title);
        plt.XLabel(x);
        plt.YLabel(y);
        return plt;
    }

    private static Color ClassColor(int i) => new ScottPlot.Palettes.Category10().GetColor(i);

    /// <summary>Runs a raw batch through the model in evaluation mode without recording a graph.</summary>
    public static Tensor Predict(Module model, ModelSpec spec, Tensor raw)
    {
        model.Eval();
        using var _ = Autograd.NoGrad();
        return model.Forward(spec.Normalize(raw));
    }

    /// <summary>
    /// Loss curves (log scale when they span more than a factor 20) and, beside them, accuracy or R² per epoch; a
    /// dashed line marks <paramref name="bestEpoch"/>, the epoch early stopping kept.
    /// </summary>
    public static void Curves(IReadOnlyList<EpochRecord> history, string title, string path, int? bestEpoch = null)
    {
        var (loss, metric) = CurvePlots(history, title, bestEpoch);
        if (metric is null) loss.SavePng(path, 800, 500);
        else SaveSideBySide(path, 1200, 480, loss, metric);
    }

    /// <summary>Most epochs drawn with a marker on each: a line through one point draws nothing, and a few points read better marked.</summary>
    internal const int MarkedEpochs = 50;

    /// <summary>
    /// The plots of <see cref="Curves"/>: the loss and, when the history records one, the accuracy or R². The epoch
    /// axis has whole-number ticks; up to <see cref="MarkedEpochs"/> epochs, every epoch is marked, so a run of one
    /// epoch shows its point instead of an empty frame.
    /// </summary>
    internal static (Plot Loss, Plot? Metric) CurvePlots(IReadOnlyList<EpochRecord> history, string title, int? bestEpoch = null)
    {
        if (history.Count == 0) throw new UsageException("curves: the checkpoint has no training history (train with --save to record one)");
        double[] ep = history.Select(h => (double)h.Epoch).ToArray();
        double[] tl = history.Select(h => h.Loss).ToArray();
        double[]? vl = history.All(h => h.ValLoss is not null) ? history.Select(h => h.ValLoss!.Value).ToArray() : null;
        var all = tl.Concat(vl ?? []).Where(v => v > 0).ToArray();
        bool log = all.Length > 0 && all.Max() / all.Min() > 20;
        double[] T(double[] v) => log ? v.Select(a => Math.Log10(Math.Max(a, 1e-12))).ToArray() : v;

        var loss = NewPlot(title, "epoch", log ? "loss (log scale)" : "loss");
        var s1 = loss.Add.ScatterLine(ep, T(tl));
        s1.LegendText = "training";
        s1.LineWidth = 2;
        if (vl is not null)
        {
            var s2 = loss.Add.ScatterLine(ep, T(vl));
            s2.LegendText = "validation";
            s2.LineWidth = 2;
        }
        if (log)
        {
            var ticks = new ScottPlot.TickGenerators.NumericAutomatic
            {
                LabelFormatter = v => Math.Pow(10, v).ToString("g3", CultureInfo.InvariantCulture),
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
            };
            loss.Axes.Left.TickGenerator = ticks;
        }
        if (bestEpoch is { } best)
        {
            var line = loss.Add.VerticalLine(best);
            line.LinePattern = LinePattern.Dashed;
            line.Color = Colors.Gray;
            line.LegendText = $"best validation loss (epoch {best}, weights kept)";
        }
        loss.ShowLegend(Alignment.UpperRight);

        bool hasTrainMetric = history.All(h => CheckpointInfo.TrainMetric(h) is not null);
        bool hasValMetric = history.All(h => CheckpointInfo.ValMetric(h) is not null);
        if (!hasTrainMetric && !hasValMetric)
        {
            StyleEpochAxis(loss, ep);
            return (loss, null);
        }
        bool accuracy = hasTrainMetric; // only classification records a training metric
        var metric = NewPlot(accuracy ? "accuracy" : "R² (coefficient of determination)", "epoch", accuracy ? "accuracy (%)" : "R²");
        double scale = accuracy ? 100 : 1;
        if (hasTrainMetric)
        {
            var m1 = metric.Add.ScatterLine(ep, history.Select(h => CheckpointInfo.TrainMetric(h)!.Value * scale).ToArray());
            m1.LegendText = "training";
            m1.LineWidth = 2;
        }
        if (hasValMetric)
        {
            var m2 = metric.Add.ScatterLine(ep, history.Select(h => CheckpointInfo.ValMetric(h)!.Value * scale).ToArray());
            m2.LegendText = "validation";
            m2.LineWidth = 2;
            m2.Color = new ScottPlot.Palettes.Category10().GetColor(1);
        }
        metric.ShowLegend(Alignment.LowerRight);
        StyleEpochAxis(loss, ep);
        StyleEpochAxis(metric, ep);
        return (loss, metric);
    }

    private static void StyleEpochAxis(Plot plt, double[] epochs)
    {
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (epochs.Length > MarkedEpochs) return;
        foreach (var s in plt.GetPlottables().OfType<ScottPlot.Plottables.Scatter>())
        {
            s.MarkerSize = 7;
            s.MarkerShape = MarkerShape.FilledCircle;
        }
        if (epochs.Length == 1) plt.Axes.SetLimitsX(epochs[0] - 1, epochs[0] + 1);
    }

    private static void SaveSideBySide(string path, int width, int height, params Plot[] plots)
    {
        var mp = new Multiplot(plots[0]);
        foreach (var p in plots.Skip(1)) mp.Subplots.Add(p);
        mp.Layout = new ScottPlot.MultiplotLayouts.Columns();
        mp.SavePng(path, width, height);
    }

    /// <summary>
    /// A 1-D regression: the training points, the held-out (validation and test) points, the model's curve over the
    /// data's range and, when known, the true function. The y axis spans the data (a wild curve is cut off, not
    /// allowed to flatten the data into a line).
    /// </summary>
    public static void Fit(Module model, ModelSpec spec, (Tensor X, Tensor Y) train, (Tensor X, Tensor Y)? heldOut, Func<float, float>? truth, string title, string path)
    {
        if (spec.InputSize != 1 || spec.Task != "regression")
            throw new UsageException($"fit needs a regression model with one input, this one is a {spec.Task} model with input {ModelSpec.Show(spec.InputShape)}");
        double[] D(Tensor t) => t.ToArray().Select(v => (double)v).ToArray();
        var xs = D(train.X);
        var ys = D(train.Y);
        var hx = heldOut is { } h ? D(h.X) : [];
        var hy = heldOut is { } h2 ? D(h2.Y) : [];
        var allX = xs.Concat(hx).ToArray();
        var allY = ys.Concat(hy).ToArray();
        double lo = allX.Min(), hi = allX.Max(), pad = 0.05 * (hi - lo);
        var grid = Tensor.Linspace((float)(lo - pad), (float)(hi + pad), 400).Reshape(400, 1);
        var pred = D(Predict(model, spec, grid).Reshape(-1));
        var gx = D(grid);
        var plt = NewPlot(title, "x", "y");
        double ylo = allY.Min(), yhi = allY.Max();
        if (truth is not null)
        {
            var ty = gx.Select(v => (double)truth((float)v)).ToArray();
            (ylo, yhi) = (Math.Min(ylo, ty.Min()), Math.Max(yhi, ty.Max()));
            var t = plt.Add.ScatterLine(gx, ty);
            t.LegendText = "true function";
            t.LinePattern = LinePattern.Dashed;
            t.Color = Colors.Gray;
            t.LineWidth = 2;
        }
        var pts = plt.Add.ScatterPoints(xs, ys);
        pts.LegendText = $"training data ({xs.Length} points)";
        pts.MarkerSize = 7;
        pts.Color = ClassColor(0);
        if (hx.Length > 0)
        {
            var hp = plt.Add.ScatterPoints(hx, hy);
            hp.LegendText = $"held-out data ({hx.Length} points)";
            hp.MarkerSize = 7;
            hp.MarkerShape = MarkerShape.OpenCircle;
            hp.Color = ClassColor(2);
        }
        var m = plt.Add.ScatterLine(gx, pred);
        m.LegendText = "model";
        m.LineWidth = 3;
        m.Color = ClassColor(3);
        double ypad = 0.35 * Math.Max(yhi - ylo, 1e-6);
        plt.Axes.SetLimits(lo - pad, hi + pad, ylo - ypad, yhi + ypad);
        plt.ShowLegend(Alignment.UpperLeft);
        plt.SavePng(path, 800, 500);
    }

    /// <summary>The decision regions of a 2-D classifier (the predicted class's probability as colour) with the labelled points.</summary>
    public static void Boundary(Module model, ModelSpec spec, Tensor x, Tensor labels, string title, string path)
    {
        if (spec.InputSize != 2 || spec.Task != "classification")
            throw new UsageException($"boundary needs a classifier with two inputs, this one is a {spec.Task} model with input {ModelSpec.Show(spec.InputShape)}");
        var xs = x.ToArray();
        var ys = labels.ToArray();
        int n = ys.Length;
        double x0 = double.MaxValue, x1 = double.MinValue, y0 = double.MaxValue, y1 = double.MinValue;
        for (int i = 0; i < n; i++)
        {
            x0 = Math.Min(x0, xs[2 * i]); x1 = Math.Max(x1, xs[2 * i]);
            y0 = Math.Min(y0, xs[2 * i + 1]); y1 = Math.Max(y1, xs[2 * i + 1]);
        }
        double px = 0.08 * (x1 - x0), py = 0.08 * (y1 - y0);
        (x0, x1, y0, y1) = (x0 - px, x1 + px, y0 - py, y1 + py);
        const int res = 160;
        var g = new float[res * res * 2];
        for (int r = 0; r < res; r++)
            for (int c = 0; c < res; c++)
            {
                g[(r * res + c) * 2] = (float)(x0 + (x1 - x0) * (c + 0.5) / res);
                g[(r * res + c) * 2 + 1] = (float)(y1 - (y1 - y0) * (r + 0.5) / res); // row 0 at the top
            }
        var probs = Predict(model, spec, Tensor.FromArray(g, res * res, 2)).Softmax(1);
        int classes = probs.Size(1);
        var p = probs.ToArray();
        var z = new double[res, res];
        for (int r = 0; r < res; r++)
            for (int c = 0; c < res; c++)
            {
                int i = r * res + c;
                // Two classes: P(class 1); more: the winning class index.
                z[r, c] = classes == 2 ? p[i * 2 + 1] : Enumerable.Range(0, classes).MaxBy(k => p[i * classes + k]);
            }
        var plt = NewPlot(title, "x₁", "x₂");
        var hm = plt.Add.Heatmap(z);
        hm.Extent = new CoordinateRect(x0, x1, y0, y1);
        // Two classes: a diverging map through white at P = 0.5 shows the margin; more: one light colour per class.
        hm.Colormap = classes == 2
            ? new ScottPlot.Colormaps.Custom([ClassColor(0).Lighten(0.55), Colors.White, ClassColor(1).Lighten(0.55)])
            : new ScottPlot.Colormaps.Custom([.. Enumerable.Range(0, classes).Select(k => ClassColor(k).Lighten(0.55))]);
        hm.ManualRange = classes == 2 ? new ScottPlot.Range(0, 1) : new ScottPlot.Range(0, classes - 1);
        for (int k = 0; k < Math.Max(classes, 2); k++)
        {
            var idx = Enumerable.Range(0, n).Where(i => (int)ys[i] == k).ToArray();
            if (idx.Length == 0) continue;
            var sp = plt.Add.ScatterPoints(idx.Select(i => (double)xs[2 * i]).ToArray(), idx.Select(i => (double)xs[2 * i + 1]).ToArray());
            sp.Color = ClassColor(k);
            sp.MarkerSize = 6;
            sp.LegendText = spec.ClassNames is { } names && k < names.Length ? names[k] : $"class {k}";
        }
        if (classes == 2)
        {
            var bar = plt.Add.ColorBar(hm);
            bar.Label = "P(class 1)";
        }
        plt.Axes.SetLimits(x0, x1, y0, y1);
        plt.ShowLegend(Alignment.UpperRight);
        plt.SavePng(path, 760, 620);
    }

    /// <summary>Draws images (H, W) as a grid of grey heatmaps with a caption above each column.</summary>
    private static Plot ImageGrid(IReadOnlyList<float[,]> images, int columns, string[] columnTitles, string title)
    {
        int rows = (images.Count + columns - 1) / columns;
        var plt = new Plot();
        plt.Font.Set(Font);
        const double gap = 0.06;
        for (int i = 0; i < images.Count; i++)
        {
            int r = i / columns, c = i % columns;
            var img = images[i];
            var z = new double[img.GetLength(0), img.GetLength(1)];
            for (int a = 0; a < z.GetLength(0); a++) for (int b = 0; b < z.GetLength(1); b++) z[a, b] = img[a, b];
            var hm = plt.Add.Heatmap(z);
            hm.Colormap = new ScottPlot.Colormaps.Grayscale();
            hm.Extent = new CoordinateRect(c + gap, c + 1 - gap, -r - 1 + gap, -r - gap);
        }
        for (int c = 0; c < columnTitles.Length && c < columns; c++)
        {
            var t = plt.Add.Text(columnTitles[c], c + 0.5, 0.05);
            t.LabelAlignment = Alignment.LowerCenter;
            t.LabelFontSize = 15;
            t.LabelFontName = Font;
        }
        var head = plt.Add.Text(title, columns / 2.0, columnTitles.Length > 0 ? 0.45 : 0.1);
        head.LabelAlignment = Alignment.LowerCenter;
        head.LabelFontSize = 18;
        head.LabelFontName = Font;
        head.LabelBold = true;
        plt.Axes.SetLimits(0, columns, -rows, columnTitles.Length > 0 ? 0.95 : 0.5);
        plt.HideGrid();
        plt.Axes.Frameless();
        return plt;
    }

    private static float[,] Image(Tensor batch, int index)
    {
        int h = batch.Size(-2), w = batch.Size(-1);
        var v = batch.Select(0, index).Reshape(-1).ToArray();
        var img = new float[h, w];
        for (int r = 0; r < h; r++) for (int c = 0; c < w; c++) img[r, c] = v[(v.Length - h * w) + r * w + c];
        return img;
    }

    /// <summary>Rows of (noisy input, reconstruction, clean target) for the first images of a batch.</summary>
    public static void Reconstructions(Autoencoder model, ModelSpec spec, Tensor clean, float noise, Generator g, string title, string path)
    {
        int n = Math.Min(8, clean.Size(0));
        var x = clean.Narrow(0, 0, n);
        var (noisy, output) = FigureData.Reconstructions(model, x, noise, g, spec);   // the lab's autoencoder page computes the same
        var images = new List<float[,]>();
        for (int i = 0; i < n; i++)
        {
            images.Add(Image(noisy, i));
            images.Add(Image(output, i));
            images.Add(Image(x, i));
        }
        var plt = ImageGrid(images, 3, [noise > 0 ? $"noisy input (σ = {noise.ToString("0.##", CultureInfo.InvariantCulture)})" : "input", "output", "clean target"], title);
        plt.SavePng(path, 3 * 170, (int)((n + 0.95) * 170));
    }

    /// <summary>The autoencoder's 2-D codes of labelled images, one colour per label.</summary>
    public static void Latent(Autoencoder model, ModelSpec spec, Tensor x, Tensor labels, string title, string path)
    {
        if (spec.Latent != 2) throw new UsageException($"latent needs an autoencoder with a 2-D code (--latent 2), this one has {spec.Latent}");
        var zs = FigureData.LatentCodes(model, x, spec).ToArray();                     // (N, 2), as the lab's latent plane
        var ys = labels.ToArray();
        var plt = NewPlot(title, "z₁", "z₂");
        int classes = (int)ys.Max() + 1;
        for (int k = 0; k < classes; k++)
        {
            var idx = Enumerable.Range(0, ys.Length).Where(i => (int)ys[i] == k).ToArray();
            if (idx.Length == 0) continue;
            var sp = plt.Add.ScatterPoints(idx.Select(i => (double)zs[2 * i]).ToArray(), idx.Select(i => (double)zs[2 * i + 1]).ToArray());
            sp.Color = ClassColor(k);
            sp.MarkerSize = 4;
            sp.LegendText = spec.ClassNames is { } names && k < names.Length ? names[k] : k.ToString(CultureInfo.InvariantCulture);
        }
        plt.ShowLegend(Alignment.UpperRight);
        plt.SavePng(path, 800, 680);
    }

    /// <summary>Kernels (out, in, k, k) of a convolution as a grid of small heatmaps (first input channel).</summary>
    public static void Filters(Tensor weight, string title, string path)
    {
        int outC = weight.Size(0);
        var images = new List<float[,]>();
        for (int o = 0; o < outC; o++) images.Add(Image(weight.Select(0, o).Select(0, 0).Unsqueeze(0), 0));
        int cols = Math.Min(8, outC);
        var plt = ImageGrid(images, cols, [], title);
        plt.SavePng(path, 110 * cols, (int)(110 * ((outC + cols - 1) / cols + 0.5)));
    }

    /// <summary>One image and its feature maps (channels, H, W) after the first convolution and activation.</summary>
    public static void FeatureMaps(Tensor image, Tensor maps, string title, string path)
    {
        var images = new List<float[,]> { Image(image.Unsqueeze(0), 0) };
        for (int c = 0; c < maps.Size(0); c++) images.Add(Image(maps.Select(0, c).Unsqueeze(0), 0));
        int cols = Math.Min(9, images.Count);
        var plt = ImageGrid(images, cols, [], title);
        plt.SavePng(path, 110 * cols, (int)(110 * ((images.Count + cols - 1) / cols + 0.5)));
    }

    /// <summary>
    /// A sequence model on a fresh trajectory: the true values, the one-step predictions (each from the true
    /// window before it) and a free-running rollout that feeds its own predictions back.
    /// </summary>
    public static void Trajectory(Module model, ModelSpec spec, float[,] truth, int window, double dt, string title, string path)
    {
        int steps = truth.GetLength(0), f = truth.GetLength(1);
        if (spec.InputShape.Length != 2 || spec.InputShape[0] != window || spec.InputShape[1] != f)
            throw new UsageException($"trajectory: the model takes windows of shape {ModelSpec.Show(spec.InputShape)}, not ({window}x{f})");
        var oneStep = new double[steps - window];
        var free = new double[steps - window];
        var buf = new float[window * f];
        for (int t = 0; t < window; t++) for (int j = 0; j < f; j++) buf[t * f + j] = truth[t, j];
        // one-step: all windows in one batch
        var xs = new float[(steps - window) * window * f];
        for (int i = 0; i < steps - window; i++)
            for (int t = 0; t < window; t++) for (int j = 0; j < f; j++) xs[(i * window + t) * f + j] = truth[i + t, j];
        var p = Predict(model, spec, Tensor.FromArray(xs, steps - window, window, f)).ToArray();
        for (int i = 0; i < oneStep.Length; i++) oneStep[i] = p[i * f];
        for (int i = 0; i < free.Length; i++)
        {
            var y = Predict(model, spec, Tensor.FromArray((float[])buf.Clone(), 1, window, f)).ToArray();
            free[i] = y[0];
            Array.Copy(buf, f, buf, 0, (window - 1) * f);
            for (int j = 0; j < f; j++) buf[(window - 1) * f + j] = y[j];
        }
        var time = Enumerable.Range(0, steps).Select(i => i * dt).ToArray();
        var plt = NewPlot(title, "time t", f == 1 ? "x(t)" : "x(t) (first component)");
        var tr = plt.Add.ScatterLine(time, Enumerable.Range(0, steps).Select(i => (double)truth[i, 0]).ToArray());
        tr.LegendText = "true trajectory";
        tr.LineWidth = 3;
        tr.Color = Colors.Gray;
        var ctx = plt.Add.HorizontalSpan(0, (window - 1) * dt);
        ctx.FillStyle.Color = Colors.Gray.WithAlpha(0.15);
        ctx.LegendText = "first window (given)";
        var a = plt.Add.ScatterLine(time[window..], oneStep);
        a.LegendText = "one-step prediction";
        a.LineWidth = 2;
        a.Color = ClassColor(0);
        var b = plt.Add.ScatterLine(time[window..], free);
        b.LegendText = "free-running prediction";
        b.LineWidth = 2;
        b.LinePattern = LinePattern.Dashed;
        b.Color = ClassColor(3);
        plt.ShowLegend(Alignment.UpperRight);
        plt.SavePng(path, 900, 500);
    }
}
