using Pitts;
using Pitts.Data;
using Pitts.NN;
using Pitts.Optim;
using Pitts.Training;

namespace Pitts.Tests.Training;

/// <summary>
/// The resumable trainer: stepping in slices, a snapshot taken mid-epoch and restored into fresh objects (also through a
/// file), and early stopping's state, each against the uninterrupted run with the same seeds (bit for bit).
/// </summary>
public sealed class TrainerStateTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("pitts-state-");

    public void Dispose() => _dir.Delete(true);

    // 1-8-1 tanh net with dropout on y = sin x, shuffled batches of 8 with Gaussian input noise: the shuffles, the noise
    // and the dropout masks all come from the one generator, so a resumed run matches only if its state is restored.
    private static (Trainer Trainer, DataLoader Train, DataLoader Val) Make(int patience = 2)
    {
        var g = new Generator(21);
        var m = new Sequential(new Linear(1, 8, generator: g), new Tanh(), new Dropout(0.1f, generator: g), new Linear(8, 1, generator: g));
        var o = new Adam(m.Parameters(), lr: 0.05f);
        var t = new Trainer(m, new MseLoss(), o) { Generator = g };
        t.Metrics.Add(new R2Score());
        t.Callbacks.Add(new LrSchedule(new StepLr(o, 2, 0.5f)));
        t.Callbacks.Add(new EarlyStopping(patience: patience, restoreBestWeights: true));
        var x = Tensor.Linspace(-2, 2, 36).Reshape(36, 1);
        var train = new DataLoader(new TensorDataset(x, x.Sin()), 8, shuffle: true, generator: g,
            transform: b => b with { Inputs = Augment.GaussianNoise(b.Inputs, 0.05, g) });
        var xv = Tensor.Linspace(-1.9f, 1.9f, 9).Reshape(9, 1);
        return (t, train, new DataLoader(new TensorDataset(xv, xv.Sin()), 4));
    }

    private static void AssertSameRun(Trainer a, Trainer b)
    {
        foreach (var (k, v) in a.Model.StateDict()) Assert.Equal(v.ToArray(), b.Model.StateDict()[k].ToArray());
        Assert.Equal(a.History.Epochs.Select(e => e.Metrics.ToArray()), b.History.Epochs.Select(e => e.Metrics.ToArray()));
        Assert.Equal(a.History.Epochs.Select(e => e.LearningRate), b.History.Epochs.Select(e => e.LearningRate));
        Assert.Equal(a.Generator!.GetState(), b.Generator!.GetState());
        Assert.Equal(a.History.StopReason, b.History.StopReason);
        Assert.Equal(a.State.BestEpoch, b.State.BestEpoch);
    }

    [Fact]
    public void StepsInSlicesEqualFit()
    {
        var (a, trainA, valA) = Make();
        a.Fit(trainA, epochs: 8, validation: valA);
        var (b, trainB, valB) = Make();
        // Slices of 3 steps over epochs of 5 batches: a slice stops at each epoch's end, the next starts the next epoch.
        var taken = new List<int>();
        while (b.State.Epoch < 8 && !b.State.Stopped) taken.Add(b.RunSteps(trainB, 3, valB));
        b.EndTraining();
        Assert.Equal([3, 2, 3, 2], taken.Take(4));
        AssertSameRun(a, b);
    }

    [Fact]
    public void ASnapshotTakenMidEpochAndRestoredFromAFileContinuesBitForBit()
    {
        var (a, trainA, valA) = Make(patience: 100);
        a.Fit(trainA, epochs: 4, validation: valA);

        var (b, trainB, valB) = Make(patience: 100);
        // Fit would restore the best weights at its end; an interrupted run stops with its last ones, as here.
        while (b.State.Epoch < 2) b.RunEpoch(trainB, valB);
        b.RunSteps(trainB, 3, valB); // three of the five batches of epoch 3
        Assert.True(b.InEpoch);
        string path = Path.Combine(_dir.FullName, "state.safetensors");
        b.Snapshot().Save(path);

        var (c, trainC, valC) = Make(patience: 100);
        c.Restore(TrainerState.Load(path));
        Assert.Equal((2, 3), (c.State.Epoch, c.State.Step));
        c.Fit(trainC, epochs: 4, validation: valC);
        AssertSameRun(a, c);
    }

    [Fact]
    public void EarlyStoppingStateResumesSoTheResumedRunStopsWhereTheWholeOneDid()
    {
        var (a, trainA, valA) = Make(patience: 1);
        var ha = a.Fit(trainA, epochs: 40, validation: valA);
        Assert.NotNull(ha.StopReason);
        int stopped = ha.Epochs.Count;
        Assert.InRange(stopped, 2, 39);

        var (b, trainB, valB) = Make(patience: 1);
        while (b.State.Epoch < stopped - 1) b.RunEpoch(trainB, valB);
        var snapshot = b.Snapshot();
        var (c, trainC, valC) = Make(patience: 1);
        c.Restore(snapshot);
        c.Fit(trainC, epochs: 40, validation: valC);
        AssertSameRun(a, c);
        // Restore-best: the weights are those of the best epoch, which the history shows as the lowest val_loss.
        Assert.Equal(ha.Epochs.MinBy(e => e.ValLoss!.Value)!.Epoch, a.State.BestEpoch);
    }

    [Fact]
    public void CsvLoggerWritesKerasStyleRows()
    {
        var (t, train, val) = Make(patience: 100);
        string path = Path.Combine(_dir.FullName, "log.csv");
        t.Callbacks.Add(new CsvLogger(path));
        var h = t.Fit(train, epochs: 3, validation: val);
        var lines = File.ReadAllLines(path);
        Assert.Equal("epoch,loss,r2,val_loss,val_r2,lr", lines[0]);
        Assert.Equal(4, lines.Length);
        var row = lines[3].Split(',');
        Assert.Equal("3", row[0]);
        Assert.Equal(h.Epochs[2].Metrics["val_loss"], double.Parse(row[3], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0.025f, float.Parse(row[5], System.Globalization.CultureInfo.InvariantCulture)); // StepLr(2, 0.5): epoch 3 runs at lr/2
    }

    [Fact]
    public void R2OfSeveralOutputsUsesEachOutputsMean()
    {
        // Oracle by hand: outputs of 2 columns with very different means; the pooled R² with per-column means.
        var y = Tensor.FromArray([0f, 100f, 1f, 101f, 2f, 102f, 3f, 103f], 4, 2);
        var o = Tensor.FromArray([0.5f, 100f, 1f, 101.5f, 2f, 102f, 2.5f, 103f], 4, 2);
        var r2 = new R2Score();
        r2.Update(o.Narrow(0, 0, 2), y.Narrow(0, 0, 2));
        r2.Update(o.Narrow(0, 2, 2), y.Narrow(0, 2, 2));
        // SS_res = 0.25 + 0.25 + 0.25 = 0.75; SS_tot = 5 per column (values 0..3 around 1.5) = 10.
        Assert.Equal(1 - 0.75 / 10, r2.Compute(), 12);
    }
}
