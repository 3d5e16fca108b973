using Pitts.NN;
using Pitts.Optim;

namespace Pitts.Training;

/// <summary>What a callback can see and change: the trainer, the epoch, and a flag that ends training.</summary>
public sealed class TrainingContext
{
    internal TrainingContext(Trainer trainer) => Trainer = trainer;

    /// <summary>The trainer running the fit (its model, optimizer and state).</summary>
    public Trainer Trainer { get; }

    /// <summary>The number of epochs asked for (0 when the trainer is stepped without <see cref="Trainer.Fit"/>).</summary>
    public int Epochs { get; internal set; }

    /// <summary>The history so far.</summary>
    public History History => Trainer.History;

    /// <summary>Set to true to end training after the current epoch; set <see cref="StopReason"/> too.</summary>
    public bool StopTraining
    {
        get => Trainer.State.Stopped;
        set => Trainer.State.Stopped = value;
    }

    /// <summary>Why training stops (copied into <see cref="History.StopReason"/>).</summary>
    public string? StopReason
    {
        get => Trainer.State.StopReason;
        set => Trainer.State.StopReason = value;
    }
}

/// <summary>Hooks called by <see cref="Trainer.Fit"/>; every method has an empty default.</summary>
public interface ICallback
{
    /// <summary>Called once before the first epoch.</summary>
    void OnTrainBegin(TrainingContext context) { }

    /// <summary>Called after each epoch's training and validation, with its record already in the history.</summary>
    void OnEpochEnd(TrainingContext context, EpochRecord record) { }

    /// <summary>Called once after the last epoch (also after an early stop).</summary>
    void OnTrainEnd(TrainingContext context) { }
}

/// <summary>A callback with state to keep in a <see cref="TrainerState"/> (a learning-rate schedule's position).</summary>
public interface IStatefulCallback : ICallback
{
    /// <summary>The state as named tensors.</summary>
    OrderedDictionary<string, Tensor> StateDict();

    /// <summary>Restores a state taken by <see cref="StateDict"/>.</summary>
    void LoadStateDict(IReadOnlyDictionary<string, Tensor> state);
}

/// <summary>Whether a monitored quantity should decrease (losses) or increase (accuracy, R²).</summary>
public enum MonitorMode
{
    /// <summary>Lower is better.</summary>
    Min,

    /// <summary>Higher is better.</summary>
    Max,
}

