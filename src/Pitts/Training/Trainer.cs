using System.Diagnostics;
using Pitts.Data;
using Pitts.NN;
using Pitts.Optim;

namespace Pitts.Training;

/// <summary>
/// The one training loop of the library, in three sizes: <see cref="Step"/> is one optimisation step of the lecture's
/// loop (forward, loss, zero-grad, backward, step), <see cref="RunSteps"/> takes a few steps of the running epoch and
/// closes it when its batches are done (validation, metrics, history, callbacks), <see cref="RunEpoch"/> runs one epoch
/// and <see cref="Fit"/> is a plain loop over epochs. All progress lives in <see cref="State"/>, so
/// <see cref="Snapshot"/> and <see cref="Restore"/> pause and resume it exactly, even mid-epoch. It starts no thread and
/// never blocks: a page can call <see cref="RunSteps"/> in small slices and yield between them. A NaN or infinite loss
/// stops training with a <see cref="NonFiniteLossException"/> naming the epoch and step.
/// </summary>
public sealed class Trainer
{
    private readonly TrainingContext _context;
    private IEnumerable<Batch>? _source;
    private IEnumerator<Batch>? _batches;
    private int? _batchCount;
    private bool _epochOpen, _begun;
    private long _epochStart;
    private float _epochLr;
    private IProgress<TrainingProgress>? _progress;

