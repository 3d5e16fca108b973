using Pitts.Lab.Services;
using Pitts.Optim;

namespace Pitts.Lab.Widgets;

/// <summary>A loss landscape L(w1, w2) written with library tensor ops, so autograd gives its gradient.</summary>
/// <param name="Key">URL key.</param>
/// <param name="Title">Name shown.</param>
/// <param name="Tex">The formula.</param>
/// <param name="Loss">L of a tensor w of shape (2) or of grids w1, w2 of any shape (elementwise).</param>
/// <param name="LossCode">The same loss as C# in tensors w1 and w2, for the page's code sample.</param>
/// <param name="Start">A good starting point.</param>
/// <param name="Note">What to look for.</param>
/// <param name="Lr">The learning rate the page starts this landscape with: every optimizer stays finite from
/// <paramref name="Start"/> (tested).</param>
public sealed record Landscape(string Key, string Title, string Tex, Func<Tensor, Tensor, Tensor> Loss, string LossCode,
    (double W1, double W2) Start, string Note, double Lr = 0.1)
{
    /// <summary>The plotted square: w1 and w2 in [-Extent, Extent].</summary>
    public const double Extent = 2.5;

    /// <summary>The landscapes offered.</summary>
    public static readonly IReadOnlyList<Landscape> All =
    [
        new("bowl", "Elongated bowl", @"\mathcal{L} = \tfrac{1}{2}\left(w_1^2 + 5\,w_2^2\right)",
            (a, b) => 0.5f * (a.Square() + 5f * b.Square()), "0.5f * (w1.Square() + 5f * w2.Square())", (-2.2, 1.6),
            "One minimum at (0, 0), steep across and shallow along: plain SGD zig-zags, momentum overshoots, Adam goes straight. Try α above 0.4: SGD diverges."),
        new("saddle", "Saddle point", @"\mathcal{L} = w_1^2 - w_2^2 + \tfrac{1}{4} w_2^4",
            (a, b) => a.Square() - b.Square() + 0.25f * b.Pow(4f), "w1.Square() - w2.Square() + 0.25f * w2.Pow(4f)", (2.2, 0.02),
            "A saddle at (0, 0) between two minima at w₂ = ±√2. Start on the ridge w₂ ≈ 0: the gradient barely pushes sideways, so SGD crawls near the saddle."),
        new("local", "Local minimum", @"\mathcal{L} = (w_1^2 - 1)^2 + 0.3\,w_1 + w_2^2",
            (a, b) => (a.Square() - 1f).Square() + 0.3f * a + b.Square(), "(w1.Square() - 1f).Square() + 0.3f * w1 + w2.Square()", (2.2, 1.8),
            "Two valleys: the right one (w₁ ≈ 0.96) is only a local minimum; the left one (w₁ ≈ −1.04) is lower. Where each optimizer ends depends on the start and on α: at this landscape's α = 0.03 momentum's speed carries it over the hump into the lower valley while SGD and Adam settle in the nearer one; at α = 0.1 momentum is thrown out.",
            Lr: 0.03),
        new("banana", "Rosenbrock's banana", @"\mathcal{L} = (1 - w_1)^2 + 5\,(w_2 - w_1^2)^2",
            (a, b) => (1f - a).Square() + 5f * (b - a.Square()).Square(), "(1f - w1).Square() + 5f * (w2 - w1.Square()).Square()", (-1.8, -1.0),
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

/// <summary>One optimizer's path over a landscape: the library's optimizer stepping a leaf tensor w = (w1, w2).</summary>
public sealed class OptimizerPath
{
    private readonly Tensor _w;
    private readonly Optimizer _opt;
    private readonly Landscape _land;

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
        _land = land;
        _w = Tensor.FromArray([(float)start.W1, (float)start.W2]).RequireGrad();
        (Name, Color, _opt) = kind switch
        {
            "momentum" => ("momentum (β = 0.9)", "#2a6fdb", (Optimizer)new Sgd([_w], (float)lr, momentum: 0.9f)),
            "adam" => ("Adam", "#17a34a", new Adam([_w], (float)lr)),
            _ => ("SGD", "#e4572e", new Sgd([_w], (float)lr)),
        };
        Record(land.At(start.W1, start.W2));
    }

    private void Record(double loss)
    {
        var w = _w.ToArray();
        W1.Add(w[0]); W2.Add(w[1]); Loss.Add(loss);
        if (!double.IsFinite(loss) || Math.Abs(w[0]) > 1e6 || Math.Abs(w[1]) > 1e6) Diverged = true;
    }

    /// <summary>One step: zero the gradient, L(w), backward, optimizer step.</summary>
    public void Step()
    {
        if (Diverged) return;
        _opt.ZeroGrad();
        var loss = _land.Loss(_w.Select(0, 0), _w.Select(0, 1));
        loss.Backward();
        _opt.Step();
        Record(_land.At(_w.ToArray()[0], _w.ToArray()[1]));
    }

    /// <summary>Number of steps taken.</summary>
    public int Steps => W1.Count - 1;
}
