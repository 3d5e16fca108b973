using System.Diagnostics;
using Pitts.Data;
using Pitts.NN;
using Pitts.Optim;

namespace Pitts.Training;

/// <summary>
/// A fit helper beside the plain loop: for each epoch it runs the lecture's loop (forward, loss, backward, step,
/// zero-grad) over the training batches, evaluates on validation batches without gradients, computes metrics, keeps
/// a history, calls callbacks and reports progress. A NaN or infinite loss stops training with a
/// <see cref="NonFiniteLossException"/> naming the epoch and step.
/// </summary>
public sealed class Trainer(Module model, Loss loss, Optimizer optimizer)
{
    /// <summary>The model trained.</summary>
    public Module Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    /// <summary>The loss minimised.</summary>
    public Loss Loss { get; } = loss ?? throw new ArgumentNullException(nameof(loss));

    /// <summary>The optimizer that updates the model's parameters.</summary>
    public Optimizer Optimizer { get; } = optimizer ?? throw new ArgumentNullException(nameof(optimizer));

    /// <summary>Metrics computed for training and validation data each epoch, besides the loss.</summary>
    public List<IMetric> Metrics { get; } = [];

    /// <summary>Callbacks called at the start, after each epoch and at the end.</summary>
    public List<ICallback> Callbacks { get; } = [];

    /// <summary>When set, gradients are clipped to this joint L2 norm before each step.</summary>
    public float? MaxGradNorm { get; set; }

    /// <summary>Raised after every training batch, at each epoch's end and when training completes.</summary>
    public event EventHandler<TrainingProgress>? Progress;

    /// <summary>
    /// Trains for <paramref name="epochs"/> passes over <paramref name="train"/> (a DataLoader or any sequence of
    /// batches, enumerated once per epoch), evaluating on <paramref name="validation"/> after each. Progress goes to the
    /// <see cref="Progress"/> event and to <paramref name="progress"/>; cancellation is checked between batches. To resume
    /// after epoch k (with model, optimizer and schedule restored from a checkpoint), pass <paramref name="initialEpoch"/> = k:
    /// epochs k+1..<paramref name="epochs"/> run.
    /// </summary>
    public History Fit(IEnumerable<Batch> train, int epochs, IEnumerable<Batch>? validation = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default, int initialEpoch = 0)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (epochs < 0) throw new PittsException($"Trainer.Fit: the number of epochs must be non-negative, got {epochs}");
        if (initialEpoch < 0 || initialEpoch > epochs)
            throw new PittsException($"Trainer.Fit: the initial epoch must be in [0, {epochs}], got {initialEpoch}");
        var ctx = new TrainingContext(this, epochs);
        int? stepsPerEpoch = train is DataLoader dl ? dl.Count : train.TryGetNonEnumeratedCount(out int c) ? c : null;
        void Report(TrainingProgress p) { Progress?.Invoke(this, p); progress?.Report(p); }
        foreach (var cb in Callbacks) cb.OnTrainBegin(ctx);
        EpochRecord? last = null;
        for (int epoch = initialEpoch + 1; epoch <= epochs && !ctx.StopTraining; epoch++)
        {
            var clock = Stopwatch.StartNew();
            float lr = Optimizer.LearningRate;
            Model.Train();
            foreach (var m in Metrics) m.Reset();
            double lossSum = 0; long count = 0; int step = 0;
            foreach (var (x, y) in train)
            {
                cancellationToken.ThrowIfCancellationRequested();
                step++;
                var output = Model.Forward(x);
                var l = Loss.Forward(output, y);
                float value = l.Item();
                if (!float.IsFinite(value)) throw new NonFiniteLossException(epoch, step, value);
                Optimizer.ZeroGrad();
                l.Backward();
                if (MaxGradNorm is float max) GradClip.ClipGradNorm(Optimizer.Parameters, max);
                Optimizer.Step();
                int n = output.Rank == 0 ? 1 : output.Shape[0];
                lossSum += (double)value * n; count += n;
                using (Autograd.NoGrad())
                    foreach (var m in Metrics) m.Update(output.Detach(), y);
                Report(new TrainingProgress(TrainingPhase.Batch, epoch, epochs, step, stepsPerEpoch, lossSum / count, null));
            }
            if (step == 0)
                throw new PittsException($"Trainer.Fit: the training data yielded no batches in epoch {epoch}; check the dataset size and the loader's batch size and drop-last setting");
            var metrics = new Dictionary<string, double> { ["loss"] = lossSum / count };
            foreach (var m in Metrics) metrics[m.Name] = m.Compute();
            if (validation is not null)
                foreach (var (k, v) in Evaluate(validation)) metrics["val_" + k] = v;
            last = new EpochRecord(epoch, metrics, lr, clock.Elapsed);
            ctx.History.Add(last);
            foreach (var cb in Callbacks) cb.OnEpochEnd(ctx, last);
            Report(new TrainingProgress(TrainingPhase.EpochEnd, epoch, epochs, step, stepsPerEpoch, metrics["loss"], last));
        }
        foreach (var cb in Callbacks) cb.OnTrainEnd(ctx);
        ctx.History.StopReason = ctx.StopReason;
        Report(new TrainingProgress(TrainingPhase.Completed, last?.Epoch ?? 0, epochs, 0, stepsPerEpoch, last?.Loss ?? double.NaN, last));
        return ctx.History;
    }

    /// <summary>
    /// The mean loss ("loss") and every metric over <paramref name="data"/>, in evaluation mode and without
    /// recording a graph; the model's training mode is restored afterwards.
    /// </summary>
    public Dictionary<string, double> Evaluate(IEnumerable<Batch> data)
    {
        bool wasTraining = Model.Training;
        Model.Eval();
        foreach (var m in Metrics) m.Reset();
        double lossSum = 0; long count = 0;
        try
        {
            using var _ = Autograd.NoGrad();
            foreach (var (x, y) in data)
            {
                var output = Model.Forward(x);
                int n = output.Rank == 0 ? 1 : output.Shape[0];
                lossSum += (double)Loss.Forward(output, y).Item() * n; count += n;
                foreach (var m in Metrics) m.Update(output, y);
            }
        }
        finally { Model.Train(wasTraining); }
        var r = new Dictionary<string, double> { ["loss"] = count == 0 ? double.NaN : lossSum / count };
        foreach (var m in Metrics) r[m.Name] = m.Compute();
        return r;
    }
}
