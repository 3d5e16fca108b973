using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Pitts.Cli.Plotting;
using Pitts.Cli.Training;
using Pitts.Models;
using Pitts.Training;
using Spectre.Console;

namespace Pitts.Cli.Commands;

/// <summary>pitts train: a zoo model on a data set, with progress, final metrics, checkpoints, exact resume and figures.</summary>
public static class TrainCommand
{
    /// <summary>Builds the train command.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = $"Model from the zoo: {string.Join(" | ", ModelSpec.Kinds)}", DefaultValueFactory = _ => "mlp" };
        var dataset = new Option<string>("--dataset", "-d")
        {
            Description = $"mnist (shipped subset) | fashion-mnist | a folder of IDX files | a .csv or .npy file (last column is the target) | a synthetic set: {string.Join(", ", DataSources.SyntheticNames)}",
            DefaultValueFactory = _ => "sine",
        };
        var hidden = new Option<string?>("--hidden") { Description = "Hidden sizes, e.g. 128,64 (MLP widths, autoencoder encoder, CNN channels, RNN state)" };
        var activation = new Option<string>("--activation") { Description = $"Hidden activation: {string.Join(" | ", ModelSpec.Activations)}", DefaultValueFactory = _ => "relu" };
        var optimizer = new Option<string>("--optimizer") { Description = "sgd | momentum (SGD, 0.9) | adam | adamw | rmsprop", DefaultValueFactory = _ => "adam" };
        var lr = new Option<float?>("--lr") { Description = "Learning rate (default 0.01 for sgd and momentum, 0.001 otherwise)" };
        var schedule = new Option<string?>("--schedule") { Description = "Learning-rate schedule: constant | cosine (from --lr to 0 over the epochs); default cosine for cnn, else constant" };
        var wd = new Option<float>("--weight-decay") { Description = "Weight decay λ: L2 penalty (decoupled for adamw)" };
        var dropout = new Option<float>("--dropout") { Description = "Dropout probability after each hidden activation" };
        var batch = new Option<int>("--batch-size", "-b") { Description = "Samples per batch; 0 trains on the whole set at once", DefaultValueFactory = _ => 64 };
        var epochs = new Option<int?>("--epochs", "-e") { Description = "Number of epochs (default 10; with --resume, the new total)" };
        var early = new Option<int>("--early-stopping") { Description = "Stop when the validation loss has not improved for PATIENCE epochs, keeping the best weights" };
        var augment = new Option<string?>("--augment") { Description = "Augmentations of training inputs: shift,flip,noise" };
        var denoise = new Option<float>("--denoise") { Description = "Autoencoder: add Gaussian noise of this σ to inputs, reconstruct the clean ones" };
        var val = new Option<double>("--val-split") { Description = "Fraction held out for validation", DefaultValueFactory = _ => 0.15 };
        var test = new Option<double>("--test-split") { Description = "Fraction held out for testing (data sets with their own test part keep it)", DefaultValueFactory = _ => 0.15 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of data, splits, weights, shuffles, dropout and augmentation", DefaultValueFactory = _ => 1 };
        var samples = new Option<int>("--samples") { Description = "Synthetic sets: number of samples (default depends on the set)" };
        var noise = new Option<float?>("--noise") { Description = "Synthetic sets: noise level (default depends on the set)" };
        var frequency = new Option<float>("--frequency") { Description = "sine: y = sin(ωx) with this ω", DefaultValueFactory = _ => 1 };
        var degree = new Option<int>("--degree") { Description = "poly model: polynomial degree", DefaultValueFactory = _ => 3 };
        var latent = new Option<int>("--latent") { Description = "autoencoder: code size", DefaultValueFactory = _ => 2 };
        var kernel = new Option<int>("--kernel") { Description = "cnn: kernel size k of the k×k convolutions (odd)", DefaultValueFactory = _ => 5 };
        var batchNorm = new Option<bool>("--batch-norm") { Description = "cnn: BatchNorm2d after each convolution (--batch-norm false for the lecture's plain CNN)", DefaultValueFactory = _ => true };
        var heads = new Option<int>("--heads") { Description = "transformer: attention heads (the width must be a multiple)", DefaultValueFactory = _ => 2 };
        var window = new Option<int>("--window") { Description = "Sequence sets: steps per input window", DefaultValueFactory = _ => 20 };
        var task = new Option<string?>("--task") { Description = "CSV/npy data: classification or regression (default: inferred from the target column)" };
        var limit = new Option<int?>("--limit") { Description = "Image sets: use at most this many training images" };
        var save = new Option<string?>("--save", "-s") { Description = "Checkpoint file (.safetensors): model, optimizer, epoch and RNG state, written after every epoch" };
        var resume = new Option<string?>("--resume") { Description = "Continue the run saved in this checkpoint (the model, data and optimizer come from it)" };
        var plot = new Option<string[]>("--plot") { Description = "Figure(s) to draw at the end: PATH.png (training curves) or KIND=PATH.png, KIND one of " + string.Join(", ", Figures.Kinds.Keys), AllowMultipleArgumentsPerToken = false };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the final metrics" };

        var cmd = new Command("train", "Train a model from the zoo on a data set; prints the model summary, progress, then train/validation/test metrics");
        foreach (var o in new Option[] { model, dataset, hidden, activation, optimizer, lr, schedule, wd, dropout, batch, epochs, early, augment, denoise, val, test, seed, samples, noise, frequency, degree, latent, kernel, batchNorm, heads, window, task, limit, save, resume, plot, quiet })
            cmd.Options.Add(o);
        cmd.Options.Add(CommandKit.JsonOption);
        var fromCheckpoint = new Option[] { model, dataset, hidden, activation, optimizer, lr, schedule, wd, dropout, batch, early, augment, denoise, val, test, seed, samples, noise, frequency, degree, latent, kernel, batchNorm, heads, window, task, limit };

        cmd.SetBody(ctx =>
        {
            var plots = ParsePlots(ctx.Get(plot) ?? []);
            string? savePath = ctx.Get(save);
            if (savePath is not null) CheckSavePath(savePath);
            TrainSession session;
            string? resumePath = ctx.Get(resume);
            if (resumePath is not null)
            {
                var given = fromCheckpoint.Where(o => ctx.Parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
                CommandKit.Require(given.Count == 0, $"--resume takes the model, data and optimizer from the checkpoint; drop {string.Join(", ", given)} (only --epochs, --save, --plot, --json may change)");
                session = TrainSession.Resume(resumePath, ctx.Get(epochs));
                savePath ??= resumePath;
            }
            else
            {
                string opt = ctx.Get(optimizer);
                var options = new TrainOptions
                {
                    Model = ctx.Get(model),
                    Dataset = ctx.Get(dataset),
                    Hidden = ParseSizes(ctx.Get(hidden)),
                    Activation = ctx.Get(activation),
                    Optimizer = opt,
                    Lr = ctx.Get(lr) ?? (opt is "sgd" or "momentum" ? 0.01f : 0.001f),
                    Schedule = ctx.Get(schedule) ?? (ctx.Get(model) == "cnn" ? "cosine" : "constant"),
                    WeightDecay = ctx.Get(wd),
                    Dropout = ctx.Get(dropout),
                    BatchSize = ctx.Get(batch),
                    Epochs = ctx.Get(epochs) ?? 10,
                    EarlyStopping = ctx.Get(early),
                    Augment = (ctx.Get(augment) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    Denoise = ctx.Get(denoise),
                    ValSplit = ctx.Get(val),
                    TestSplit = ctx.Get(test),
                    Seed = ctx.Get(seed),
                    Samples = ctx.Get(samples),
                    Noise = ctx.Get(noise) ?? -1,
                    Frequency = ctx.Get(frequency),
                    Degree = ctx.Get(degree),
                    Latent = ctx.Get(latent),
                    Kernel = ctx.Get(kernel),
                    BatchNorm = ctx.Get(batchNorm),
                    Heads = ctx.Get(heads),
                    Window = ctx.Get(window),
                    Task = ctx.Get(task),
                    Limit = ctx.Get(limit),
                };
                CommandKit.Require(options.Samples >= 0, $"--samples must be positive, got {options.Samples}");
                CommandKit.Require(options.Limit is null or > 0, $"--limit must be positive, got {options.Limit}");
                CommandKit.Require(ctx.Get(noise) is null or >= 0, $"--noise must be zero or more, got {ctx.Get(noise)}");
                session = TrainSession.Create(options);
            }
            return Train(ctx, session, savePath, plots, ctx.Get(quiet));
        });
        return cmd;
    }

    /// <summary>Parses "128,64" into sizes; empty or null gives none.</summary>
    public static int[] ParseSizes(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            CommandKit.Require(int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) && sizes[i] > 0,
                $"--hidden: '{parts[i]}' is not a positive whole number (expected sizes such as 128,64)");
        return sizes;
    }

    /// <summary>Parses --plot values: "PATH.png" (curves) or "KIND=PATH.png".</summary>
    public static List<(string Kind, string Path)> ParsePlots(IEnumerable<string> values)
    {
        var list = new List<(string, string)>();
        foreach (var v in values)
        {
            int eq = v.IndexOf('=');
            string kind = eq > 0 ? v[..eq] : "curves", path = eq > 0 ? v[(eq + 1)..] : v;
            CommandKit.Require(Figures.Kinds.ContainsKey(kind), $"--plot: unknown figure '{kind}' (known: {string.Join(", ", Figures.Kinds.Keys)})");
            PlotCommand.CheckPng(path, "--plot");
            list.Add((kind, path));
        }
        return list;
    }

    private static void CheckSavePath(string path)
    {
        CommandKit.Require(path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase), $"--save: '{path}' must end in .safetensors");
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        CommandKit.Require(dir is null || Directory.Exists(dir), $"--save: folder '{dir}' does not exist");
    }

