using System.Diagnostics;
using Pitts.NN;

namespace Pitts.Lab.Widgets;

/// <summary>A target function for the universal-approximation widget (its formula is in the recipe, <see cref="UniversalApproximationRecipe.Target"/>).</summary>
/// <param name="Key">URL key, the recipe's name of the target.</param>
/// <param name="Title">Name shown.</param>
public sealed record TargetFunction(string Key, string Title)
{
    /// <summary>The targets offered.</summary>
    public static readonly IReadOnlyList<TargetFunction> All =
    [
        new("sin", "sin(x)"),
        new("bump", "Gaussian bump"),
        new("abs", "|x| − 1.5"),
        new("step", "step"),
        new("wave", "sin(2x) · cos(x)"),
    ];

    /// <summary>The target with this key, or sin.</summary>
    public static TargetFunction Get(string key) => All.FirstOrDefault(t => t.Key == key) ?? All[0];

    /// <summary>The function on [-3, 3].</summary>
    public double F(double x) => UniversalApproximationRecipe.Target(Key, x);
}

/// <summary>
/// The lecture's universal-approximation demo: a 1 → N → 1 network with sigmoid hidden units
/// (<c>Sequential(Linear(1, N), Sigmoid(), Linear(N, 1))</c>) trained by plain SGD on 30 points at lr 0.005 for
/// 800 epochs; each epoch visits the 30 points one at a time in a seeded random order (24,000 SGD steps, the same
/// work as the benchmark's <c>universal-approx</c>).
/// </summary>
public sealed class UniversalApproximation
{
    /// <summary>The lecture's epochs.</summary>
    public const int Epochs = UniversalApproximationRecipe.Epochs;

    /// <summary>Most hidden units the lab allows.</summary>
    public const int MaxUnits = 100;

    /// <summary>The network.</summary>
    public Sequential Net { get; }

    /// <summary>Sample inputs.</summary>
    public double[] X { get; }

    /// <summary>Sample targets.</summary>
    public double[] Y { get; }

    /// <summary>Mean squared error on the samples after each epoch.</summary>
    public List<double> History { get; } = [];

    /// <summary>Wall time of the training in milliseconds.</summary>
    public double TrainMs { get; private set; }

    /// <summary>
    /// The trained result for these settings, trained once and kept among the last few asked for: a page trains when
    /// it is prerendered and again when it becomes interactive, and a slider moved back and forth asks for the same
    /// settings again. Training is deterministic, so a kept result is the one a new training would give.
    /// </summary>
    public static UniversalApproximation Trained(int units, TargetFunction target, ulong seed)
    {
        var key = (units, target.Key, seed);
        lock (Recent)
            if (Recent.TryGetValue(key, out var kept)) return kept;
        var r = new UniversalApproximation(units, target, seed);
        lock (Recent)
        {
            if (Recent.Count >= 32) Recent.Clear();
            Recent[key] = r;
        }
        return r;
    }

    /// <summary>The kept result for these settings, or null (see <see cref="Trained"/>).</summary>
    public static UniversalApproximation? Kept(int units, TargetFunction target, ulong seed)
    {
        lock (Recent) return Recent.GetValueOrDefault((units, target.Key, seed));
    }

    /// <summary>Keeps a fully trained result for <see cref="Trained"/> and <see cref="Kept"/>.</summary>
    public static void Keep(int units, TargetFunction target, ulong seed, UniversalApproximation trained)
    {
        lock (Recent)
        {
            if (Recent.Count >= 32) Recent.Clear();
            Recent[(units, target.Key, seed)] = trained;
        }
    }

    private static readonly Dictionary<(int, string, ulong), UniversalApproximation> Recent = [];

    /// <summary>The recipe's settings this result was trained with.</summary>
    public UniversalApproximationSettings Settings { get; }

    /// <summary>Trains the network for <paramref name="units"/> hidden units on <paramref name="target"/> (the recipe's epochs).</summary>
    public UniversalApproximation(int units, TargetFunction target, ulong seed, int epochs = Epochs)
    {
        if (units < 1 || units > MaxUnits) throw new ArgumentOutOfRangeException(nameof(units), $"hidden units must be 1 to {MaxUnits}");
        Settings = new UniversalApproximationSettings(Units: units, Target: target.Key, Seed: seed);
        _recipe = new UniversalApproximationRecipe(Settings);
        Net = _recipe.Net;
        X = _recipe.X.ToArray().Select(v => (double)v).ToArray();
        Y = _recipe.Y.ToArray().Select(v => (double)v).ToArray();
        for (int epoch = 0; epoch < epochs; epoch++) TrainEpoch(epochs);
    }

    private readonly UniversalApproximationRecipe _recipe;

    /// <summary>Epochs trained so far.</summary>
    public int EpochsDone { get; private set; }

    /// <summary>
    /// Trains one more epoch of a run of <paramref name="epochs"/> (the recipe's <c>Epoch()</c>; the browser page trains
    /// epoch by epoch between repaints); records the MSE every tenth epoch and after the last.
    /// </summary>
    public void TrainEpoch(int epochs = Epochs)
    {
        var sw = Stopwatch.StartNew();
        int epoch = EpochsDone++;
        _recipe.Epoch();
        if (epoch % 10 == 9 || epoch == epochs - 1) History.Add(_recipe.Mse());
        TrainMs += sw.Elapsed.TotalMilliseconds;
    }

    /// <summary>The final mean squared error on the 30 points.</summary>
    public double Mse => History[^1];

    /// <summary>ŷ(x) of the trained network.</summary>
    public double[] Predict(double[] x)
    {
        using var _ = Autograd.NoGrad();
        return Net.Forward(Tensor.FromArray(x.Select(v => (float)v).ToArray(), x.Length, 1)).ToArray().Select(v => (double)v).ToArray();
    }

    /// <summary>Each hidden unit's scaled sigmoid a_i σ(w_i x + b_i), the basis functions the output sums (plus its bias).</summary>
    public double[][] Basis(double[] x)
    {
        var l1 = (Linear)Net[0];
        var l2 = (Linear)Net[2];
        int n = l1.OutFeatures;
        var w = l1.Weight.ToArray(); var b = l1.Bias!.ToArray(); var a = l2.Weight.ToArray();
        var result = new double[n][];
        for (int i = 0; i < n; i++)
            result[i] = x.Select(v => a[i] / (1 + Math.Exp(-(w[i] * v + b[i])))).ToArray();
        return result;
    }
}
