using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Pitts.Cli.Commands;
using Pitts.Data;
using Pitts.Models;
using Pitts.NN;
using Pitts.Optim;
using Pitts.Training;

namespace Pitts.Cli.Training;

/// <summary>Loss and metric of a model on one split: accuracy for classification, R² for regression.</summary>
public sealed record SplitMetrics(double Loss, double? Accuracy, double? R2, int Count)
{
    /// <summary>The split's metric: accuracy or R², null for reconstruction.</summary>
    public double? Metric => Accuracy ?? R2;
}

/// <summary>How a run ended.</summary>
public sealed record TrainResult(bool Interrupted, bool StoppedEarly, int EpochsDone, int? BestEpoch, SplitMetrics? Train, SplitMetrics? Validation, SplitMetrics? Test, double Seconds);

/// <summary>
/// A training run of a zoo model: the options become data loaders (shuffle, batch, noise and augmentation from the
/// data pipeline), a library <see cref="Pitts.Training.Trainer"/> and its callbacks (early stopping, a checkpoint after
/// every epoch); exact resume: every random choice after the data split comes from one <see cref="Generator"/> whose
/// state is saved with the model, the optimizer and the trainer's state.
/// </summary>
public sealed class TrainSession
{
    /// <summary>The run's options.</summary>
    public TrainOptions Options { get; private set; }

    /// <summary>The data set (all parts).</summary>
    public DataSet Data { get; }

    /// <summary>The model description.</summary>
    public ModelSpec Spec { get; }

    /// <summary>The model being trained.</summary>
    public Module Model { get; }

    /// <summary>The optimizer.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The generator of shuffles, dropout masks and augmentations.</summary>
    public Generator Rng { get; }

    /// <summary>Training inputs (standardised) and targets.</summary>
    public (Tensor X, Tensor Y) TrainSet { get; }

    /// <summary>Validation inputs and targets, when there is a validation split.</summary>
    public (Tensor X, Tensor Y)? ValSet { get; }

    /// <summary>Test inputs and targets, when there is a test split.</summary>
    public (Tensor X, Tensor Y)? TestSet { get; }

    /// <summary>The trainer that runs the epochs; its state holds the epoch, the history and early stopping's best.</summary>
    public Trainer Trainer { get; }

    /// <summary>Epochs completed so far.</summary>
    public int Epoch => Trainer.State.Epoch;

    /// <summary>True once this session has written a checkpoint.</summary>
    public bool SavedThisRun { get; private set; }

    /// <summary>The full path of the checkpoint this session resumed from, or null for a fresh run.</summary>
    public string? ResumedFrom { get; private set; }

    /// <summary>The record of every completed epoch.</summary>
    public IReadOnlyList<EpochRecord> History => Trainer.State.History;

    /// <summary>The running training accuracy of the epoch (classification), for progress displays; null otherwise.</summary>
    public IMetric? RunningAccuracy => Task == "classification" ? Trainer.Metrics[0] : null;

    private TrainSession(TrainOptions o, DataSet data, ModelSpec spec, Module model, Generator rng, (Tensor, Tensor) train, (Tensor, Tensor)? val, (Tensor, Tensor)? test)
    {
        Options = o;
        Data = data;
        Spec = spec;
        Model = model;
        Rng = rng;
        TrainSet = train;
        ValSet = val;
        TestSet = test;
        Optimizer = MakeOptimizer(o, model);
        Trainer = new Trainer(model, LossOf(spec.Task), Optimizer) { Generator = rng };
        Trainer.Metrics.AddRange(MetricsOf(spec.Task));
        // One early-stopping rule, the library's (Keras's): val_loss, patience, restore the best weights at the end.
        if (o.EarlyStopping > 0 && val is not null)
            Trainer.Callbacks.Add(new EarlyStopping("val_loss", patience: o.EarlyStopping, restoreBestWeights: true));
        // --schedule cosine: each epoch's rate from the schedule's closed form, so a resumed run gets the same rates.
        if (o.Schedule == "cosine")
            Trainer.Callbacks.Add(new ClosedFormSchedule(new CosineAnnealingLr(Optimizer, Math.Max(1, o.Epochs)), Optimizer));
    }