    private static int Train(CommandContext ctx, TrainSession s, string? savePath, List<(string Kind, string Path)> plots, bool quiet)
    {
        var o = s.Options;
        bool json = ctx.Json;
        bool interactive = !json && !quiet && ReferenceEquals(ctx.Out, Console.Out) && ConsoleReporter.IsInteractive;
        var log = json ? ctx.Error : ctx.Out;
        int nTrain = s.TrainSet.X.Size(0), nVal = s.ValSet?.X.Size(0) ?? 0, nTest = s.TestSet?.X.Size(0) ?? 0;
        if (!quiet)
        {
            log.WriteLine($"model    {s.Spec.Describe()}");
            log.WriteLine($"data     {o.Dataset}: {nTrain} train, {nVal} validation, {nTest} test; samples {ModelSpec.Show(s.Spec.InputShape)}; " +
                (s.Task == "classification" ? $"{s.Spec.Outputs} classes" : s.Task));
            log.WriteLine($"training {o.Optimizer}, lr {Fmt(o.Lr)}" + (o.Schedule == "cosine" ? " cosine" : "") + (o.WeightDecay > 0 ? $", weight decay {Fmt(o.WeightDecay)}" : "") +
                $", batch {(o.BatchSize <= 0 ? "all" : o.BatchSize.ToString(CultureInfo.InvariantCulture))}, {o.Epochs} epochs" +
                (o.EarlyStopping > 0 ? $", early stopping after {o.EarlyStopping}" : "") + $", seed {o.Seed}" + (s.Epoch > 0 ? $", resuming after epoch {s.Epoch}" : ""));
            log.WriteLine();
            log.Write(s.Model.Summary([1, .. s.Spec.InputShape]).Replace("\r\n", "\n"));
            log.WriteLine();
        }
        int bs = o.BatchSize <= 0 ? nTrain : Math.Min(o.BatchSize, nTrain);
        var reporter = new ConsoleReporter(quiet ? TextWriter.Null : log, s.Epoch, o.Epochs, s.Task) { RunningAccuracy = s.RunningAccuracy };
        using var cts = new CancellationTokenSource();
        int interruptedCode = 130;
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // keep the process alive; the loop stops after the current batch
            cts.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        // SIGTERM and SIGHUP stop the run the same way (after the current batch, never inside a checkpoint save),
        // instead of ending the process while a save may be writing its temporary file.
        void OnSignal(PosixSignalContext c, int code)
        {
            c.Cancel = true;
            interruptedCode = code;
            cts.Cancel();
        }
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => OnSignal(c, 143));
        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => OnSignal(c, 129));
        TrainResult r;
        try
        {
            r = interactive
                ? reporter.Live(AnsiConsole.Console, (nTrain + bs - 1) / bs, () => s.Run(reporter, cts.Token, savePath))
                : s.Run(reporter, cts.Token, savePath);
        }
        catch (NonFiniteLossException e)
        {
            ctx.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pitts train: the loss became {e.Loss} at epoch {e.Epoch}, step {e.Step}; lower --lr or standardise the data"));
            return CommandKit.ExitFailure;
        }
        finally { Console.CancelKeyPress -= onCancel; }

        if (r.Interrupted)
        {
            // Only a checkpoint of this run counts: this run wrote it, or it is the file this run resumed from.
            bool ours = savePath is not null && File.Exists(savePath) && (s.SavedThisRun || s.ResumedFrom == Path.GetFullPath(savePath));
            string kept = ours
                ? $"{savePath} holds epoch {SavedEpoch(savePath!)}; continue with: pitts train --resume {savePath}"
                : savePath is not null ? $"no epoch had finished, so nothing was saved to {savePath}" : "no checkpoint was written (use --save to keep one)";
            ctx.Error.WriteLine($"pitts train: interrupted during epoch {r.EpochsDone + 1}; {kept}");
            return interruptedCode;
        }
        foreach (var (kind, path) in plots)
        {
            PlotRenderer.Render(kind, s.Model, s.Spec, s.Options, s.History, path, r.BestEpoch);
            log.WriteLine($"wrote {Path.GetFullPath(path)}");
        }
        var ls = LeastSquares(s);
        if (json) WriteJson(ctx, s, r, savePath, ls);
        else
        {
            var w = ctx.Out;
            if (!quiet) w.WriteLine();
            if (r.StoppedEarly) w.WriteLine($"early stopping after epoch {r.EpochsDone}: best validation loss at epoch {r.BestEpoch}, its weights kept");
            else if (r.BestEpoch is { } b && b != r.EpochsDone) w.WriteLine($"best validation loss at epoch {b}, its weights kept (--early-stopping)");
            w.WriteLine(MetricsTable(s.Task, r.Train, r.Validation, r.Test));
            if (ls is not null)
                w.WriteLine($"least-squares optimum (QR, closed form) of the same features: train loss {ConsoleReporter.Num(ls.Value.Train)}" +
                    (ls.Value.Val is { } lv ? $", validation {ConsoleReporter.Num(lv)}" : "") + (ls.Value.Test is { } lt ? $", test {ConsoleReporter.Num(lt)}" : ""));
            w.WriteLine($"{r.EpochsDone} epoch{(r.EpochsDone == 1 ? "" : "s")} in {(r.Seconds < 1 ? (r.Seconds * 1000).ToString("0", CultureInfo.InvariantCulture) + " ms" : r.Seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s")}" + (savePath is not null ? $"; saved {savePath}" : ""));
        }
        return CommandKit.ExitOk;
    }

    private static string SavedEpoch(string path)
    {
        try { return IO.Safetensors.ReadHeader(path).Metadata.GetValueOrDefault("pitts.epoch", "?"); }
        catch (PittsException) { return "?"; }
    }

    private static string Fmt(float v) => v.ToString("g4", CultureInfo.InvariantCulture);

    /// <summary>The final metrics as a small aligned table (split, samples, loss, accuracy or R²).</summary>
    public static string MetricsTable(string task, params SplitMetrics?[] splits) => MetricsTable(task, ["train", "validation", "test"], splits);

    /// <summary>The metrics of named splits as a small aligned table.</summary>
    public static string MetricsTable(string task, string[] names, SplitMetrics?[] splits)
    {
        string metric = task switch { "classification" => "accuracy", "regression" => "R²", _ => "" };
        var lines = new List<string> { $"{"split",-11}{"samples",8}  {"loss",10}" + (metric.Length > 0 ? $"  {metric,9}" : "") };
        for (int i = 0; i < splits.Length; i++)
        {
            if (splits[i] is not { } m) continue;
            string mv = m.Accuracy is { } a ? (a * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%" : m.R2 is { } r2 ? r2.ToString("0.0000", CultureInfo.InvariantCulture) : "";
            lines.Add($"{names[i],-11}{m.Count,8}  {ConsoleReporter.Num(m.Loss),10}" + (metric.Length > 0 ? $"  {mv,9}" : ""));
        }
        return string.Join("\n", lines);
    }

    /// <summary>Writes one split's metrics as a JSON object.</summary>
    public static void WriteMetrics(Utf8JsonWriter j, string name, SplitMetrics? m)
    {
        if (m is null) return;
        j.WriteStartObject(name);
        j.WriteNumber("samples", m.Count);
        CommandKit.WriteNumber(j, "loss", m.Loss);
        if (m.Accuracy is { } a) CommandKit.WriteNumber(j, "accuracy", a);
        if (m.R2 is { } r2) CommandKit.WriteNumber(j, "r2", r2);
        j.WriteEndObject();
    }

    /// <summary>
    /// For a linear or polynomial model of one input, the least-squares optimum of the same features fitted in closed
    /// form (Models.LinearModel, Householder QR) on the training split: the loss gradient descent is heading for.
    /// </summary>
    private static (double Train, double? Val, double? Test)? LeastSquares(TrainSession s)
    {
        var spec = s.Spec;
        if (spec.Kind is not ("linear" or "poly") || spec.InputSize != 1 || spec.Outputs != 1 || spec.Task != "regression") return null;
        var features = spec.Kind == "linear" ? FeatureMap.Linear : FeatureMap.Polynomial(spec.Degree);
        var (x, y) = s.TrainSet;
        if (x.Size(0) < features.Count) return null;
        LinearModel fit;
        try { fit = LinearModel.Fit(features, x, y); }
        catch (PittsException) { return null; } // rank-deficient design: no unique optimum to report
        return (fit.Mse(x, y), s.ValSet is { } v ? fit.Mse(v.X, v.Y) : null, s.TestSet is { } t ? fit.Mse(t.X, t.Y) : null);
    }

    private static void WriteJson(CommandContext ctx, TrainSession s, TrainResult r, string? savePath, (double Train, double? Val, double? Test)? ls)
    {
        using var ms = new MemoryStream();
        using (var j = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            j.WriteStartObject();
            j.WriteString("model", s.Spec.Describe());
            j.WriteString("dataset", s.Options.Dataset);
            j.WriteString("task", s.Task);
            j.WriteNumber("parameters", s.Model.ParameterCount());
            j.WriteNumber("epochs", r.EpochsDone);
            j.WriteBoolean("stopped_early", r.StoppedEarly);
            if (r.BestEpoch is { } b) j.WriteNumber("best_epoch", b);
            j.WriteNumber("seconds", r.Seconds);
            j.WriteStartObject("metrics");
            WriteMetrics(j, "train", r.Train);
            WriteMetrics(j, "validation", r.Validation);
            WriteMetrics(j, "test", r.Test);
            j.WriteEndObject();
            j.WriteStartArray("history");
            foreach (var h in s.History)
            {
                j.WriteStartObject();
                j.WriteNumber("epoch", h.Epoch);
                CommandKit.WriteNumber(j, "loss", h.Loss);
                if (CheckpointInfo.TrainMetric(h) is { } tm) CommandKit.WriteNumber(j, "metric", tm);
                if (h.ValLoss is { } vl) CommandKit.WriteNumber(j, "val_loss", vl);
                if (CheckpointInfo.ValMetric(h) is { } vm) CommandKit.WriteNumber(j, "val_metric", vm);
                j.WriteEndObject();
            }
            j.WriteEndArray();
            if (ls is { } opt)
            {
                j.WriteStartObject("least_squares");
                CommandKit.WriteNumber(j, "train_loss", opt.Train);
                if (opt.Val is { } lv) CommandKit.WriteNumber(j, "validation_loss", lv);
                if (opt.Test is { } lt) CommandKit.WriteNumber(j, "test_loss", lt);
                j.WriteEndObject();
            }
            if (savePath is not null) j.WriteString("saved", Path.GetFullPath(savePath));
            j.WriteEndObject();
        }
        ctx.Out.WriteLine(System.Text.Encoding.UTF8.GetString(ms.ToArray()));
    }
}
