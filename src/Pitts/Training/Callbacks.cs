using Pitts.NN;
using Pitts.Optim;

namespace Pitts.Training;

/// <summary>What a callback can see and change: the trainer, the epoch, and a flag that ends training.</summary>
public sealed class TrainingContext
{
    internal TrainingContext(Trainer trainer, int epochs) => (Trainer, Epochs) = (trainer, epochs);

    /// <summary>The trainer running the fit (its model and optimizer).</summary>
    public Trainer Trainer { get; }

    /// <summary>The number of epochs asked for.</summary>
    public int Epochs { get; }

    /// <summary>The history so far.</summary>
    public History History { get; } = new();

    /// <summary>Set to true to end training after the current epoch; set <see cref="StopReason"/> too.</summary>
    public bool StopTraining { get; set; }

    /// <summary>Why training stops (copied into <see cref="History.StopReason"/>).</summary>
    public string? StopReason { get; set; }
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

/// <summary>Whether a monitored quantity should decrease (losses) or increase (accuracy, R²).</summary>
public enum MonitorMode
{
    /// <summary>Lower is better.</summary>
    Min,

    /// <summary>Higher is better.</summary>
    Max,
}

/// <summary>
/// Early stopping: ends training when <see cref="Monitor"/> (default "val_loss", or "loss" without validation data) has
/// not improved by more than <see cref="MinDelta"/> for <see cref="Patience"/> epochs; with <see cref="RestoreBestWeights"/>
/// the model gets back the weights of its best epoch at the end.
/// </summary>
public sealed class EarlyStopping(string monitor = "val_loss", int patience = 5, double minDelta = 0, MonitorMode mode = MonitorMode.Min, bool restoreBestWeights = false) : ICallback
{
    private Dictionary<string, float[]>? _best;
    private int _wait;

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

    /// <summary>The best value seen.</summary>
    public double BestValue { get; private set; }

    /// <summary>The epoch (1-based) of the best value.</summary>
    public int BestEpoch { get; private set; }

    /// <inheritdoc/>
    public void OnTrainBegin(TrainingContext context)
    {
        BestValue = Mode == MonitorMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
        BestEpoch = 0; _wait = 0; _best = null;
    }

    /// <inheritdoc/>
    public void OnEpochEnd(TrainingContext context, EpochRecord record)
    {
        string key = record.Metrics.ContainsKey(Monitor) ? Monitor : Monitor.StartsWith("val_", StringComparison.Ordinal) ? Monitor[4..] : Monitor;
        if (!record.Metrics.TryGetValue(key, out double value))
            throw new PittsException($"EarlyStopping: metric '{Monitor}' is not in the history (have: {string.Join(", ", record.Metrics.Keys)})");
        bool better = Mode == MonitorMode.Min ? value < BestValue - MinDelta : value > BestValue + MinDelta;
        if (better)
        {
            (BestValue, BestEpoch, _wait) = (value, record.Epoch, 0);
            if (RestoreBestWeights)
                _best = context.Trainer.Model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
            return;
        }
        if (++_wait >= Patience)
        {
            context.StopTraining = true;
            context.StopReason = $"early stopping at epoch {record.Epoch}: {key} did not improve for {Patience} epochs (best {BestValue:G5} at epoch {BestEpoch})";
        }
    }

    /// <inheritdoc/>
    public void OnTrainEnd(TrainingContext context)
    {
        if (!RestoreBestWeights || _best is null) return;
        var sd = context.Trainer.Model.StateDict();
        foreach (var (k, v) in _best) v.CopyTo(sd[k].AsSpan());
    }
}

/// <summary>Steps a learning-rate schedule after every epoch.</summary>
public sealed class LrSchedule(LrScheduler scheduler) : ICallback
{
    /// <summary>The schedule stepped.</summary>
    public LrScheduler Scheduler { get; } = scheduler;

    /// <inheritdoc/>
    public void OnEpochEnd(TrainingContext context, EpochRecord record) => Scheduler.Step();
}

/// <summary>Feeds a metric (default "val_loss", or "loss" without validation) to <see cref="ReduceLrOnPlateau"/> after every epoch.</summary>
public sealed class PlateauSchedule(ReduceLrOnPlateau scheduler, string monitor = "val_loss") : ICallback
{
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
