using Pitts.Lab.Services;

namespace Pitts.Lab.Widgets;

/// <summary>One gradient compared three ways.</summary>
public sealed record GradientCheck(string Name, string Tex, double ChainRule, double Autograd, double FiniteDifference)
{
    /// <summary>All three agree to float32 precision (mixed relative/absolute 1e-3).</summary>
    public bool Agree => Close(ChainRule, Autograd) && Close(Autograd, FiniteDifference);

    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-3 * Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b)));
}

/// <summary>Everything the backprop page shows for one set of inputs.</summary>
public sealed record BackpropResult
{
    /// <summary>z1 = w1 x + b1.</summary>
    public double Z1 { get; init; }

    /// <summary>v = f(z1).</summary>
    public double V { get; init; }

    /// <summary>ŷ = w2 v + b2.</summary>
    public double YHat { get; init; }

    /// <summary>L = (ŷ - y)².</summary>
    public double Loss { get; init; }

    /// <summary>Autograd's gradients by node name (yhat, v, z1, w1, b1, w2, b2, L).</summary>
    public IReadOnlyDictionary<string, double> Grad { get; init; } = new Dictionary<string, double>();

    /// <summary>w1 after one SGD step.</summary>
    public double W1New { get; init; }

    /// <summary>w2 after one SGD step.</summary>
    public double W2New { get; init; }

    /// <summary>The loss after the SGD step (recomputed by the library).</summary>
    public double LossAfter { get; init; }

    /// <summary>The nine steps as TeX (4 forward, 4 backward, 1 update).</summary>
    public IReadOnlyList<string> Steps { get; init; } = [];

    /// <summary>The gradient comparisons.</summary>
    public IReadOnlyList<GradientCheck> Checks { get; init; } = [];

    /// <summary>GradCheck's one-line verdict.</summary>
    public string GradCheck { get; init; } = "";

    /// <summary>True when z1 sits on the ReLU's kink.</summary>
    public bool AtKink { get; init; }

    /// <summary>The inputs.</summary>
    public BackpropInputs Inputs { get; init; } = BackpropInputs.Lecture;

}

/// <summary>The lecture's backpropagation example run through the Pitts autograd engine.</summary>
public static class BackpropExample
{
    /// <summary>ReLU.</summary>
    public const string Relu = "ReLU";   // the recipe's name of it

    /// <summary>The activations offered.</summary>
    public static readonly string[] Activations = [Relu, "sigmoid", "tanh"];

    /// <summary>Number of steps (4 forward, 4 backward, 1 update).</summary>
    public const int StepCount = 9;

