using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Pitts.Cli.Commands;
using Pitts.Models;
using Pitts.NN;
using Pitts.Optim;

namespace Pitts.Cli.Training;

/// <summary>One epoch's numbers: training loss and metric (running means over the epoch), validation loss and metric.</summary>
public sealed record EpochRecord(int Epoch, double TrainLoss, double? TrainMetric, double? ValLoss, double? ValMetric, double Seconds, float Lr);

/// <summary>Loss and metric of a model on one split: accuracy for classification, R² for regression.</summary>
public sealed record SplitMetrics(double Loss, double? Accuracy, double? R2, int Count)
{
    /// <summary>The split's metric: accuracy or R², null for reconstruction.</summary>
    public double? Metric => Accuracy ?? R2;
}

/// <summary>Receives progress from <see cref="TrainSession.Run"/>.</summary>
public interface ITrainingObserver
{
    /// <summary>Called after every batch with the epoch's running mean loss.</summary>
    void OnBatch(int epoch, int batch, int batches, double runningLoss, double? runningMetric, int samples);

    /// <summary>Called when an epoch ends, after validation.</summary>
    void OnEpoch(EpochRecord record);
}

/// <summary>The loss became NaN or infinite: training stops with the epoch and step named.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);

/// <summary>How a run ended.</summary>
public sealed record TrainResult(bool Interrupted, bool StoppedEarly, int EpochsDone, int? BestEpoch, SplitMetrics? Train, SplitMetrics? Validation, SplitMetrics? Test, double Seconds);