/// <summary>
/// Early stopping, Keras's rule: after each epoch, <see cref="Monitor"/> (default "val_loss"; "loss" without validation
/// data) counts as an improvement when it beats the best value so far by more than <see cref="MinDelta"/>; training
/// stops once <see cref="Patience"/> epochs in a row brought none. With <see cref="RestoreBestWeights"/> the model gets
/// back the weights of its best epoch when training ends. Its best value, best epoch, wait count and best weights live
/// in the trainer's <see cref="TrainerState"/>, so a resumed run stops where the uninterrupted one would.
/// </summary>
public sealed class EarlyStopping(string monitor = "val_loss", int patience = 5, double minDelta = 0, MonitorMode mode = MonitorMode.Min, bool restoreBestWeights = false) : ICallback
{
    /// <summary>The metric watched.</summary>
    public string Monitor { get; } = monitor;

    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; } = patience;

    /// <summary>The smallest change that counts as an improvement.</summary>
    public double MinDelta { get; } = minDelta;

    /// <summary>Whether lower or higher is better.</summary>
    public MonitorMode Mode { get; } = mode;

    /// <summary>Whether the best epoch's weights are restored when training ends.</summary>
    public bool RestoreBestWeights { get; } = restoreBestWeights;

    private TrainerState? _state;

    /// <summary>The best value seen (NaN before the first epoch).</summary>
    public double BestValue => _state?.BestValue ?? double.NaN;

    /// <summary>The epoch (1-based) of the best value.</summary>
    public int BestEpoch => _state?.BestEpoch ?? 0;

    /// <summary>
    /// The rule itself, for a loop written by hand (the lab's overfitting recipe) as for the trainer: takes
    /// <paramref name="value"/> of the monitored metric after epoch <paramref name="epoch"/> (1-based) and returns true
    /// when training should stop. An improvement resets the wait and, with <see cref="RestoreBestWeights"/>, keeps a
    /// copy of <paramref name="model"/>'s weights for <see cref="RestoreBest"/>.
    /// </summary>
    public bool Update(double value, int epoch, Module model)
    {
        var s = _state ??= new TrainerState();
        if (double.IsNaN(s.BestValue)) s.BestValue = Mode == MonitorMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
        bool better = Mode == MonitorMode.Min ? value < s.BestValue - MinDelta : value > s.BestValue + MinDelta;
        if (better)
        {
            (s.BestValue, s.BestEpoch, s.Wait) = (value, epoch, 0);
            if (RestoreBestWeights) s.BestWeights = TrainerState.Copy(model.StateDict());
            return false;
        }
        return ++s.Wait >= Patience;
    }

    /// <summary>Copies the kept best weights back into <paramref name="model"/> (nothing when none were kept).</summary>
    public void RestoreBest(Module model)
    {
        var best = _state?.BestWeights;
        if (!RestoreBestWeights || best is null) return;
        var sd = model.StateDict();
        foreach (var (k, v) in best) v.AsSpan().CopyTo(sd[k].AsSpan());
    }

    /// <inheritdoc/>
    public void OnTrainBegin(TrainingContext context) => _state = context.Trainer.State;

    /// <inheritdoc/>
    public void OnEpochEnd(TrainingContext context, EpochRecord record)
    {
        _state = context.Trainer.State;
        string key = record.Metrics.ContainsKey(Monitor) ? Monitor : Monitor.StartsWith("val_", StringComparison.Ordinal) ? Monitor[4..] : Monitor;
        if (!record.Metrics.TryGetValue(key, out double value))
            throw new PittsException($"EarlyStopping: metric '{Monitor}' is not in the history (have: {string.Join(", ", record.Metrics.Keys)})");
        if (Update(value, record.Epoch, context.Trainer.Model))
        {
            context.StopTraining = true;
            context.StopReason = $"early stopping at epoch {record.Epoch}: {key} did not improve for {Patience} epochs (best {BestValue:G5} at epoch {BestEpoch})";
        }
    }

    /// <inheritdoc/>
    public void OnTrainEnd(TrainingContext context)
    {
        _state = context.Trainer.State;
        RestoreBest(context.Trainer.Model);
    }
}

/// <summary>Steps a learning-rate schedule after every epoch.</summary>
public sealed class LrSchedule(LrScheduler scheduler) : IStatefulCallback
{
    /// <summary>The schedule stepped.</summary>
    public LrScheduler Scheduler { get; } = scheduler;

    /// <inheritdoc/>
    public void OnEpochEnd(TrainingContext context, EpochRecord record) => Scheduler.Step();

    /// <inheritdoc/>
    public OrderedDictionary<string, Tensor> StateDict() => Scheduler.StateDict();

    /// <inheritdoc/>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state) => Scheduler.LoadStateDict(state);
}

/// <summary>Feeds a metric (default "val_loss", or "loss" without validation) to <see cref="ReduceLrOnPlateau"/> after every epoch.</summary>
public sealed class PlateauSchedule(ReduceLrOnPlateau scheduler, string monitor = "val_loss") : IStatefulCallback
{
    /// <inheritdoc/>
    public OrderedDictionary<string, Tensor> StateDict() => scheduler.StateDict();

    /// <inheritdoc/>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state) => scheduler.LoadStateDict(state);

    /// <inheritdoc/>
    public void OnEpochEnd(TrainingContext context, EpochRecord record)
    {
        string key = record.Metrics.ContainsKey(monitor) ? monitor : "loss";
        scheduler.Step((float)record.Metrics[key]);
    }
}

