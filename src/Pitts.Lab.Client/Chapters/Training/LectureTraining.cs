namespace Pitts.Lab.Widgets;

/// <summary>
/// The training page's run: the recipe (training.recipe.cs, beside this file) one epoch per <see cref="Epoch"/> call, with the
/// history and predictions the live plots draw.
/// </summary>
public sealed class LectureTraining
{
    private readonly TrainingRecipe _recipe;

    /// <summary>The network.</summary>
    public LectureNet Net => _recipe.Net;

    /// <summary>x_train: 30 points on [-3, 3], shape (30, 1).</summary>
    public Tensor XTrain => _recipe.XTrain;

    /// <summary>y_train = sin(x_train).</summary>
    public Tensor YTrain => _recipe.YTrain;

    /// <summary>The recipe's settings.</summary>
    public TrainingSettings Settings { get; }

    /// <summary>Epochs run.</summary>
    public int EpochsDone { get; private set; }

    /// <summary>Epochs wanted.</summary>
    public int Epochs => Settings.Epochs;

    /// <summary>(epoch, loss) samples, thinned to at most about 2000 points so memory stays bounded.</summary>
    public TrainingCurve<(int Epoch, double Loss)> History { get; } = new(2000, h => h.Epoch);

    /// <summary>The last loss.</summary>
    public double LastLoss => _recipe.Loss;

    /// <summary>Builds the net, data and optimizer (adam or sgd) as in the lecture.</summary>
    public LectureTraining(string optimizer, double lr, int epochs, ulong seed)
    {
        Settings = new TrainingSettings(Optimizer: optimizer, Lr: lr, Epochs: epochs, Seed: seed);
        _recipe = new TrainingRecipe(Settings);
    }

    /// <summary>One epoch of the recipe's loop (forward, loss, backward, step, zero_grad); returns the loss.</summary>
    public double Epoch()
    {
        double loss = _recipe.Epoch();
        History.Record((EpochsDone, loss));
        EpochsDone++;
        return loss;
    }

    /// <summary>The network's prediction on a grid.</summary>
    public double[] Predict(double[] x)
    {
        using var _ = Autograd.NoGrad();
        return Net.Forward(Tensor.FromArray(x.Select(v => (float)v).ToArray(), x.Length, 1)).ToArray().Select(v => (double)v).ToArray();
    }
}