    private static double ActDerivative(double z, string f) => f switch
    {
        "sigmoid" => Sigmoid(z) * (1 - Sigmoid(z)),
        "tanh" => 1 - Math.Tanh(z) * Math.Tanh(z),
        _ => z > 0 ? 1 : 0,
    };

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    /// <summary>Runs forward, backward, the checks and the SGD update for <paramref name="p"/>.</summary>
    public static BackpropResult Run(BackpropInputs p)
    {
        // The recipe (backprop.recipe.cs, beside this file): forward, backward, GradCheck and the SGD step with the library.
        var r = BackpropRecipe.Run(p);
        var (z1, v, yHat, loss) = (r.Z1, r.V, r.YHat, r.Loss);
        var (w1, b1, w2, b2) = (r.W1, r.B1, r.W2, r.B2);

        var grad = new Dictionary<string, double>
        {
            ["L"] = 1,
            ["yhat"] = yHat.Grad!.Item(),
            ["v"] = v.Grad!.Item(),
            ["z1"] = z1.Grad!.Item(),
            ["w1"] = w1.Grad!.Item(),
            ["b1"] = b1.Grad!.Item(),
            ["w2"] = w2.Grad!.Item(),
            ["b2"] = b2.Grad!.Item(),
        };

        // The chain rule by hand, in double precision, exactly as the lecture writes it.
        double hz1 = p.W1 * p.X + p.B1;
        double hv = p.Activation switch { "sigmoid" => Sigmoid(hz1), "tanh" => Math.Tanh(hz1), _ => Math.Max(0, hz1) };
        double hy = p.W2 * hv + p.B2;
        double hl = (hy - p.Y) * (hy - p.Y);
        double dY = 2 * (hy - p.Y);
        double dW2 = dY * hv, dB2 = dY, dV = dY * p.W2;
        double fp = ActDerivative(hz1, p.Activation);
        double dZ1 = dV * fp, dW1 = dZ1 * p.X, dB1 = dZ1;

        // Central finite differences of the library's own forward pass.
        var values = new[] { (float)p.W1, (float)p.B1, (float)p.W2, (float)p.B2 };
        double Fd(int i)
        {
            const float eps = 1e-3f;
            using var noGrad = Autograd.NoGrad();
            double Eval(float delta)
            {
                var t = values.Select(Tensor.Scalar).ToArray();
                t[i] = Tensor.Scalar(values[i] + delta);
                return BackpropRecipe.Loss(t[0], t[1], t[2], t[3], p).Item();
            }
            return (Eval(eps) - Eval(-eps)) / (2.0 * eps);
        }

        var checks = new List<GradientCheck>
        {
            new("w1", @"\partial \mathcal{L}/\partial w_1", dW1, grad["w1"], Fd(0)),
            new("b1", @"\partial \mathcal{L}/\partial b_1", dB1, grad["b1"], Fd(1)),
            new("w2", @"\partial \mathcal{L}/\partial w_2", dW2, grad["w2"], Fd(2)),
            new("b2", @"\partial \mathcal{L}/\partial b_2", dB2, grad["b2"], Fd(3)),
        };

        double w1New = w1.Item(), w2New = w2.Item();

        string F(double d) => Num.F(d, 4);
        string P(double d) => d < 0 ? "(" + F(d) + ")" : F(d);
        string fname = p.Activation == Relu ? @"\mathrm{ReLU}" : p.Activation == "tanh" ? @"\tanh" : @"\sigma";
        string fprime = p.Activation == Relu ? (hz1 > 0 ? "1" : "0") : F(fp);
        var steps = new[]
        {
            $@"z_1 = w_1 x + b_1 = {F(p.W1)} \cdot {P(p.X)} + {P(p.B1)} = {F(hz1)}",
            $@"v = {fname}({F(hz1)}) = {F(hv)}",
            $@"\hat{{y}} = w_2 v + b_2 = {F(p.W2)} \cdot {P(hv)} + {P(p.B2)} = {F(hy)}",
            $@"\mathcal{{L}} = (\hat{{y}} - y)^2 = ({F(hy)} - {P(p.Y)})^2 = {F(hl)}",
            $@"\frac{{\partial \mathcal{{L}}}}{{\partial \hat{{y}}}} = 2(\hat{{y}} - y) = {F(dY)}",
            $@"\frac{{\partial \mathcal{{L}}}}{{\partial w_2}} = \frac{{\partial \mathcal{{L}}}}{{\partial \hat{{y}}}} \cdot v = {F(dY)} \cdot {P(hv)} = {F(dW2)}, \quad \frac{{\partial \mathcal{{L}}}}{{\partial b_2}} = {F(dB2)}",
            $@"\frac{{\partial \mathcal{{L}}}}{{\partial v}} = \frac{{\partial \mathcal{{L}}}}{{\partial \hat{{y}}}} \cdot w_2 = {F(dY)} \cdot {P(p.W2)} = {F(dV)}",
            $@"\frac{{\partial \mathcal{{L}}}}{{\partial w_1}} = \frac{{\partial \mathcal{{L}}}}{{\partial v}} \cdot f'(z_1) \cdot x = {F(dV)} \cdot {fprime} \cdot {P(p.X)} = {F(dW1)}, \quad \frac{{\partial \mathcal{{L}}}}{{\partial b_1}} = {F(dB1)}",
            $@"w_1 \leftarrow {F(p.W1)} - {F(p.Lr)}\,{P(dW1)} = {Num.Fixed(w1New, 3)}, \qquad w_2 \leftarrow {F(p.W2)} - {F(p.Lr)}\,{P(dW2)} = {Num.Fixed(w2New, 3)}",
        };

        return new BackpropResult
        {
            Z1 = z1.Item(),
            V = v.Item(),
            YHat = yHat.Item(),
            Loss = loss.Item(),
            Grad = grad,
            W1New = w1New,
            W2New = w2New,
            LossAfter = r.LossAfter,
            Steps = steps,
            Checks = checks,
            GradCheck = r.GradCheck,
            AtKink = p.Activation == Relu && hz1 == 0,
            Inputs = p,
        };
    }
}