    /// <summary>The task the model is trained for (classification, regression or reconstruction).</summary>
    public string Task => Spec.Task;

    /// <summary>Default hidden sizes of each model kind.</summary>
    public static int[] DefaultHidden(string model, bool images) => model switch
    {
        "mlp" => images ? [128, 64] : [32, 32],
        "autoencoder" => images ? [256, 64] : [16],
        "cnn" => [16, 32],
        "rnn" or "lstm" => [32],
        "transformer" => [32],
        _ => [],
    };

    /// <summary>Prepares a fresh run: loads the data, splits it with the seed, builds the model and optimizer.</summary>
    public static TrainSession Create(TrainOptions o)
    {
        o.Validate();
        var data = DataSources.Load(o.Dataset, o.SyntheticFor(o.Dataset), o.Task, o.Limit);
        var (train, val, test, xs) = Split(o, data);
        // Standardise tables and sequences with the training split's per-feature statistics; images stay in [0, 1].
        float[]? mean = null, std = null;
        if (!data.IsImage && o.Model != "autoencoder")
            (mean, std) = FeatureStats(train.X, o.Model == "poly");
        var spec = MakeSpec(o, data, xs, mean, std);
        var rng = new Generator(o.Seed * 0x9E3779B97F4A7C15UL + 0x1234567UL);
        Module model;
        try { model = spec.Build(rng); }
        catch (ModelSpecException e) { throw new UsageException(AsOption(e)); }
        return new TrainSession(o, data, spec, model, rng, Norm(spec, train), val is null ? null : Norm(spec, val.Value), test is null ? null : Norm(spec, test.Value));
    }

    /// <summary>The library's model error in the tool's words: the option that sets the value at fault, when there is one.</summary>
    internal static string AsOption(ModelSpecException e)
    {
        string? option = e.Field switch
        {
            nameof(ModelSpec.Kind) => "--model",
            nameof(ModelSpec.Activation) => "--activation",
            nameof(ModelSpec.Task) => "--task",
            nameof(ModelSpec.Hidden) => "--hidden",
            nameof(ModelSpec.Dropout) => "--dropout",
            nameof(ModelSpec.Degree) => "--degree",
            nameof(ModelSpec.Kernel) => "--kernel",
            nameof(ModelSpec.Latent) => "--latent",
            nameof(ModelSpec.Heads) => "--heads",
            _ => null,
        };
        return option is null ? e.Reason : $"{option}: {e.Reason}";
    }

