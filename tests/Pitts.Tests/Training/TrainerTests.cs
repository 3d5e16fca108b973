using Pitts;
using Pitts.Data;
using Pitts.NN;
using Pitts.Optim;
using Pitts.Training;

namespace Pitts.Tests.Training;

public class TrainerTests
{
    // y = 2x - 1 on [-1, 1]: a Linear(1, 1) can fit it exactly.
    private static (DataLoader Train, DataLoader Val) LineData()
    {
        var x = Tensor.Linspace(-1, 1, 40).Reshape(40, 1);
        var y = x * 2f - 1f;
        var xv = Tensor.Linspace(-0.95f, 0.95f, 10).Reshape(10, 1);
        return (new DataLoader(new TensorDataset(x, y), batchSize: 8, shuffle: true, generator: new Generator(1)),
                new DataLoader(new TensorDataset(xv, xv * 2f - 1f), batchSize: 5));
    }

    [Fact]
    public void FitLearnsALineWithValidationMetricsAndHistory()
    {
        var (train, val) = LineData();
        var model = new Linear(1, 1, generator: new Generator(2));
        var trainer = new Trainer(model, new MseLoss(), new Sgd(model.Parameters(), lr: 0.1f));
        trainer.Metrics.Add(new R2Score());
        var history = trainer.Fit(train, epochs: 60, validation: val);
        Assert.Equal(60, history.Epochs.Count);
        Assert.Null(history.StopReason);
        var last = history.Epochs[^1];
        Assert.True(last.Loss < 1e-6, last.ToString());
        Assert.True(last.Metrics["val_r2"] > 0.99999, last.ToString());
        Assert.Equal(2f, model.Weight.Item(), 3);
        Assert.Equal(-1f, model.Bias!.Item(), 3);
        var losses = history.Series("loss");
        Assert.True(losses[0] > 100 * losses[^1]);
    }

    [Fact]
    public void EarlyStoppingStopsAfterPatienceAndRestoresTheBestWeights()
    {
        var (train, val) = LineData();
        var model = new Linear(1, 1, generator: new Generator(3));
        var trainer = new Trainer(model, new MseLoss(), new Sgd(model.Parameters(), lr: 0.05f));
        float[]? weightsAtEpoch3 = null;
        var early = new EarlyStopping(patience: 2, restoreBestWeights: true);
        trainer.Callbacks.Add(early); // first, so it snapshots the weights that were validated
        // After epoch 3, push the weights away each epoch, so validation loss gets worse: epoch 3 stays the best.
        trainer.Callbacks.Add(new LambdaCallback((ctx, r) =>
        {
            if (r.Epoch == 3) weightsAtEpoch3 = model.Weight.ToArray();
            if (r.Epoch >= 3) model.Weight.AsSpan()[0] += 5f * (r.Epoch - 2);
        }));
        var history = trainer.Fit(train, epochs: 50, validation: val);
        Assert.Equal(5, history.Epochs.Count); // best at 3, no improvement at 4 and 5
        Assert.Equal(3, early.BestEpoch);
        Assert.Contains("early stopping at epoch 5", history.StopReason);
        Assert.Equal(weightsAtEpoch3, model.Weight.ToArray());
    }

    [Fact]
    public void MinDeltaIgnoresTinyImprovements()
    {
        var (train, val) = LineData();
        var model = new Linear(1, 1, generator: new Generator(4));
        var trainer = new Trainer(model, new MseLoss(), new Sgd(model.Parameters(), lr: 1e-9f)); // barely moves
        trainer.Callbacks.Add(new EarlyStopping("val_loss", patience: 3, minDelta: 1e-3));
        var history = trainer.Fit(train, epochs: 100, validation: val);
        Assert.Equal(4, history.Epochs.Count);
    }

    [Fact]
    public void NonFiniteLossNamesTheEpochAndStep()
    {
        var x = Tensor.Linspace(-1, 1, 20).Reshape(20, 1);
        var y = x.Clone();
        y.AsSpan()[13] = float.NaN; // sample 13 is in batch 4 (batches of 4, no shuffling)
        var model = new Linear(1, 1, generator: new Generator(5));
        var trainer = new Trainer(model, new MseLoss(), new Sgd(model.Parameters(), lr: 0.1f));
        var e = Assert.Throws<NonFiniteLossException>(() => trainer.Fit(new DataLoader(new TensorDataset(x, y), batchSize: 4), epochs: 3));
        Assert.Equal(1, e.Epoch);
        Assert.Equal(4, e.Step);
        Assert.Contains("epoch 1, step 4", e.Message);
        Assert.True(float.IsNaN(e.Loss));
    }

