using Pitts.Data;
using Pitts.NN;

namespace Pitts.Lab.Widgets;

/// <summary>
/// The overfitting page's run: the recipe (overfitting.recipe.cs, beside this file) one epoch per <see cref="Epoch"/> call, with the
/// thinned history and the predictions the live plots draw.
/// </summary>
public sealed class OverfittingRun
{
    private readonly OverfittingRecipe _recipe;
    private readonly MseLoss _mse = new();

    /// <summary>Training points.</summary>
    public const int TrainPoints = 20;

    /// <summary>The recipe's settings.</summary>
    public OverfittingSettings Settings { get; }

    /// <summary>The network.</summary>
    public Sequential Net => _recipe.Net;

    /// <summary>Training data.</summary>
    public TensorDataset Train => _recipe.Train;

    /// <summary>Validation data.</summary>
    public TensorDataset Validation => _recipe.Validation;

    /// <summary>Epochs wanted.</summary>
    public int Epochs => Settings.Epochs;

    /// <summary>Epochs run.</summary>
    public int EpochsDone => _recipe.EpochsDone;

    /// <summary>(epoch, training loss, validation loss), thinned to stay under about 2000 entries.</summary>
    public TrainingCurve<(int Epoch, double Train, double Val)> History { get; } = new(2000, h => h.Epoch);

    /// <summary>Lowest validation loss so far and its epoch.</summary>
    public (int Epoch, double Val) Best => _recipe.Best;

    /// <summary>Set when early stopping ended the run.</summary>
    public int? StoppedAt => _recipe.StoppedAt;

    /// <summary>
    /// The (training, validation) loss after the latest epoch (NaN before the first); the curve in
    /// <see cref="History"/> keeps every k-th epoch only, so its last point can be older.
    /// </summary>
    public (double Train, double Val) Last => _recipe.Last;

    /// <summary>The true function the data are drawn from.</summary>
    public static double Truth(double x) => OverfittingRecipe.Truth(x);

    /// <summary>Builds data, network and optimizer for <paramref name="settings"/>.</summary>
    public OverfittingRun(OverfittingSettings settings)
    {
        Settings = settings;
        _recipe = new OverfittingRecipe(settings);
    }

    /// <summary>One epoch of the recipe; returns false when training is over (last epoch, early stop, or NaN).</summary>
    public bool Epoch()
    {
        int before = _recipe.EpochsDone;
        bool more = _recipe.Epoch();
        if (_recipe.EpochsDone > before) History.Record((before, Last.Train, Last.Val));
        return more;
    }

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