    /// <summary>A trainer of <paramref name="model"/> minimising <paramref name="loss"/> with <paramref name="optimizer"/>.</summary>
    public Trainer(Module model, Loss loss, Optimizer optimizer)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Loss = loss ?? throw new ArgumentNullException(nameof(loss));
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        _context = new TrainingContext(this);
    }

    /// <summary>The model trained.</summary>
    public Module Model { get; }

    /// <summary>The loss minimised.</summary>
    public Loss Loss { get; }

    /// <summary>The optimizer that updates the model's parameters.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Metrics computed for training and validation data each epoch, besides the loss.</summary>
    public List<IMetric> Metrics { get; } = [];

    /// <summary>Callbacks called at the start, after each epoch and at the end.</summary>
    public List<ICallback> Callbacks { get; } = [];

    /// <summary>When set, gradients are clipped to this joint L2 norm before each step.</summary>
    public float? MaxGradNorm { get; set; }

    /// <summary>The generator of shuffles, dropout masks and augmentations, whose state <see cref="Snapshot"/> keeps (optional).</summary>
    public Generator? Generator { get; set; }

    /// <summary>Where training stands: epoch, step, history, early stopping; see <see cref="TrainerState"/>.</summary>
    public TrainerState State { get; private set; } = new();

    /// <summary>The completed epochs and why training stopped.</summary>
    public History History => new(State);

    /// <summary>True between the first step of an epoch and its end.</summary>
    public bool InEpoch => _epochOpen || State.Step > 0;

    /// <summary>Raised after every training batch, at each epoch's end and when a <see cref="Fit"/> completes.</summary>
    public event EventHandler<TrainingProgress>? Progress;

    /// <summary>
    /// One optimisation step on <paramref name="batch"/> (forward, loss, zero-grad, backward, optional clipping, step),
    /// counted in the running epoch (opened if none is); returns the batch's loss. The epoch is not closed here: call
    /// <see cref="EndEpoch"/>, or let <see cref="RunSteps"/> do it.
    /// </summary>
    public float Step(Batch batch)
    {
        if (!_epochOpen) BeginEpoch();
        var (x, y) = batch;
        var output = Model.Forward(x);
        var l = Loss.Forward(output, y);
        float value = l.Item();
        int step = State.Step + 1;
        if (!float.IsFinite(value)) throw new NonFiniteLossException(State.Epoch + 1, step, value);
        Optimizer.ZeroGrad();
        l.Backward();
        if (MaxGradNorm is float max) GradClip.ClipGradNorm(Optimizer.Parameters, max);
        Optimizer.Step();
        State.Step = step;
        int n = output.Rank == 0 ? 1 : output.Shape[0];
        State.LossSum += (double)value * n;
        State.Samples += n;
        if (Metrics.Count > 0)
            using (Autograd.NoGrad())
                foreach (var m in Metrics) m.Update(output.Detach(), y);
        if (Progress is not null || _progress is not null)
            Report(new TrainingProgress(TrainingPhase.Batch, State.Epoch + 1, _context.Epochs, step, _batchCount, State.LossSum / State.Samples, null, State.Samples));
        return value;
    }

    /// <summary>
    /// Takes up to <paramref name="steps"/> steps of the running epoch over <paramref name="train"/> (starting one when
    /// none runs, and continuing a restored one where it stopped) and ends the epoch when its batches are done,
    /// evaluating on <paramref name="validation"/>; returns the number of steps taken. It never crosses into the next
    /// epoch, so a caller stepping in slices sees every epoch end.
    /// </summary>
    public int RunSteps(IEnumerable<Batch> train, int steps, IEnumerable<Batch>? validation = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (!_begun) BeginTraining();
        if (_batches is null || !ReferenceEquals(_source, train)) OpenBatches(train);
        int done = 0;
        while (done < steps)
        {
            if (_batchCount is int count && State.Step >= count) break;
            if (!_batches!.MoveNext()) break;
            Step(_batches.Current);
            done++;
        }
        bool finished = _batchCount is int c ? State.Step >= c : done < steps;
        if (finished) EndEpoch(validation);
        return done;
    }

    /// <summary>Runs the rest of the running epoch (or a whole new one) over <paramref name="train"/>, checking <paramref name="cancellationToken"/> before every batch.</summary>
    public EpochRecord RunEpoch(IEnumerable<Batch> train, IEnumerable<Batch>? validation = null, CancellationToken cancellationToken = default)
    {
        int epoch = State.Epoch;
        while (State.Epoch == epoch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RunSteps(train, 1, validation);
        }
        return State.History[^1];
    }

    /// <summary>
    /// Trains until <see cref="TrainerState.Epoch"/> reaches <paramref name="epochs"/> or a callback stops it: a plain loop
    /// of <see cref="RunEpoch"/> over <paramref name="train"/> (a DataLoader or any sequence of batches, enumerated once
    /// per epoch), evaluating on <paramref name="validation"/> after each. Progress goes to the <see cref="Progress"/>
    /// event and to <paramref name="progress"/>; cancellation is checked before every batch and throws
    /// <see cref="OperationCanceledException"/>, leaving <see cref="State"/> at the last finished step. A restored trainer
    /// continues where it stopped; <paramref name="initialEpoch"/> = k on a fresh trainer starts after epoch k (Keras's
    /// initial_epoch, for a model, optimizer and schedule restored by hand).
    /// </summary>
    public History Fit(IEnumerable<Batch> train, int epochs, IEnumerable<Batch>? validation = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default, int initialEpoch = 0)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (epochs < 0) throw new PittsException($"Trainer.Fit: the number of epochs must be non-negative, got {epochs}");
        if (initialEpoch < 0 || initialEpoch > epochs)
            throw new PittsException($"Trainer.Fit: the initial epoch must be in [0, {epochs}], got {initialEpoch}");
        if (initialEpoch > State.Epoch) (State.Epoch, State.Step, State.Order) = (initialEpoch, 0, null);
        _context.Epochs = epochs;
        _progress = progress;
        State.Stopped = false;
        try
        {
            BeginTraining();
            while (State.Epoch < epochs && !State.Stopped) RunEpoch(train, validation, cancellationToken);
            EndTraining();
            var last = State.History.Count > 0 ? State.History[^1] : null;
            Report(new TrainingProgress(TrainingPhase.Completed, last?.Epoch ?? 0, epochs, 0, _batchCount, last?.Loss ?? double.NaN, last));
        }
        finally { _progress = null; }
        return History;
    }

    /// <summary>
    /// Ends the running epoch: computes its loss and metrics, evaluates on <paramref name="validation"/>, appends the
    /// record to the history, calls the callbacks' <see cref="ICallback.OnEpochEnd"/> and reports it.
    /// </summary>
    public EpochRecord EndEpoch(IEnumerable<Batch>? validation = null)
    {
        if (State.Step == 0)
            throw new PittsException($"Trainer: the training data yielded no batches in epoch {State.Epoch + 1}; check the dataset size and the loader's batch size and drop-last setting");
        if (!_epochOpen) BeginEpoch();
        var metrics = new Dictionary<string, double> { ["loss"] = State.LossSum / State.Samples };
        foreach (var m in Metrics) metrics[m.Name] = m.Compute();
        if (validation is not null)
            foreach (var (k, v) in Evaluate(validation)) metrics["val_" + k] = v;
        var record = new EpochRecord(State.Epoch + 1, metrics, _epochLr, Stopwatch.GetElapsedTime(_epochStart));
        int steps = State.Step;
        (State.Epoch, State.Step, State.Order, State.LossSum, State.Samples, State.MetricStates) = (State.Epoch + 1, 0, null, 0, 0, []);
        (_batches, _source, _epochOpen) = (null, null, false);
        State.History.Add(record);
        foreach (var cb in Callbacks) cb.OnEpochEnd(_context, record);
        Report(new TrainingProgress(TrainingPhase.EpochEnd, record.Epoch, _context.Epochs, steps, _batchCount, metrics["loss"], record, 0));
        return record;
    }

    /// <summary>
    /// Ends a run stepped with <see cref="RunSteps"/>: calls the callbacks' <see cref="ICallback.OnTrainEnd"/> (early
    /// stopping restores its best weights there), as <see cref="Fit"/> does when it finishes; the next step begins a new run.
    /// </summary>
    public void EndTraining()
    {
        foreach (var cb in Callbacks) cb.OnTrainEnd(_context);
        _begun = false;
    }

    private void BeginTraining()
    {
        foreach (var cb in Callbacks) cb.OnTrainBegin(_context);
        _begun = true;
    }

    /// <summary>Asks training to stop after the current epoch (as early stopping does), with a reason kept in the history.</summary>
    public void Stop(string reason) => (State.Stopped, State.StopReason) = (true, reason);

    /// <summary>
    /// A deep copy of <see cref="State"/> with the optimizer's, the generator's and the stateful callbacks' state filled
    /// in (and the model's weights when <paramref name="weights"/>), to keep in memory or write with <see cref="TrainerState.Save"/>.
    /// </summary>
    public TrainerState Snapshot(bool weights = true)
    {
        var s = State.Clone();
        s.Optimizer = TrainerState.Copy(Optimizer.StateDict());
        s.Generator = Generator?.GetState();
        s.MetricStates = InEpoch ? Metrics.Select(m => m.GetState()).ToArray() : [];
        s.Callbacks = [];
        for (int i = 0; i < Callbacks.Count; i++)
            if (Callbacks[i] is IStatefulCallback sc)
                foreach (var (k, v) in sc.StateDict()) s.Callbacks[$"{i}.{k}"] = Tensor.FromArray(v.ToArray(), [.. v.Shape]);
        s.Weights = weights ? TrainerState.Copy(Model.StateDict()) : null;
        return s;
    }

    /// <summary>
    /// Puts a state from <see cref="Snapshot"/> (or <see cref="TrainerState.Load"/>) back: model weights when it has them,
    /// optimizer, generator, callbacks, epoch and position; the next step continues exactly where that state was taken.
    /// </summary>
    public void Restore(TrainerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Generator is not null)
        {
            if (Generator is null) throw new PittsException("Trainer.Restore: the state holds a generator's state but Trainer.Generator is not set");
            Generator.SetState(state.Generator);
        }
        if (state.Weights is not null) Model.LoadStateDict(state.Weights.ToDictionary(kv => kv.Key, kv => kv.Value.Clone()));
        if (state.Optimizer.Count > 0) Optimizer.LoadStateDict(state.Optimizer);
        for (int i = 0; i < Callbacks.Count; i++)
        {
            if (Callbacks[i] is not IStatefulCallback sc) continue;
            string prefix = $"{i}.";
            var part = state.Callbacks.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
            if (part.Count > 0) sc.LoadStateDict(part);
        }
        if (state.MetricStates.Length != 0 && state.MetricStates.Length != Metrics.Count)
            throw new PittsException($"Trainer.Restore: the state holds {state.MetricStates.Length} metric states, the trainer has {Metrics.Count} metrics");
        State = state.Clone();
        State.Weights = null;
        State.Optimizer = [];
        State.Callbacks = [];
        (_batches, _source, _epochOpen) = (null, null, false);
    }

    /// <summary>
    /// The mean loss ("loss") and every metric over <paramref name="data"/>, in evaluation mode and without
    /// recording a graph; the model's training mode is restored afterwards.
    /// </summary>
    public Dictionary<string, double> Evaluate(IEnumerable<Batch> data) => Evaluate(Model, Loss, data, Metrics);

    /// <summary>
    /// The mean loss ("loss", weighted by batch size) and each metric of <paramref name="model"/> over
    /// <paramref name="data"/>, in evaluation mode and without recording a graph; the model's mode is restored.
    /// </summary>
    public static Dictionary<string, double> Evaluate(Module model, Loss loss, IEnumerable<Batch> data, IReadOnlyList<IMetric> metrics)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(metrics);
        bool wasTraining = model.Training;
        model.Eval();
        foreach (var m in metrics) m.Reset();
        double lossSum = 0; long count = 0;
        try
        {
            using var _ = Autograd.NoGrad();
            foreach (var (x, y) in data)
            {
                var output = model.Forward(x);
                int n = output.Rank == 0 ? 1 : output.Shape[0];
                lossSum += (double)loss.Forward(output, y).Item() * n; count += n;
                foreach (var m in metrics) m.Update(output, y);
            }
        }
        finally { model.Train(wasTraining); }
        var r = new Dictionary<string, double> { ["loss"] = count == 0 ? double.NaN : lossSum / count };
        foreach (var m in metrics) r[m.Name] = m.Compute();
        return r;
    }

    private void BeginEpoch()
    {
        Model.Train();
        if (State.Step > 0 && State.MetricStates.Length == Metrics.Count)
            for (int i = 0; i < Metrics.Count; i++) { Metrics[i].Reset(); Metrics[i].SetState(State.MetricStates[i]); }
        else
            foreach (var m in Metrics) m.Reset();
        if (State.Step == 0) (State.LossSum, State.Samples) = (0, 0);
        _epochLr = Optimizer.LearningRate;
        _epochStart = Stopwatch.GetTimestamp();
        _epochOpen = true;
    }

    // The running epoch's batches: a DataLoader draws (or, restored, reuses) the epoch's order and skips the batches
    // already taken; any other sequence is enumerated afresh and the taken batches are skipped.
    private void OpenBatches(IEnumerable<Batch> train)
    {
        _source = train;
        if (train is DataLoader dl)
        {
            if (State.Order is null || State.Order.Length != dl.Dataset.Count)
            {
                if (State.Step > 0) throw new PittsException($"Trainer: the state is at step {State.Step} of epoch {State.Epoch + 1} but holds no example order for this loader");
                State.Order = dl.NextOrder();
            }
            _batchCount = dl.Count;
            _batches = dl.Batches(State.Order, State.Step).GetEnumerator();
            return;
        }
        _batchCount = train.TryGetNonEnumeratedCount(out int c) ? c : null;
        _batches = train.GetEnumerator();
        for (int i = 0; i < State.Step; i++)
            if (!_batches.MoveNext()) throw new PittsException($"Trainer: the state is at step {State.Step}, but the training data has only {i} batches");
    }

    private void Report(TrainingProgress p)
    {
        Progress?.Invoke(this, p);
        _progress?.Report(p);
    }
}