/// <summary>
/// A training run of a zoo model as an explicit loop (shuffle, batch, forward, loss, backward, step), with
/// validation each epoch, early stopping, checkpoints after every epoch and exact resume: every random choice after
/// the data split comes from one <see cref="Generator"/> whose state is saved with the model and optimizer.
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

    /// <summary>Epochs completed so far.</summary>
    public int Epoch { get; private set; }

    /// <summary>True once this session has written a checkpoint.</summary>
    public bool SavedThisRun { get; private set; }

    /// <summary>The full path of the checkpoint this session resumed from, or null for a fresh run.</summary>
    public string? ResumedFrom { get; private set; }

    /// <summary>The record of every completed epoch.</summary>
    public List<EpochRecord> History { get; } = [];

    private double _bestLoss = double.PositiveInfinity;
    private readonly LrScheduler? _schedule; // closed form of the epoch: a resumed run gets the same rates
    private int _bestEpoch, _bad;
    private Dictionary<string, Tensor>? _bestWeights;

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
        _schedule = o.Schedule == "cosine" ? new CosineAnnealingLr(Optimizer, Math.Max(1, o.Epochs)) : null;
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
        var state = new ulong[rngWords.Length];
        for (int i = 0; i < rngWords.Length; i++)
            if (rngWords[i].Length is 0 or > 16 || !ulong.TryParse(rngWords[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out state[i]))
                throw new UsageException($"{path}: metadata 'pitts.rng' must be four comma-separated hexadecimal words, found '{Clip(rngText)}'");
        if (state.Length != 4 || state.All(w => w == 0))
            throw new UsageException($"{path}: metadata 'pitts.rng' must be four comma-separated hexadecimal words, not all zero, found '{Clip(rngText)}'");
        rng.SetState(state);
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
        s.Epoch = epoch;
        s.ResumedFrom = Path.GetFullPath(path);
        if (header.Metadata.TryGetValue("pitts.history", out var hist))
        {
            var records = Json<List<EpochRecord>>(hist, path, "pitts.history") ?? [];
            if (records.Any(r => r is null))
                throw new UsageException($"{path}: metadata 'pitts.history' holds a null record");
            s.History.AddRange(records);
        }
        if (header.Metadata.TryGetValue("pitts.early", out var early))
        {
            var e = Json<Dictionary<string, double>>(early, path, "pitts.early") ?? [];
            s._bestLoss = e.GetValueOrDefault("best_loss", double.PositiveInfinity);
            s._bestEpoch = (int)e.GetValueOrDefault("best_epoch");
            s._bad = (int)e.GetValueOrDefault("bad");
            var best = ck.TrainingState.Where(kv => kv.Key.StartsWith("best.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key["best.".Length..], kv => kv.Value.Clone());
            if (best.Count > 0) s._bestWeights = best;
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

    /// <summary>The loss of a batch of model outputs against targets (or the clean inputs, for reconstruction).</summary>
    public Tensor Loss(Tensor output, Tensor target) => Task switch
    {
        "classification" => Functional.CrossEntropy(output, target),
        _ => Functional.MseLoss(output, target),
    };

    /// <summary>
    /// Trains from the current epoch up to <see cref="TrainOptions.Epochs"/>; saves a checkpoint to
    /// <paramref name="savePath"/> after every epoch and at the end; stops after the current batch when
    /// <paramref name="cancel"/> fires, leaving the last epoch's checkpoint in place.
    /// </summary>
    public TrainResult Run(ITrainingObserver? observer, CancellationToken cancel, string? savePath)
    {
        var total = Stopwatch.StartNew();
        var (x, y) = TrainSet;
        int n = x.Size(0);
        int bs = Options.BatchSize <= 0 ? n : Math.Min(Options.BatchSize, n);
        int batches = (n + bs - 1) / bs;
        bool interrupted = false, stoppedEarly = false;
        while (Epoch < Options.Epochs && !stoppedEarly)
        {
            var sw = Stopwatch.StartNew();
            Model.Train();
            if (_schedule is not null) Optimizer.LearningRate = _schedule.LrAt(Epoch);
            var perm = Rng.Permutation(n);
            double lossSum = 0, correct = 0;
            int seen = 0, step = 0;
            for (int b = 0; b < batches; b++)
            {
                var idx = perm.AsSpan(b * bs, Math.Min(bs, n - b * bs)).ToArray();
                var xb = x.IndexSelect(0, idx);
                var yb = y.IndexSelect(0, idx);
                Tensor input = xb, target = yb;
                if (Task == "reconstruction")
                {
                    target = xb;
                    input = Options.Denoise > 0 ? Corrupt(xb, Options.Denoise) : xb;
                }
                if (Options.Augment.Length > 0) input = Augmentation.Apply(input, Options.Augment, Rng, Data.IsImage && input.Rank == 4);
                var output = Model.Forward(input);
                var loss = Loss(output, target);
                float lv = loss.Item();
                step++;
                if (!float.IsFinite(lv))
                    throw new TrainingDivergedException($"the loss became {lv} at epoch {Epoch + 1}, step {step}; lower --lr or standardise the data");
                loss.Backward();
                Optimizer.Step();
                Optimizer.ZeroGrad();
                lossSum += lv * idx.Length;
                seen += idx.Length;
                if (Task == "classification") correct += CountCorrect(output, yb);
                observer?.OnBatch(Epoch + 1, b + 1, batches, lossSum / seen, Task == "classification" ? correct / seen : null, seen);
                if (cancel.IsCancellationRequested) { interrupted = true; break; }
            }
            if (interrupted) break;
            Epoch++;
            SplitMetrics? val = ValSet is { } v ? Evaluate(v.X, v.Y) : null;
            double? trainMetric = Task == "classification" ? correct / seen : null;
            var rec = new EpochRecord(Epoch, lossSum / seen, trainMetric, val?.Loss, val?.Metric, sw.Elapsed.TotalSeconds, Optimizer.LearningRate);
            History.Add(rec);
            if (Options.EarlyStopping > 0 && val is not null)
            {
                if (val.Loss < _bestLoss - 1e-12)
                {
                    _bestLoss = val.Loss;
                    _bestEpoch = Epoch;
                    _bad = 0;
                    _bestWeights = Model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
                }
                else if (++_bad >= Options.EarlyStopping) stoppedEarly = true;
            }
            observer?.OnEpoch(rec);
            if (savePath is not null && !stoppedEarly && Epoch < Options.Epochs) Save(savePath, null);
        }
        SplitMetrics? trainM = null, valM = null, testM = null;
        if (!interrupted)
        {
            if (_bestWeights is not null) Model.LoadStateDict(_bestWeights);
            trainM = Evaluate(TrainSet.X, TrainSet.Y);
            valM = ValSet is { } v ? Evaluate(v.X, v.Y) : null;
            testM = TestSet is { } t ? Evaluate(t.X, t.Y) : null;
            if (savePath is not null) Save(savePath, new Dictionary<string, SplitMetrics?> { ["train"] = trainM, ["validation"] = valM, ["test"] = testM });
        }
        return new TrainResult(interrupted, stoppedEarly, Epoch, _bestWeights is null ? null : _bestEpoch, trainM, valM, testM, total.Elapsed.TotalSeconds);
    }

    private Tensor Corrupt(Tensor x, float sigma)
    {
        var noisy = x.Clone();
        var s = noisy.AsSpan();
        var e = new float[s.Length];
        Rng.FillNormal(e, 0, sigma);
        for (int i = 0; i < s.Length; i++) s[i] = Math.Clamp(s[i] + e[i], 0f, 1f);
        return noisy;
    }

    private static int CountCorrect(Tensor logits, Tensor labels)
    {
        var pred = logits.Detach().Argmax(1).ToArray();
        var y = labels.ToArray();
        int c = 0;
        for (int i = 0; i < pred.Length; i++) if (pred[i] == y[i]) c++;
        return c;
    }

    /// <summary>Loss and metric of the model on inputs <paramref name="x"/> (standardised) and targets <paramref name="y"/>, in evaluation mode.</summary>
    public SplitMetrics Evaluate(Tensor x, Tensor y) => EvaluateModel(Model, Task, x, y);

    /// <summary>Loss and metric of any zoo model on a split, in evaluation mode and batches of 512.</summary>
    public static SplitMetrics EvaluateModel(Module model, string task, Tensor x, Tensor y)
    {
        bool was = model.Training;
        model.Eval();
        using var _ = Autograd.NoGrad();
        int n = x.Size(0);
        double lossSum = 0, correct = 0, ssRes = 0;
        var outs = new List<float[]>();
        for (int start = 0; start < n; start += 512)
        {
            int m = Math.Min(512, n - start);
            var xb = x.Narrow(0, start, m);
            var yb = y.Narrow(0, start, m);
            var output = model.Forward(xb);
            var target = task == "reconstruction" ? xb : yb;
            var loss = task == "classification" ? Functional.CrossEntropy(output, target) : Functional.MseLoss(output, target);
            lossSum += loss.Item() * m;
            if (task == "classification") correct += CountCorrect(output, yb);
            if (task == "regression")
            {
                var o = output.ToArray();
                var t = yb.ToArray();
                for (int i = 0; i < o.Length; i++) ssRes += (o[i] - t[i]) * (double)(o[i] - t[i]);
            }
        }
        model.Train(was);
        double? r2 = null;
        if (task == "regression" && n > 0)
        {
            // R² = 1 - SS_res / SS_tot, with SS_tot summed over outputs around each output's mean.
            var yy = y.Reshape(n, -1);
            var mean = yy.Mean(0);
            double ssTot = (yy - mean).Square().Sum().Item();
            r2 = ssTot > 0 ? 1 - ssRes / ssTot : null;
        }
        return new SplitMetrics(n == 0 ? double.NaN : lossSum / n, task == "classification" && n > 0 ? correct / n : null, r2, n);
    }

    /// <summary>Writes the model, optimizer, RNG state, epoch, history and options (and final metrics when given) atomically.</summary>
    public void Save(string path, IReadOnlyDictionary<string, SplitMetrics?>? metrics)
    {
        var state = new Dictionary<string, Tensor>();
        foreach (var (k, v) in Optimizer.StateDict()) state["optimizer." + k] = v;
        if (_bestWeights is not null)
            foreach (var (k, v) in _bestWeights) state["best." + k] = v;
        var meta = new Dictionary<string, string>
        {
            ["pitts.train"] = Options.ToJson(),
            ["pitts.epoch"] = Epoch.ToString(CultureInfo.InvariantCulture),
            ["pitts.rng"] = string.Join(",", Rng.GetState().Select(w => w.ToString("x16", CultureInfo.InvariantCulture))),
            ["pitts.history"] = JsonSerializer.Serialize(History),
            ["pitts.optimizer"] = Options.Optimizer,
        };
        if (Options.EarlyStopping > 0)
            meta["pitts.early"] = JsonSerializer.Serialize(new Dictionary<string, double> { ["best_loss"] = double.IsFinite(_bestLoss) ? _bestLoss : 1e308, ["best_epoch"] = _bestEpoch, ["bad"] = _bad });
        if (metrics is not null)
            meta["pitts.metrics"] = JsonSerializer.Serialize(metrics.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value));
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null && !Directory.Exists(dir)) throw new UsageException($"--save: folder {dir} does not exist");
        ZooCheckpoint.Save(path, Spec, Model, state, meta);
        SavedThisRun = true;
    }
}
