using Pitts.Data;
using Pitts.NN;
using Pitts.Optim;

namespace Pitts.Lab.Widgets;

/// <summary>The regularisation switches of the overfitting widget.</summary>
/// <param name="WeightDecay">λ of the L2 penalty (Adam's weight_decay), 0 for none.</param>
/// <param name="Dropout">Dropout probability after each hidden layer, 0 for none.</param>
/// <param name="EarlyStopping">Stop when the validation loss has not improved for <paramref name="Patience"/> epochs, restoring the best weights.</param>
/// <param name="Patience">Epochs without improvement before stopping.</param>
/// <param name="Augment">Standard deviation of the Gaussian jitter added to the training inputs each epoch, 0 for none.</param>
public sealed record Regularization(double WeightDecay, double Dropout, bool EarlyStopping, int Patience, double Augment);

/// <summary>
/// A deliberately too-large network (1 → 64 → 64 → 1, tanh) on 20 noisy points, trained with Adam while the
/// validation loss is tracked, so overfitting and each regulariser's effect can be watched.
/// </summary>
public sealed class OverfittingRun
{
    private readonly Adam _optimizer;
    private readonly MseLoss _mse = new();
    private readonly Generator _g;
    private OrderedDictionary<string, Tensor>? _best;
    private int _sinceBest;

    /// <summary>Training points.</summary>
    public const int TrainPoints = 20;

    /// <summary>The network.</summary>
    public Sequential Net { get; }

    /// <summary>The settings.</summary>
    public Regularization Settings { get; }

    /// <summary>Training data.</summary>
    public TensorDataset Train { get; }

    /// <summary>Validation data.</summary>
    public TensorDataset Validation { get; }

    /// <summary>Epochs wanted.</summary>
    public int Epochs { get; }

    /// <summary>Epochs run.</summary>
    public int EpochsDone { get; private set; }

    /// <summary>(epoch, training loss, validation loss), thinned to stay under about 2000 entries.</summary>
    public TrainingCurve<(int Epoch, double Train, double Val)> History { get; } = new(2000, h => h.Epoch);

    /// <summary>Lowest validation loss so far and its epoch.</summary>
    public (int Epoch, double Val) Best { get; private set; } = (-1, double.PositiveInfinity);

    /// <summary>Set when early stopping ended the run.</summary>
    public int? StoppedAt { get; private set; }

    /// <summary>The true function the data are drawn from.</summary>
    public static double Truth(double x) => Math.Sin(1.5 * x);

    /// <summary>Builds data, network and optimizer from <paramref name="seed"/>.</summary>
    public OverfittingRun(Regularization settings, int epochs, ulong seed)
    {
        Settings = settings;
        Epochs = epochs;
        _g = new Generator(seed);
        Train = Synthetic.Function(Truth, TrainPoints, -3, 3, 0.3, _g, sorted: true);
        Validation = Synthetic.Function(Truth, 100, -3, 3, 0.3, _g, sorted: true);
        var layers = new List<Module> { new Linear(1, 64, generator: _g), new Tanh() };
        if (settings.Dropout > 0) layers.Add(new Dropout((float)settings.Dropout, _g));
        layers.AddRange([new Linear(64, 64, generator: _g), new Tanh()]);
        if (settings.Dropout > 0) layers.Add(new Dropout((float)settings.Dropout, _g));
        layers.Add(new Linear(64, 1, generator: _g));
        Net = new Sequential(layers.ToArray());
        _optimizer = new Adam(Net.Parameters(), lr: 0.01f, weightDecay: (float)settings.WeightDecay);
    }

    /// <summary>One full-batch epoch; returns false when training is over (last epoch, early stop, or NaN).</summary>
    public bool Epoch()
    {
        if (EpochsDone >= Epochs || StoppedAt is not null) return false;
        Net.Train();
        var x = Settings.Augment > 0 ? Augment.GaussianNoise(Train.Inputs, Settings.Augment, _g) : Train.Inputs;
        var loss = _mse.Forward(Net.Forward(x), Train.Targets);
        loss.Backward();
        _optimizer.Step();
        _optimizer.ZeroGrad();

        double train, val;
        Net.Eval();
        using (Autograd.NoGrad())
        {
            train = _mse.Forward(Net.Forward(Train.Inputs), Train.Targets).Item();
            val = _mse.Forward(Net.Forward(Validation.Inputs), Validation.Targets).Item();
        }
        Last = (train, val);
        History.Record((EpochsDone, train, val));
        EpochsDone++;
        if (!double.IsFinite(train)) return false;

        if (val < Best.Val)
        {
            Best = (EpochsDone, val);
            _sinceBest = 0;
            if (Settings.EarlyStopping) _best = Snapshot();
        }
        else if (Settings.EarlyStopping && ++_sinceBest >= Settings.Patience)
        {
            StoppedAt = EpochsDone;
            if (_best is not null) Net.LoadStateDict(_best);   // restore the best weights
            return false;
        }
        return EpochsDone < Epochs;
    }

    private OrderedDictionary<string, Tensor> Snapshot()
    {
        var copy = new OrderedDictionary<string, Tensor>();
        foreach (var (k, v) in Net.StateDict()) copy[k] = Tensor.FromArray(v.ToArray(), v.Shape.ToArray());
        return copy;
    }

    /// <summary>
    /// The (training, validation) loss after the latest epoch (NaN before the first); the curve in
    /// <see cref="History"/> keeps every k-th epoch only, so its last point can be older.
    /// </summary>
    public (double Train, double Val) Last { get; private set; } = (double.NaN, double.NaN);

    /// <summary>The network's prediction on a grid (evaluation mode: no dropout).</summary>
    public double[] Predict(double[] x)
    {
        Net.Eval();
        using var _ = Autograd.NoGrad();
        return Net.Forward(Tensor.FromArray(x.Select(v => (float)v).ToArray(), x.Length, 1)).ToArray().Select(v => (double)v).ToArray();
    }

    /// <summary>Validation loss with the current weights.</summary>
    public double CurrentValidation()
    {
        Net.Eval();
        using var _ = Autograd.NoGrad();
        return _mse.Forward(Net.Forward(Validation.Inputs), Validation.Targets).Item();
    }
}
