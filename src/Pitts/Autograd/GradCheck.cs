namespace Pitts;

/// <summary>The outcome of <see cref="GradCheck.Check"/>: the worst error per input and whether all passed.</summary>
/// <param name="WorstError">For each input, the largest |analytic - numeric| / max(1, |analytic|, |numeric|).</param>
/// <param name="Tolerance">The bound each error was compared with.</param>
public sealed record GradCheckResult(IReadOnlyList<double> WorstError, double Tolerance)
{
    /// <summary>True when every input's worst error is within the tolerance.</summary>
    public bool Passed => WorstError.All(e => e <= Tolerance);

    /// <summary>A one-line report.</summary>
    public override string ToString() =>
        $"GradCheck {(Passed ? "passed" : "FAILED")}: worst error per input [{string.Join(", ", WorstError.Select(e => e.ToString("0.0e+0")))}], tolerance {Tolerance:0.0e+0}";
}

/// <summary>
/// Compares the analytic gradients from <see cref="Tensor.Backward"/> with central finite differences; the inputs'
/// own <see cref="Tensor.Grad"/> values are left as they were.
/// </summary>
/// <remarks>
/// The function's output is reduced to a scalar as Σ out ⊙ r with a fixed random r, so any output shape is checked.
/// The numeric gradient is (f(x + ε) - f(x - ε)) / 2ε with ε = 1e-3 by default: in float32 the rounding error of f
/// (about 6e-8 |f|) divided by 2ε stays near 1e-4 |f|, while the truncation error ε² f''' / 6 stays near 1e-7; hence
/// the default tolerance of 1e-2 on the mixed error |a - n| / max(1, |a|, |n|) (relative for large gradients,
/// absolute for small ones). Inputs must be away from kinks (ReLU at 0, ties of max) for the check to be meaningful.
/// </remarks>
public static class GradCheck
{
    /// <summary>Checks the gradients of <paramref name="f"/> with respect to every input that requires grad.</summary>
    public static GradCheckResult Check(Func<Tensor[], Tensor> f, Tensor[] inputs, float eps = 1e-3f, double tolerance = 1e-2, ulong seed = 1234)
    {
        var probe = f(inputs);
        var r = Tensor.Rand(probe.Shape.ToArray(), new Generator(seed)).Mul(2f).Sub(1f);
        Tensor Scalar(Tensor[] xs) => f(xs).Mul(r).Sum();

        // The check runs its own backward: keep the caller's gradients and put them back afterwards.
        var saved = inputs.Select(x => x.Grad).ToArray();
        foreach (var x in inputs) x.Grad = null;
        var y = Scalar(inputs);
        if (y.RequiresGrad) y.Backward();
        try
        {
            return Compare(inputs, Scalar, eps, tolerance);
        }
        finally
        {
            for (int i = 0; i < inputs.Length; i++) inputs[i].Grad = saved[i];
        }
    }

    private static GradCheckResult Compare(Tensor[] inputs, Func<Tensor[], Tensor> scalar, float eps, double tolerance)
    {
        var worst = new double[inputs.Length];
        using var _ = Autograd.NoGrad();
        for (int i = 0; i < inputs.Length; i++)
        {
            var x = inputs[i];
            if (!x.RequiresGrad) continue;
            var analytic = x.Grad?.ToArray() ?? new float[x.Numel];
            var data = x.AsSpan();
            for (int j = 0; j < x.Numel; j++)
            {
                float orig = data[j];
                data[j] = orig + eps;
                double fp = scalar(inputs).Item();
                data[j] = orig - eps;
                double fm = scalar(inputs).Item();
                data[j] = orig;
                double numeric = (fp - fm) / (2.0 * eps);
                double a = analytic[j];
                double err = Math.Abs(a - numeric) / Math.Max(1.0, Math.Max(Math.Abs(a), Math.Abs(numeric)));
                if (double.IsNaN(err)) err = double.PositiveInfinity;
                worst[i] = Math.Max(worst[i], err);
            }
        }
        return new GradCheckResult(worst, tolerance);
    }
}