    [Fact]
    public void ProgressReportsEveryBatchEpochAndCompletion()
    {
        var (train, val) = LineData();
        var model = new Linear(1, 1, generator: new Generator(6));
        var trainer = new Trainer(model, new MseLoss(), new Adam(model.Parameters(), lr: 0.01f));
        var events = new List<TrainingProgress>();
        trainer.Progress += (_, p) => events.Add(p);
        var viaInterface = new List<TrainingProgress>();
        trainer.Fit(train, epochs: 3, validation: val, progress: new SyncProgress(viaInterface.Add));
        Assert.Equal(3 * 5 + 3 + 1, events.Count);
        Assert.Equal(events.Count, viaInterface.Count);
        Assert.All(events.Where(p => p.Phase == TrainingPhase.Batch), p => Assert.Equal(5, p.StepsPerEpoch));
        Assert.Equal(TrainingPhase.Completed, events[^1].Phase);
        Assert.NotNull(events.Single(p => p.Phase == TrainingPhase.EpochEnd && p.Epoch == 2).Record!.ValLoss);
    }

    private sealed class SyncProgress(Action<TrainingProgress> a) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => a(value);
    }

    [Fact]
    public void LrScheduleCallbackSetsEachEpochsRate()
    {
        var (train, _) = LineData();
        var model = new Linear(1, 1, generator: new Generator(7));
        var opt = new Sgd(model.Parameters(), lr: 0.1f);
        var trainer = new Trainer(model, new MseLoss(), opt);
        trainer.Callbacks.Add(new LrSchedule(new StepLr(opt, stepSize: 2, gamma: 0.5f)));
        var h = trainer.Fit(train, epochs: 5);
        Assert.Equal([0.1f, 0.1f, 0.05f, 0.05f, 0.025f], h.Epochs.Select(e => e.LearningRate).ToArray());
    }

    [Fact]
    public void CheckpointSaveBestOnlyCallsTheHookOnImprovement()
    {
        var (train, val) = LineData();
        var model = new Linear(1, 1, generator: new Generator(8));
        var trainer = new Trainer(model, new MseLoss(), new Sgd(model.Parameters(), lr: 0.1f));
        var saved = new List<int>();
        trainer.Callbacks.Add(new LambdaCallback((_, r) => { if (r.Epoch == 3) model.Weight.AsSpan()[0] += 50f; }));
        trainer.Callbacks.Add(new Checkpoint((_, r) => saved.Add(r.Epoch), saveBestOnly: true));
        var h = trainer.Fit(train, epochs: 4, validation: val);
        var vl = h.Series("val_loss");
        var expected = new List<int>();
        double best = double.PositiveInfinity;
        for (int i = 0; i < vl.Length; i++) if (vl[i] < best) { best = vl[i]; expected.Add(i + 1); }
        Assert.Equal(expected, saved);
        Assert.DoesNotContain(4, saved); // epoch 4 starts from the spoiled weights
    }

    [Fact]
    public void CancellationStopsBetweenBatches()
    {
        var (train, _) = LineData();
        var model = new Linear(1, 1, generator: new Generator(9));
        var trainer = new Trainer(model, new MseLoss(), new Sgd(model.Parameters(), lr: 0.1f));
        using var cts = new CancellationTokenSource();
        trainer.Progress += (_, p) => { if (p.Step == 2) cts.Cancel(); };
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(train, 10, cancellationToken: cts.Token));
    }

    [Fact]
    public void EvaluateRestoresTrainingModeAndRecordsNoGraph()
    {
        var (_, val) = LineData();
        var model = new Sequential(new Linear(1, 4, generator: new Generator(10)), new Dropout(0.5f), new Linear(4, 1, generator: new Generator(11)));
        var trainer = new Trainer(model, new MseLoss(), new Sgd(model.Parameters(), lr: 0.1f));
        var a = trainer.Evaluate(val)["loss"];
        var b = trainer.Evaluate(val)["loss"];
        Assert.Equal(a, b); // dropout off during evaluation
        Assert.True(model.Training);
        Assert.All(model.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void AccuracyAndR2AgreeWithHandComputedValues()
    {
        var acc = new Accuracy();
        acc.Reset();
        acc.Update(Tensor.FromArray(new float[,] { { 0.1f, 0.9f }, { 0.8f, 0.2f }, { 0.3f, 0.7f } }), Tensor.FromArray([1f, 1f, 1f]));
        acc.Update(Tensor.FromArray([0.7f, 0.2f], 2, 1), Tensor.FromArray([1f, 1f], 2, 1)); // binary: 1 right, 1 wrong
        Assert.Equal(3.0 / 5.0, acc.Compute(), 12);

        var r2 = new R2Score();
        r2.Reset();
        var y = Tensor.FromArray([1f, 2f, 3f, 4f]);
        r2.Update(Tensor.FromArray([2.5f, 2.5f, 2.5f, 2.5f]), y); // the mean: R² = 0
        Assert.Equal(0.0, r2.Compute(), 12);
        r2.Reset();
        r2.Update(Tensor.FromArray([1f, 2f, 3f, 5f]), y); // SS_res = 1, SS_tot = 5
        Assert.Equal(0.8, r2.Compute(), 12);
    }

    [Fact]
    public void ClassifierReachesFullAccuracyOnSeparableData()
    {
        // Two Gaussian blobs at (±2, ±2), well separated: a logistic classifier must reach 100%.
        var g = new Generator(12);
        var x = Tensor.Randn([200, 2], g);
        var labels = new float[200];
        var xs = x.AsSpan();
        for (int i = 0; i < 200; i++)
        {
            labels[i] = i % 2;
            float c = i % 2 == 0 ? -2f : 2f;
            xs[2 * i] = 0.5f * xs[2 * i] + c;
            xs[2 * i + 1] = 0.5f * xs[2 * i + 1] + c;
        }
        var model = new Linear(2, 2, generator: g);
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Adam(model.Parameters(), lr: 0.05f));
        trainer.Metrics.Add(new Accuracy());
        var h = trainer.Fit(new DataLoader(new TensorDataset(x, Tensor.FromArray(labels)), 32, shuffle: true, generator: g), epochs: 20);
        Assert.Equal(1.0, h.Epochs[^1].Metrics["accuracy"]);
    }

    [Fact]
    public void ResumingFromAnEpochWithRestoredStateIsBitIdentical()
    {
        (Sequential, Adam, StepLr) Make()
        {
            var g = new Generator(21);
            var m = new Sequential(new Linear(1, 8, generator: g), new Tanh(), new Linear(8, 1, generator: g));
            var o = new Adam(m.Parameters(), lr: 0.02f);
            return (m, o, new StepLr(o, 2, 0.5f));
        }
        DataLoader Loader(Generator g)
        {
            var x = Tensor.Linspace(-2, 2, 32).Reshape(32, 1);
            return new DataLoader(new TensorDataset(x, x.Sin()), 8, shuffle: true, generator: g);
        }

        var (m1, o1, s1) = Make();
        var t1 = new Trainer(m1, new MseLoss(), o1);
        t1.Callbacks.Add(new LrSchedule(s1));
        t1.Fit(Loader(new Generator(5)), epochs: 6);

        // Run 3 epochs, snapshot everything (model, optimizer, schedule, shuffling RNG), then resume in fresh objects.
        var (m2, o2, s2) = Make();
        var g2 = new Generator(5);
        var t2 = new Trainer(m2, new MseLoss(), o2);
        t2.Callbacks.Add(new LrSchedule(s2));
        t2.Fit(Loader(g2), epochs: 3);
        var model = m2.StateDict().ToDictionary(kv => kv.Key, kv => Tensor.FromArray(kv.Value.ToArray(), [.. kv.Value.Shape]));
        var opt = o2.StateDict();
        var sched = s2.StateDict();
        var rng = g2.GetState();

        var (m3, o3, s3) = Make();
        m3.LoadStateDict(model);
        o3.LoadStateDict(opt);
        s3.LoadStateDict(sched);
        var g3 = new Generator(999);
        g3.SetState(rng);
        var t3 = new Trainer(m3, new MseLoss(), o3);
        t3.Callbacks.Add(new LrSchedule(s3));
        var h = t3.Fit(Loader(g3), epochs: 6, initialEpoch: 3);
        Assert.Equal([4, 5, 6], h.Epochs.Select(e => e.Epoch).ToArray());
        foreach (var (k, v) in m1.StateDict()) Assert.Equal(v.ToArray(), m3.StateDict()[k].ToArray());
    }

    [Fact]
    public void EmptyTrainingDataIsAClearError()
    {
        var model = new Linear(1, 1);
        var trainer = new Trainer(model, new MseLoss(), new Sgd(model.Parameters(), lr: 0.1f));
        var loader = new DataLoader(new TensorDataset(Tensor.Zeros(3, 1), Tensor.Zeros(3, 1)), batchSize: 8, dropLast: true);
        Assert.Contains("no batches in epoch 1", Assert.Throws<PittsException>(() => trainer.Fit(loader, 2)).Message);
    }

    [Fact]
    public void SafetensorsCheckpointWritesTheBestModelWithItsEpoch()
    {
        var dir = Directory.CreateTempSubdirectory("pitts-ckpt-");
        try
        {
            var (train, val) = LineData();
            var model = new Linear(1, 1, generator: new Generator(30));
            var trainer = new Trainer(model, new MseLoss(), new Sgd(model.Parameters(), lr: 0.1f));
            string path = Path.Combine(dir.FullName, "best.safetensors");
            trainer.Callbacks.Add(Checkpoint.Safetensors(path, saveBestOnly: true));
            var h = trainer.Fit(train, epochs: 5, validation: val);
            var file = Pitts.IO.Safetensors.Load(path);
            int best = h.Epochs.MinBy(e => e.ValLoss!.Value)!.Epoch;
            Assert.Equal(best.ToString(System.Globalization.CultureInfo.InvariantCulture), file.Metadata["epoch"]);
            Assert.Equal(["weight", "bias"], file.Tensors.Keys.OrderBy(k => k == "bias").ToArray());
            if (best == 5) Assert.Equal(model.Weight.ToArray(), file.Tensors["weight"].ToArray());
            Assert.Equal(h.Epochs[best - 1].ValLoss!.Value, double.Parse(file.Metadata["val_loss"], System.Globalization.CultureInfo.InvariantCulture));
        }
        finally { dir.Delete(recursive: true); }
    }
}
