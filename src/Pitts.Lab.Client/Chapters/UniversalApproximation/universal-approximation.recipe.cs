#:project ../../../Pitts/Pitts.csproj
// Universal approximation: a 1 → N → 1 network of sigmoid units, fitted by plain SGD to 30 points of a target on [-3, 3].
// The lab's page runs this file; on its own, from the repository's root:
//   dotnet run -c Release src/Pitts.Lab.Client/Chapters/UniversalApproximation/universal-approximation.recipe.cs
using Pitts;
using Pitts.NN;
using Pitts.Optim;

#if !PITTS_LAB // the lab compiles the classes below into itself and runs the epochs in slices
var settings = new UniversalApproximationSettings(Units: 3, Target: "sin", Seed: 1);
var recipe = new UniversalApproximationRecipe(settings);
for (int epoch = 0; epoch < UniversalApproximationRecipe.Epochs; epoch++)
    recipe.Epoch();
Console.WriteLine($"MSE = {recipe.Mse():0.00000}");
#endif

/// <summary>What the page's controls change: hidden units N, the target function (sin, bump, abs, step, wave), the seed.</summary>
public sealed record UniversalApproximationSettings(int Units, string Target, ulong Seed);

/// <summary>The network, the 30 points and the lecture's SGD (lr 0.005), one epoch per <see cref="Epoch"/>.</summary>
public sealed class UniversalApproximationRecipe
{
    /// <summary>The lecture's 800 epochs.</summary>
    public const int Epochs = 800;

    /// <summary>The target functions, by name.</summary>
    public static double Target(string name, double x) => name switch
    {
        "bump" => 2 * Math.Exp(-x * x) - 1,
        "abs" => Math.Abs(x) - 1.5,
        "step" => x < 0 ? -0.5 : 0.5,
        "wave" => Math.Sin(2 * x) * Math.Cos(x),
        _ => Math.Sin(x),
    };

    private readonly Generator g;
    private readonly MseLoss criterion = new();
    private readonly Sgd optimizer;

    /// <summary>The network: Linear(1, N), Sigmoid, Linear(N, 1).</summary>
    public Sequential Net { get; }

    /// <summary>The 30 sample points x, (30, 1), evenly spaced on [-3, 3].</summary>
    public Tensor X { get; } = Tensor.Linspace(-3f, 3f, 30).Reshape(30, 1);

    /// <summary>The targets f(x), (30, 1).</summary>
    public Tensor Y { get; }

    /// <summary>Builds the network and the data for <paramref name="s"/>.</summary>
    public UniversalApproximationRecipe(UniversalApproximationSettings s)
    {
        g = new Generator(s.Seed);
        Y = Tensor.FromArray(X.ToArray().Select(x => (float)Target(s.Target, x)).ToArray(), 30, 1);
        Net = new Sequential(new Linear(1, s.Units, generator: g), new Sigmoid(), new Linear(s.Units, 1, generator: g));
        optimizer = new Sgd(Net.Parameters(), lr: 0.005f);
    }

    /// <summary>One epoch: the 30 points one at a time, in a new random order.</summary>
    public void Epoch()
    {
        foreach (int i in g.Permutation(30)) Step(i);
    }

    /// <summary>One SGD step on point <paramref name="i"/>.</summary>
    public void Step(int i)
    {
        var output = Net.Forward(X.IndexSelect(0, [i]));       // forward
        var loss = criterion.Forward(output, Y.IndexSelect(0, [i]));
        loss.Backward();                                      // backward
        optimizer.Step();                                     // w ← w − α ∂L/∂w
        optimizer.ZeroGrad();
    }

    /// <summary>The mean squared error on the 30 points.</summary>
    public double Mse()
    {
        using (Autograd.NoGrad())
            return criterion.Forward(Net.Forward(X), Y).Item();
    }
}
