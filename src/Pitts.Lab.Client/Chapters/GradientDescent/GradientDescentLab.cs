namespace Pitts.Lab.Widgets;

/// <summary>A loss landscape L(w1, w2) of the gradient-descent page; its formula is the recipe's (<see cref="DescentPath.Landscape"/>).</summary>
/// <param name="Key">URL key.</param>
/// <param name="Title">Name shown.</param>
/// <param name="Tex">The formula.</param>
/// <param name="Start">A good starting point.</param>
/// <param name="Note">What to look for.</param>
/// <param name="Lr">The learning rate the page starts this landscape with: every optimizer stays finite from
/// <paramref name="Start"/> (tested).</param>
public sealed record Landscape(string Key, string Title, string Tex, (double W1, double W2) Start, string Note, double Lr = 0.1)
{
    /// <summary>L of the tensors w1 and w2 (scalars, or grids of any shape: elementwise), by the recipe.</summary>
    public Tensor Loss(Tensor w1, Tensor w2) => DescentPath.Landscape(Key, w1, w2);

    /// <summary>The plotted square: w1 and w2 in [-Extent, Extent].</summary>
    public const double Extent = 2.5;

    /// <summary>The landscapes offered.</summary>
    public static readonly IReadOnlyList<Landscape> All =
    [
        new("bowl", "Elongated bowl", @"\mathcal{L} = \tfrac{1}{2}\left(w_1^2 + 5\,w_2^2\right)",
            (-2.2, 1.6),
            "One minimum at (0, 0), steep across and shallow along: plain SGD zig-zags, momentum overshoots, Adam goes straight. Try α above 0.4: SGD diverges."),
        new("saddle", "Saddle point", @"\mathcal{L} = w_1^2 - w_2^2 + \tfrac{1}{4} w_2^4",
            (2.2, 0.02),
            "A saddle at (0, 0) between two minima at w₂ = ±√2. Start on the ridge w₂ ≈ 0: the gradient barely pushes sideways, so SGD crawls near the saddle."),
        new("local", "Local minimum", @"\mathcal{L} = (w_1^2 - 1)^2 + 0.3\,w_1 + w_2^2",
            (2.2, 1.8),
            "Two valleys: the right one (w₁ ≈ 0.96) is only a local minimum; the left one (w₁ ≈ −1.04) is lower. Where each optimizer ends depends on the start and on α: at this landscape's α = 0.03 momentum's speed carries it over the hump into the lower valley while SGD and Adam settle in the nearer one; at α = 0.1 momentum is thrown out.",
            Lr: 0.03),
        new("banana", "Rosenbrock's banana", @"\mathcal{L} = (1 - w_1)^2 + 5\,(w_2 - w_1^2)^2",
            (-1.8, -1.0),
            "A curved valley with its minimum at (1, 1): easy to reach, slow to follow. Its walls are steep, so it starts at α = 0.01: from α ≈ 0.02 momentum, and soon plain SGD, are thrown out of the valley; Adam's steps of about α crawl along it.",
            Lr: 0.01),
    ];

    /// <summary>The landscape with this key, or the bowl.</summary>
    public static Landscape Get(string key) => All.FirstOrDefault(l => l.Key == key) ?? All[0];

    /// <summary>L at one point, evaluated by the library.</summary>
    public double At(double w1, double w2)
    {
        using var _ = Autograd.NoGrad();
        return Loss(Tensor.Scalar((float)w1), Tensor.Scalar((float)w2)).Item();
    }

    /// <summary>L on an n x n grid over the square (row 0 = top, i.e. largest w2), evaluated in one batched call.</summary>
    public double[,] Grid(int n)
    {
        using var _ = Autograd.NoGrad();
        var axis = Tensor.Linspace((float)-Extent, (float)Extent, n);
        var w1 = axis.Reshape(1, n).Expand(n, n);
        var w2 = axis.Flip0().Reshape(n, 1).Expand(n, n);
        var l = Loss(w1, w2).ToArray();
        var g = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) g[i, j] = l[i * n + j];
        return g;
    }
}

/// <summary>Extension helpers for the lab's tensor code.</summary>
public static class TensorLabExtensions
{
    /// <summary>The 1-D tensor reversed.</summary>
    public static Tensor Flip0(this Tensor t) => Tensor.FromArray(t.ToArray().Reverse().ToArray());
}

/// <summary>One optimizer's path over a landscape (the recipe's <see cref="DescentPath"/>), with the points it visited.</summary>
public sealed class OptimizerPath
{
    private readonly DescentPath _path;

    /// <summary>Name shown in the legend.</summary>
    public string Name { get; }

    /// <summary>CSS colour.</summary>
    public string Color { get; }

    /// <summary>Visited w1 values (first = start).</summary>
    public List<double> W1 { get; } = [];

    /// <summary>Visited w2 values.</summary>
    public List<double> W2 { get; } = [];

    /// <summary>Loss at each visited point.</summary>
    public List<double> Loss { get; } = [];

    /// <summary>True once the loss or a weight became non-finite or huge.</summary>
    public bool Diverged { get; private set; }

    /// <summary>Starts a path at <paramref name="start"/> with optimizer <paramref name="kind"/> (sgd, momentum, adam).</summary>
    public OptimizerPath(string kind, Landscape land, (double W1, double W2) start, double lr)
    {
        _path = new DescentPath(kind, new GradientDescentSettings(Landscape: land.Key, W1: start.W1, W2: start.W2, Lr: lr, Steps: 0));
        (Name, Color) = kind switch
        {
            "momentum" => ("momentum (β = 0.9)", "#2a6fdb"),
            "adam" => ("Adam", "#17a34a"),
            _ => ("SGD", "#e4572e"),
        };
        Record();
    }

    private void Record()
    {
        var w = _path.W.ToArray();
        double loss = _path.Loss();
        W1.Add(w[0]); W2.Add(w[1]); Loss.Add(loss);
        if (!double.IsFinite(loss) || Math.Abs(w[0]) > 1e6 || Math.Abs(w[1]) > 1e6) Diverged = true;
    }

    /// <summary>One step of the recipe: L(w), backward, optimizer step, zero the gradient.</summary>
    public void Step()
    {
        if (Diverged) return;
        _path.Step();
        Record();
    }

    /// <summary>Number of steps taken.</summary>
    public int Steps => W1.Count - 1;
}
