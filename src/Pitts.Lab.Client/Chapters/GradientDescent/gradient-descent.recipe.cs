#:project ../../../Pitts/Pitts.csproj
// Gradient descent: SGD, SGD with momentum and Adam, side by side on a loss landscape L(w1, w2) that autograd
// differentiates. The lab's page runs this file; on its own, from the repository's root:
//   dotnet run -c Release src/Pitts.Lab.Client/Chapters/GradientDescent/gradient-descent.recipe.cs
using Pitts;
using Pitts.Optim;

#if !PITTS_LAB // the lab compiles the classes below into itself and steps the three paths a few steps per frame
var settings = new GradientDescentSettings(Landscape: "bowl", W1: -2.2, W2: 1.6, Lr: 0.1, Steps: 100);
foreach (var optimizer in new[] { "sgd", "momentum", "adam" })
{
    var path = new DescentPath(optimizer, settings);
    for (int step = 0; step < settings.Steps; step++)
        path.Step();
    var w = path.W.ToArray();
    Console.WriteLine($"{optimizer}: after {settings.Steps} steps w = ({w[0]:0.0000}, {w[1]:0.0000}), L = {path.Loss():G5}");
}
#endif

/// <summary>What the page's controls change: the landscape (bowl, saddle, local, banana), the start (w1, w2), α and the steps.</summary>
public sealed record GradientDescentSettings(string Landscape, double W1, double W2, double Lr, int Steps);

/// <summary>One optimizer descending a landscape from the start: the library's optimizer stepping the leaf w = (w1, w2).</summary>
public sealed class DescentPath
{
    private readonly Optimizer optimizer;
    private readonly string landscape;

    /// <summary>The landscapes, written with tensor ops so autograd can differentiate them (elementwise on grids too).</summary>
    public static Tensor Landscape(string name, Tensor w1, Tensor w2) => name switch
    {
        "saddle" => w1.Square() - w2.Square() + 0.25f * w2.Pow(4f),                      // a saddle at (0, 0), minima at w2 = ±√2
        "local" => (w1.Square() - 1f).Square() + 0.3f * w1 + w2.Square(),                 // a local and a lower minimum
        "banana" => (1f - w1).Square() + 5f * (w2 - w1.Square()).Square(),                // Rosenbrock's valley, minimum (1, 1)
        _ => 0.5f * (w1.Square() + 5f * w2.Square()),                                     // an elongated bowl, minimum (0, 0)
    };

    /// <summary>The weights (w1, w2), a leaf tensor of shape (2).</summary>
    public Tensor W { get; }

    /// <summary>Starts at the settings' (w1, w2) with <paramref name="kind"/>: sgd, momentum (β = 0.9) or adam, at rate α.</summary>
    public DescentPath(string kind, GradientDescentSettings s)
    {
        landscape = s.Landscape;
        W = Tensor.FromArray([(float)s.W1, (float)s.W2]).RequireGrad();
        optimizer = kind switch
        {
            "momentum" => new Sgd([W], lr: (float)s.Lr, momentum: 0.9f),
            "adam" => new Adam([W], lr: (float)s.Lr),
            _ => new Sgd([W], lr: (float)s.Lr),
        };
    }

    /// <summary>One step: L(w), backward, the optimizer's step, zero the gradient.</summary>
    public void Step()
    {
        var loss = Landscape(landscape, W.Select(0, 0), W.Select(0, 1));
        loss.Backward();
        optimizer.Step();
        optimizer.ZeroGrad();
    }

    /// <summary>L at the current weights.</summary>
    public double Loss()
    {
        using (Autograd.NoGrad())
            return Landscape(landscape, W.Select(0, 0), W.Select(0, 1)).Item();
    }
}
