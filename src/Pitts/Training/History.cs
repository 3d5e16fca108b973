namespace Pitts.Training;

/// <summary>One epoch's results: training and validation metrics by name ("loss", "accuracy", "val_loss", ...).</summary>
public sealed record EpochRecord(int Epoch, IReadOnlyDictionary<string, double> Metrics, float LearningRate, TimeSpan Duration)
{
    /// <summary>The mean training loss of the epoch.</summary>
    public double Loss => Metrics["loss"];

    /// <summary>The validation loss, or null without validation data.</summary>
    public double? ValLoss => Metrics.TryGetValue("val_loss", out var v) ? v : null;

    /// <summary>Formats the epoch as one line, Keras style: "epoch 3  loss 0.1234  val_loss 0.2345  lr 0.001  (1.2 s)".</summary>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"epoch {Epoch}  {string.Join("  ", Metrics.Select(m => $"{m.Key} {m.Value:G5}"))}  lr {LearningRate:G4}  ({Duration.TotalSeconds:F2} s)");
}

/// <summary>The record of a <see cref="Trainer.Fit"/> run: one entry per completed epoch, and why it stopped.</summary>
public sealed class History
{
    private readonly TrainerState _state;

    internal History(TrainerState state) => _state = state;

    /// <summary>The completed epochs, in order.</summary>
    public IReadOnlyList<EpochRecord> Epochs => _state.History;

    /// <summary>Why training stopped early (e.g. "early stopping at epoch 12: val_loss did not improve for 5 epochs"), or null.</summary>
    public string? StopReason => _state.Stopped ? _state.StopReason : null;

    /// <summary>The values of one metric over the epochs, e.g. <c>history.Series("val_loss")</c>.</summary>
    public double[] Series(string name) => _state.History.Select(e => e.Metrics.TryGetValue(name, out var v) ? v : double.NaN).ToArray();
}

/// <summary>Raised when the loss becomes NaN or infinite: training stops at that step, before the update.</summary>
public sealed class NonFiniteLossException : PittsException
{
    /// <summary>Creates the error naming the epoch (1-based), the step within it (1-based) and the value.</summary>
    public NonFiniteLossException(int epoch, int step, float loss)
        : base(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Training stopped: the loss is {loss} at epoch {epoch}, step {step}. Lower the learning rate, check the inputs for NaN or infinity, or clip gradients."))
        => (Epoch, Step, Loss) = (epoch, step, loss);

    /// <summary>The epoch (1-based) in which the loss became non-finite.</summary>
    public int Epoch { get; }

    /// <summary>The step (batch, 1-based) within the epoch.</summary>
    public int Step { get; }

    /// <summary>The loss value (NaN or ±infinity).</summary>
    public float Loss { get; }
}

/// <summary>What a progress report describes.</summary>
public enum TrainingPhase
{
    /// <summary>A training batch finished.</summary>
    Batch,

    /// <summary>An epoch finished (training and validation); <see cref="TrainingProgress.Record"/> is set.</summary>
    EpochEnd,

    /// <summary>Training finished; <see cref="TrainingProgress.Record"/> is the last epoch's record (null if none ran).</summary>
    Completed,
}

/// <summary>
/// A progress report from <see cref="Trainer"/>: the epoch and step, the running mean of the epoch's training loss,
/// the samples seen in the epoch (batch reports), and at epoch end the full record; cheap to make, so a console or a web page can show every one or sample them.
/// </summary>
public sealed record TrainingProgress(TrainingPhase Phase, int Epoch, int Epochs, int Step, int? StepsPerEpoch, double RunningLoss, EpochRecord? Record, long Samples = 0);