    /// <summary>Continues the run saved in <paramref name="path"/>; <paramref name="epochs"/> replaces the total number of epochs when given.</summary>
    public static TrainSession Resume(string path, int? epochs)
    {
        var header = ReadHeaderOrThrow(path);
        if (!header.Metadata.TryGetValue("pitts.train", out var json))
            throw new UsageException($"{path}: not a Pitts training checkpoint (no 'pitts.train' metadata), it cannot be resumed");
        var o = TrainOptions.FromJson(json);
        if (epochs is not null) o = o with { Epochs = epochs.Value };
        o.Validate();
        var rng = new Generator(1);
        var ck = LoadCheckpoint(path, rng);
        var rngText = header.Metadata.GetValueOrDefault("pitts.rng")
            ?? throw new UsageException($"{path}: no RNG state ('pitts.rng'), it cannot be resumed exactly");
        var rngWords = rngText.Split(',');
        var words = new ulong[rngWords.Length];
        for (int i = 0; i < rngWords.Length; i++)
            if (rngWords[i].Length is 0 or > 16 || !ulong.TryParse(rngWords[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out words[i]))
                throw new UsageException($"{path}: metadata 'pitts.rng' must be four comma-separated hexadecimal words, found '{Clip(rngText)}'");
        if (words.Length != 4 || words.All(w => w == 0))
            throw new UsageException($"{path}: metadata 'pitts.rng' must be four comma-separated hexadecimal words, not all zero, found '{Clip(rngText)}'");
        rng.SetState(words);
        var data = DataSources.Load(o.Dataset, o.SyntheticFor(o.Dataset), o.Task, o.Limit);
        var (train, val, test, _) = Split(o, data);
        var spec = ck.Spec;
        ck.Model.Train();
        var s = new TrainSession(o, data, spec, ck.Model, rng, Norm(spec, train), val is null ? null : Norm(spec, val.Value), test is null ? null : Norm(spec, test.Value));
        var optState = ck.TrainingState.Where(kv => kv.Key.StartsWith("optimizer.", StringComparison.Ordinal))
            .Select(kv => KeyValuePair.Create(kv.Key["optimizer.".Length..], kv.Value)).ToList();
        if (optState.Count > 0) s.Optimizer.LoadStateDict(optState);
        string epochText = header.Metadata.GetValueOrDefault("pitts.epoch", "0");
        if (!int.TryParse(epochText, NumberStyles.None, CultureInfo.InvariantCulture, out int epoch))
            throw new UsageException($"{path}: metadata 'pitts.epoch' must be a whole number of finished epochs (0 or more), found '{Clip(epochText)}'");
        var state = s.Trainer.State;
        state.Epoch = epoch;
        s.ResumedFrom = Path.GetFullPath(path);
        if (header.Metadata.TryGetValue("pitts.history", out var hist))
        {
            try { state.History = CheckpointInfo.ReadHistory(hist, spec.Task); }
            catch (InvalidDataException) { throw new UsageException($"{path}: metadata 'pitts.history' holds a null record"); }
            catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
            {
                throw new UsageException($"{path}: metadata 'pitts.history' is not valid: {e.Message}");
            }
        }
        if (header.Metadata.TryGetValue("pitts.early", out var early))
        {
            var e = Json<Dictionary<string, double>>(early, path, "pitts.early") ?? [];
            state.BestValue = e.GetValueOrDefault("best_loss", double.PositiveInfinity);
            state.BestEpoch = (int)e.GetValueOrDefault("best_epoch");
            state.Wait = (int)e.GetValueOrDefault("bad");
            var best = ck.TrainingState.Where(kv => kv.Key.StartsWith("best.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key["best.".Length..], kv => kv.Value.Clone());
            if (best.Count > 0) state.BestWeights = best;
        }
        return s;
    }

    // A metadata value parsed as JSON; malformed JSON or a value of the wrong type is the user's file, not a crash.
    private static T? Json<T>(string json, string path, string key)
    {
        try { return JsonSerializer.Deserialize<T>(json); }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw new UsageException($"{path}: metadata '{key}' is not valid: {e.Message}");
        }
    }

    private static string Clip(string s) => s.Length > 60 ? s[..60] + "…" : s;

    /// <summary>Reads a safetensors header, turning a format error into a one-line <see cref="UsageException"/>.</summary>
    public static IO.SafetensorsHeader ReadHeaderOrThrow(string path)
    {
        if (!File.Exists(path)) throw new UsageException($"file not found: {path}");
        try { return IO.Safetensors.ReadHeader(path); }
        catch (PittsException e) { throw new UsageException(Named(path, e.Message)); }
    }

    /// <summary>Loads a zoo checkpoint, turning every file or model error into a one-line <see cref="UsageException"/>.</summary>
    public static ZooCheckpoint LoadCheckpoint(string path, Generator? generator = null)
    {
        if (!File.Exists(path)) throw new UsageException($"file not found: {path}");
        try { return ZooCheckpoint.Load(path, generator, CommandKit.Limits); }
        catch (PittsException e) { throw new UsageException(Named(path, e.Message)); }
    }

    /// <summary>The message, prefixed with the file's path unless it already names the file.</summary>
    private static string Named(string path, string message) =>
        message.Contains(Path.GetFileName(path), StringComparison.Ordinal) ? message : $"{path}: {message}";

    /// <summary>Rebuilds the standardised train, validation and test splits a saved run used (same data, seed and fractions).</summary>
    public static ((Tensor X, Tensor Y) Train, (Tensor X, Tensor Y)? Val, (Tensor X, Tensor Y)? Test) PrepareSplits(TrainOptions o, ModelSpec spec, bool normalize = true)
    {
        var data = DataSources.Load(o.Dataset, o.SyntheticFor(o.Dataset), o.Task, o.Limit);
        var (train, val, test, _) = Split(o, data);
        if (!normalize) return (train, val, test);
        return (Norm(spec, train), val is null ? null : Norm(spec, val.Value), test is null ? null : Norm(spec, test.Value));
    }

    private static ((Tensor X, Tensor Y) Train, (Tensor X, Tensor Y)? Val, (Tensor X, Tensor Y)? Test, int[] InputShape) Split(TrainOptions o, DataSet data)
    {
        var x = data.X;
        Tensor? testX = data.TestX;
        // A recurrent or attention model reads a one-channel image as a sequence of rows: (1, H, W) -> (H, W).
        if (o.Model is "rnn" or "lstm" or "transformer" && data.IsImage)
        {
            if (x.Size(1) != 1) throw new UsageException($"model '{o.Model}' reads one-channel images as sequences of rows, this data has {x.Size(1)} channels");
            x = x.Reshape(x.Size(0), x.Size(2), x.Size(3));
            testX = testX?.Reshape(testX.Size(0), testX.Size(2), testX.Size(3));
        }
        if (o.Model == "cnn" && !data.IsImage)
            throw new UsageException($"model 'cnn' needs images, dataset '{o.Dataset}' has samples of shape ({string.Join("x", data.InputShape)})");
        if (o.Model is "rnn" or "lstm" or "transformer" && x.Rank != 3)
            throw new UsageException($"model '{o.Model}' needs sequences (damped-oscillator, lorenz) or images, dataset '{o.Dataset}' has samples of shape ({string.Join("x", data.InputShape)})");
        int n = x.Size(0);
        var perm = new Generator(o.Seed).Permutation(n);
        int nTest = data.TestX is null ? (int)Math.Round(n * o.TestSplit) : 0;
        int nVal = (int)Math.Round(n * o.ValSplit);
        if (n - nTest - nVal < 1) throw new UsageException($"dataset '{o.Dataset}' has {n} samples, too few for the splits");
        (Tensor, Tensor) Take(int start, int count)
        {
            var idx = perm.AsSpan(start, count).ToArray();
            return (x.IndexSelect(0, idx), data.Y.IndexSelect(0, idx));
        }
        (Tensor, Tensor)? test = data.TestX is not null ? (testX!, data.TestY!) : nTest > 0 ? Take(0, nTest) : null;
        (Tensor, Tensor)? val = nVal > 0 ? Take(nTest, nVal) : null;
        var train = Take(nTest + nVal, n - nTest - nVal);
        return (train, val, test, x.Shape.ToArray()[1..]);
    }

    /// <summary>
    /// Per-feature centre and scale of the training inputs: mean and standard deviation, or for polynomial features
    /// mean and largest deviation, so that the scaled inputs lie in [-1, 1] and their powers x^k stay in [-1, 1] too.
    /// </summary>
    private static (float[] Mean, float[] Std) FeatureStats(Tensor x, bool maxScale)
    {
        int f = x.Size(-1);
        var flat = x.Reshape(-1, f);
        var mean = flat.Mean(0).ToArray();
        var scale = maxScale
            ? (flat - Tensor.FromArray(mean, 1, f)).Abs().Max(0).ToArray()
            : flat.Std(0, correction: 0).ToArray();
        return (mean, scale.Select(v => v > 1e-6f ? v : 1f).ToArray());
    }

    private static ModelSpec MakeSpec(TrainOptions o, DataSet data, int[] inputShape, float[]? mean, float[]? std)
    {
        bool images = data.IsImage;
        return new ModelSpec
        {
            Kind = o.Model,
            InputShape = inputShape,
            Hidden = o.Hidden.Length > 0 ? o.Hidden : DefaultHidden(o.Model, images),
            Activation = o.Activation,
            Dropout = o.Dropout,
            Outputs = data.Outputs,
            Task = o.Model == "autoencoder" ? "reconstruction" : data.Task,
            Degree = o.Degree,
            Latent = o.Latent,
            Kernel = o.Kernel,
            BatchNorm = o.Model == "cnn" && o.BatchNorm,
            Heads = o.Heads,
            ClassNames = data.ClassNames,
            InputMean = mean,
            InputStd = std,
            Dataset = o.Dataset,
        };
    }

    private static (Tensor X, Tensor Y) Norm(ModelSpec spec, (Tensor X, Tensor Y) part)
    {
        using var _ = Autograd.NoGrad();
        return (spec.Normalize(part.X), part.Y);
    }

    private static Optimizer MakeOptimizer(TrainOptions o, Module model) => o.Optimizer switch
    {
        "sgd" => new Sgd(model.Parameters(), o.Lr, weightDecay: o.WeightDecay),
        "momentum" => new Sgd(model.Parameters(), o.Lr, momentum: 0.9f, weightDecay: o.WeightDecay),
        "adam" => new Adam(model.Parameters(), o.Lr, weightDecay: o.WeightDecay),
        "adamw" => new AdamW(model.Parameters(), o.Lr, weightDecay: o.WeightDecay),
        "rmsprop" => new RmsProp(model.Parameters(), o.Lr, weightDecay: o.WeightDecay),
        _ => throw new UsageException($"unknown optimizer '{o.Optimizer}'"),
    };

    private static Loss LossOf(string task) => task == "classification" ? new CrossEntropyLoss() : new MseLoss();

    private static IMetric[] MetricsOf(string task) => task switch
    {
        "classification" => [new Accuracy()],
        "regression" => [new R2Score()],
        _ => [],
    };

    // Inputs and targets of a split as a dataset: an autoencoder's targets are its (clean) inputs.
    private static TensorDataset Examples(string task, Tensor x, Tensor y) => new(x, task == "reconstruction" ? x : y);

    /// <summary>
    /// The shuffled training batches of one epoch, with the run's corruptions drawn from <see cref="Rng"/> in this
    /// order per batch: --denoise noise (clipped to [0, 1]), then each --augment name (noise N(0, 0.1²); shift by up to
    /// 2 pixels; flip half the images; shift and flip for images only).
    /// </summary>
    private DataLoader TrainLoader()
    {
        var (x, y) = TrainSet;
        int n = x.Size(0);
        int bs = Options.BatchSize <= 0 ? n : Math.Min(Options.BatchSize, n);
        bool images = Data.IsImage && x.Rank == 4;
        var augment = Options.Augment;
        float denoise = Task == "reconstruction" ? Options.Denoise : 0;
        Func<Batch, Batch>? transform = denoise <= 0 && augment.Length == 0 ? null : b =>
        {
            var input = b.Inputs;
            if (denoise > 0) input = Augment.GaussianNoise(input, denoise, Rng, 0f, 1f);
            foreach (var name in augment)
                input = name switch
                {
                    "noise" => Augment.GaussianNoise(input, 0.1f, Rng),
                    "shift" when images => Augment.RandomShift(input, 2, Rng),
                    "flip" when images => Augment.RandomHorizontalFlip(input, 0.5, Rng),
                    _ => input,
                };
            return b with { Inputs = input };
        };
        return new DataLoader(Examples(Task, x, y), bs, shuffle: true, generator: Rng, transform: transform);
    }

    /// <summary>
    /// Trains from the current epoch up to <see cref="TrainOptions.Epochs"/>; saves a checkpoint to
    /// <paramref name="savePath"/> after every epoch and at the end; stops after the current batch when
    /// <paramref name="cancel"/> fires, leaving the last epoch's checkpoint in place.
    /// </summary>
    public TrainResult Run(IProgress<TrainingProgress>? progress, CancellationToken cancel, string? savePath)
    {
        var total = Stopwatch.StartNew();
        var callbacks = Trainer.Callbacks.Count;
        if (savePath is not null)
            Trainer.Callbacks.Add(new Checkpoint((ctx, record) => { if (!ctx.StopTraining && record.Epoch < Options.Epochs) Save(savePath, null); }));
        bool interrupted = false;
        try
        {
            Trainer.Fit(TrainLoader(), Options.Epochs, ValSet is { } v ? EvalBatches(Task, v.X, v.Y) : null, progress, cancel);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested) { interrupted = true; }
        finally { Trainer.Callbacks.RemoveRange(callbacks, Trainer.Callbacks.Count - callbacks); }
        SplitMetrics? trainM = null, valM = null, testM = null;
        if (!interrupted)
        {
            trainM = Evaluate(TrainSet.X, TrainSet.Y);
            valM = ValSet is { } v ? Evaluate(v.X, v.Y) : null;
            testM = TestSet is { } t ? Evaluate(t.X, t.Y) : null;
            if (savePath is not null) Save(savePath, new Dictionary<string, SplitMetrics?> { ["train"] = trainM, ["validation"] = valM, ["test"] = testM });
        }
        var state = Trainer.State;
        return new TrainResult(interrupted, state.Stopped, state.Epoch, state.BestWeights is null ? null : state.BestEpoch, trainM, valM, testM, total.Elapsed.TotalSeconds);
    }

    // Evaluation batches of 512 in order.
    private static DataLoader EvalBatches(string task, Tensor x, Tensor y) => new(Examples(task, x, y), 512);

    /// <summary>Loss and metric of the model on inputs <paramref name="x"/> (standardised) and targets <paramref name="y"/>, in evaluation mode.</summary>
    public SplitMetrics Evaluate(Tensor x, Tensor y) => EvaluateModel(Model, Task, x, y);

    /// <summary>Loss and metric of any zoo model on a split, in evaluation mode and batches of 512 (<see cref="Trainer.Evaluate(Module, Loss, IEnumerable{Batch}, IReadOnlyList{IMetric})"/>).</summary>
    public static SplitMetrics EvaluateModel(Module model, string task, Tensor x, Tensor y)
    {
        var m = Trainer.Evaluate(model, LossOf(task), EvalBatches(task, x, y), MetricsOf(task));
        double? Get(string key) => m.TryGetValue(key, out var v) && double.IsFinite(v) ? v : null;
        return new SplitMetrics(m["loss"], Get("accuracy"), Get("r2"), x.Size(0));
    }

    /// <summary>Writes the model, optimizer, RNG state, epoch, history and options (and final metrics when given) atomically.</summary>
    public void Save(string path, IReadOnlyDictionary<string, SplitMetrics?>? metrics)
    {
        var state = new Dictionary<string, Tensor>();
        foreach (var (k, v) in Optimizer.StateDict()) state["optimizer." + k] = v;
        var ts = Trainer.State;
        if (ts.BestWeights is not null)
            foreach (var (k, v) in ts.BestWeights) state["best." + k] = v;
        var meta = new Dictionary<string, string>
        {
            ["pitts.train"] = Options.ToJson(),
            ["pitts.epoch"] = Epoch.ToString(CultureInfo.InvariantCulture),
            ["pitts.rng"] = string.Join(",", Rng.GetState().Select(w => w.ToString("x16", CultureInfo.InvariantCulture))),
            ["pitts.history"] = CheckpointInfo.WriteHistory(History),
            ["pitts.optimizer"] = Options.Optimizer,
        };
        if (Options.EarlyStopping > 0)
            meta["pitts.early"] = JsonSerializer.Serialize(new Dictionary<string, double> { ["best_loss"] = double.IsFinite(ts.BestValue) ? ts.BestValue : 1e308, ["best_epoch"] = ts.BestEpoch, ["bad"] = ts.Wait });
        if (metrics is not null)
            meta["pitts.metrics"] = JsonSerializer.Serialize(metrics.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value));
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null && !Directory.Exists(dir)) throw new UsageException($"--save: folder {dir} does not exist");
        ZooCheckpoint.Save(path, Spec, Model, state, meta);
        SavedThisRun = true;
    }
}

/// <summary>Sets each epoch's learning rate from <paramref name="schedule"/>'s closed form (LrAt of the epochs done).</summary>
internal sealed class ClosedFormSchedule(LrScheduler schedule, Optimizer optimizer) : ICallback
{
    /// <inheritdoc/>
    public void OnTrainBegin(TrainingContext context) => optimizer.LearningRate = schedule.LrAt(context.History.Epochs.Count);

    /// <inheritdoc/>
    public void OnEpochEnd(TrainingContext context, EpochRecord record) => optimizer.LearningRate = schedule.LrAt(context.History.Epochs.Count);
}
