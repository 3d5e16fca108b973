#:project ../../../Pitts/Pitts.csproj
// Overfitting and regularization: a network far too big (1 → 64 → 64 → 1, tanh) for 20 noisy points of sin(1.5x),
// trained with Adam while the loss on 100 validation points is watched; weight decay, dropout, input noise and early
// stopping can be switched on. The lab's page runs this file; on its own, from the repository's root:
//   dotnet run -c Release src/Pitts.Lab.Client/Chapters/Overfitting/overfitting.recipe.cs
using Pitts;
using Pitts.Data;
using Pitts.NN;
using Pitts.Optim;
using Pitts.Training;

#if !PITTS_LAB // the lab compiles the classes below into itself and runs the epochs a few per frame
var settings = new OverfittingSettings(WeightDecay: 0, Dropout: 0, EarlyStopping: false, Patience: 200, Augment: 0, Epochs: 3000, Seed: 1);
var run = new OverfittingRecipe(settings);
while (run.Epoch()) { }
Console.WriteLine($"epoch {run.EpochsDone}: training MSE {run.Last.Train:0.00000}, validation MSE {run.Last.Val:0.00000}");
Console.WriteLine($"best validation MSE {run.Best.Val:0.00000} at epoch {run.Best.Epoch}" + (run.StoppedAt is { } at ? $", stopped early at epoch {at}" : ""));
#endif

/// <summary>
/// What the page's switches change: λ of the L2 penalty (Adam's weight_decay), the dropout probability after each hidden
/// layer, early stopping after <c>Patience</c> epochs without a better validation loss (restoring the best weights), the
/// standard deviation of the Gaussian jitter added to the training inputs each epoch (augmentation), the epochs, the seed.
/// </summary>
public sealed record OverfittingSettings(double WeightDecay, double Dropout, bool EarlyStopping, int Patience, double Augment, int Epochs, ulong Seed);

/// <summary>The data, the network and Adam, one full-batch epoch (and its validation) per <see cref="Epoch"/>.</summary>
public sealed class OverfittingRecipe
{
    private readonly OverfittingSettings s;
    private readonly Generator g;
    private readonly Adam optimizer;
    private readonly MseLoss mse = new();
    private readonly EarlyStopping stopper;   // Keras's rule, the one the library's Trainer uses

    /// <summary>The true function the points are drawn from.</summary>
    public static double Truth(double x) => Math.Sin(1.5 * x);

    /// <summary>20 training points with noise of standard deviation 0.3, sorted by x.</summary>
    public TensorDataset Train { get; }

    /// <summary>100 validation points from the same noisy function.</summary>
    public TensorDataset Validation { get; }

    /// <summary>The network.</summary>
    public Sequential Net { get; }

    /// <summary>Epochs run.</summary>
    public int EpochsDone { get; private set; }

    /// <summary>The training and validation loss after the latest epoch (NaN before the first).</summary>
    public (double Train, double Val) Last { get; private set; } = (double.NaN, double.NaN);

    /// <summary>The lowest validation loss so far and the epoch that reached it.</summary>
    public (int Epoch, double Val) Best => (stopper.BestEpoch, stopper.BestValue);

    /// <summary>The epoch at which early stopping ended the run, if it did.</summary>
    public int? StoppedAt { get; private set; }

    /// <summary>Builds the data, the network and the optimizer for <paramref name="settings"/>.</summary>
    public OverfittingRecipe(OverfittingSettings settings)
    {
        s = settings;
        g = new Generator(s.Seed);
        Train = Synthetic.Function(Truth, 20, -3, 3, 0.3, g, sorted: true);
        Validation = Synthetic.Function(Truth, 100, -3, 3, 0.3, g, sorted: true);
        var layers = new List<Module> { new Linear(1, 64, generator: g), new Tanh() };
        if (s.Dropout > 0) layers.Add(new Dropout((float)s.Dropout, g));
        layers.AddRange([new Linear(64, 64, generator: g), new Tanh()]);
        if (s.Dropout > 0) layers.Add(new Dropout((float)s.Dropout, g));
        layers.Add(new Linear(64, 1, generator: g));
        Net = new Sequential([.. layers]);
        // Weight decay as in the lecture's optim.Adam(net.parameters(), lr=0.01, weight_decay=1e-3)
        optimizer = new Adam(Net.Parameters(), lr: 0.01f, weightDecay: (float)s.WeightDecay);
        stopper = new EarlyStopping("val_loss", patience: s.Patience, restoreBestWeights: s.EarlyStopping);
    }

    /// <summary>One epoch; false when training is over (the last epoch, an early stop, or a loss that is not finite).</summary>
    public bool Epoch()
    {
        if (EpochsDone >= s.Epochs || StoppedAt is not null) return false;
        Net.Train();
        var x = s.Augment > 0 ? Augment.GaussianNoise(Train.Inputs, s.Augment, g) : Train.Inputs;
        var loss = mse.Forward(Net.Forward(x), Train.Targets);
        loss.Backward();
        optimizer.Step();
        optimizer.ZeroGrad();

        Net.Eval();
        using (Autograd.NoGrad())
            Last = (mse.Forward(Net.Forward(Train.Inputs), Train.Targets).Item(), mse.Forward(Net.Forward(Validation.Inputs), Validation.Targets).Item());
        EpochsDone++;
        if (!double.IsFinite(Last.Train)) return false;

        // Early stopping: stop when the validation loss has not improved for Patience epochs, back to the best weights.
        if (stopper.Update(Last.Val, EpochsDone, Net) && s.EarlyStopping)
        {
            StoppedAt = EpochsDone;
            stopper.RestoreBest(Net);
            return false;
        }
        return EpochsDone < s.Epochs;
    }
}