/// <summary>
/// Calls a save hook after an epoch: every epoch, or only when <c>monitor</c> improves (<c>saveBestOnly</c>). The hook
/// receives the context and the record, so it can write the model's and optimizer's state dicts wherever it likes
/// (for example a safetensors file).
/// </summary>
public sealed class Checkpoint(Action<TrainingContext, EpochRecord> save, bool saveBestOnly = false, string monitor = "val_loss", MonitorMode mode = MonitorMode.Min) : ICallback
{
    private double _best;

    /// <summary>
    /// A checkpoint that writes the model's state dict (PyTorch's key names, loadable with
    /// <c>safetensors.torch.load_file</c> and <c>load_state_dict</c>) to a safetensors file at <paramref name="path"/>,
    /// where "{epoch}" is replaced by the epoch number; the metadata holds the epoch and the epoch's metrics. Files are
    /// written atomically by <see cref="IO.Safetensors.Save"/>.
    /// </summary>
    public static Checkpoint Safetensors(string path, bool saveBestOnly = false, string monitor = "val_loss", MonitorMode mode = MonitorMode.Min)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new Checkpoint((ctx, record) =>
        {
            var inv = System.Globalization.CultureInfo.InvariantCulture;
            var metadata = new Dictionary<string, string> { ["epoch"] = record.Epoch.ToString(inv) };
            foreach (var (k, v) in record.Metrics) metadata[k] = v.ToString("R", inv);
            IO.Safetensors.Save(path.Replace("{epoch}", record.Epoch.ToString(inv), StringComparison.Ordinal), ctx.Trainer.Model.StateDict(), metadata);
        }, saveBestOnly, monitor, mode);
    }

    /// <inheritdoc/>
    public void OnTrainBegin(TrainingContext context) => _best = mode == MonitorMode.Min ? double.PositiveInfinity : double.NegativeInfinity;

    /// <inheritdoc/>
    public void OnEpochEnd(TrainingContext context, EpochRecord record)
    {
        if (saveBestOnly)
        {
            string key = record.Metrics.ContainsKey(monitor) ? monitor : "loss";
            double v = record.Metrics[key];
            if (!(mode == MonitorMode.Min ? v < _best : v > _best)) return;
            _best = v;
        }
        save(context, record);
    }
}

/// <summary>Calls an action at the end of every epoch (logging, plotting).</summary>
public sealed class LambdaCallback(Action<TrainingContext, EpochRecord> onEpochEnd) : ICallback
{
    /// <inheritdoc/>
    public void OnEpochEnd(TrainingContext context, EpochRecord record) => onEpochEnd(context, record);
}

/// <summary>
/// Writes one CSV row per epoch, like Keras's CSVLogger: a header "epoch,{metrics...},lr" (the metrics in the first
/// record's order), then epoch number, each metric with round-trip precision and the epoch's learning rate. With
/// <paramref name="append"/> an existing file gets more rows (a resumed run); each row is flushed as it is written.
/// </summary>
public sealed class CsvLogger(string path, bool append = false, char separator = ',') : ICallback
{
    private string[]? _columns;

    /// <summary>The file written.</summary>
    public string Path { get; } = string.IsNullOrEmpty(path) ? throw new ArgumentException("CsvLogger: a path is needed", nameof(path)) : path;

    /// <inheritdoc/>
    public void OnTrainBegin(TrainingContext context)
    {
        if (!append && _columns is null && File.Exists(Path)) File.Delete(Path);
    }

    /// <inheritdoc/>
    public void OnEpochEnd(TrainingContext context, EpochRecord record)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        bool header = _columns is null && (!File.Exists(Path) || new FileInfo(Path).Length == 0);
        _columns ??= [.. record.Metrics.Keys];
        using var w = new StreamWriter(Path, append: true);
        if (header) w.WriteLine(string.Join(separator, ["epoch", .. _columns, "lr"]));
        var cells = _columns.Select(c => record.Metrics.TryGetValue(c, out var v) ? v.ToString("R", inv) : "");
        w.WriteLine(string.Join(separator, [record.Epoch.ToString(inv), .. cells, record.LearningRate.ToString("R", inv)]));
    }
}
