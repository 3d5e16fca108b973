namespace Pitts.Models;

/// <summary>
/// The linear hypothesis ŷ = w · φ(x), fitted by least squares: w = argmin ‖Φw - y‖² + λ‖w‖², solved by a
/// Householder QR factorisation in double precision (stable even for the ill-conditioned polynomial design
/// matrices that show overfitting).
/// </summary>
public sealed class LinearModel
{
    /// <summary>The feature map φ.</summary>
    public FeatureMap Features { get; }

    /// <summary>The weights w, one per feature.</summary>
    public IReadOnlyList<double> Weights { get; }

    private LinearModel(FeatureMap features, double[] weights)
    {
        Features = features;
        Weights = weights;
    }

    /// <summary>A model with given weights (e.g. to evaluate a known function or a trained network's last layer).</summary>
    public static LinearModel FromWeights(FeatureMap features, IReadOnlyList<double> weights)
    {
        if (weights.Count != features.Count)
            throw new PittsException($"LinearModel: {weights.Count} weights for {features.Count} features of {features.Name}");
        return new LinearModel(features, weights.ToArray());
    }

    /// <summary>Fits w by (ridge-regularised when <paramref name="ridge"/> &gt; 0) least squares on inputs x (n) and targets y (n).</summary>
    public static LinearModel Fit(FeatureMap features, Tensor x, Tensor y, double ridge = 0)
    {
        if (x.Numel != y.Numel)
            throw new ShapeException($"LinearModel.Fit: {x.Numel} inputs but {y.Numel} targets");
        if (ridge < 0 || double.IsNaN(ridge)) throw new PittsException($"LinearModel.Fit: ridge must be non-negative, got {ridge}");
        var xs = x.ToArray();
        var ys = y.ToArray();
        int n = xs.Length, p = features.Count;
        int rows = n + (ridge > 0 ? p : 0);
        if (rows < p && ridge == 0)
            throw new PittsException($"LinearModel.Fit: {n} points cannot determine {p} weights; add points, lower the degree or use ridge > 0");
        // Ridge as extra rows √λ·I with target 0: ‖Φw - y‖² + λ‖w‖² = ‖[Φ; √λ I] w - [y; 0]‖².
        var a = new double[rows, p];
        var b = new double[rows];
        for (int i = 0; i < n; i++)
        {
            var phi = features.Apply(xs[i]);
            for (int j = 0; j < p; j++) a[i, j] = phi[j];
            b[i] = ys[i];
        }
        for (int j = 0; j < p && ridge > 0; j++) a[n + j, j] = Math.Sqrt(ridge);
        return new LinearModel(features, LeastSquares.Solve(a, b));
    }

    /// <summary>ŷ = w · φ(x) for one input.</summary>
    public double Evaluate(double x)
    {
        var phi = Features.Apply(x);
        double s = 0;
        for (int j = 0; j < phi.Length; j++) s += Weights[j] * phi[j];
        return s;
    }

    /// <summary>ŷ for each input of a (n) or (n x 1) tensor, as a (n) tensor.</summary>
    public Tensor Predict(Tensor x) => Tensor.FromArray(x.ToArray().Select(v => (float)Evaluate(v)).ToArray());

    /// <summary>Mean squared error (1/n) Σ (ŷ_i - y_i)².</summary>
    public double Mse(Tensor x, Tensor y)
    {
        var xs = x.ToArray();
        var ys = y.ToArray();
        if (xs.Length != ys.Length) throw new ShapeException($"LinearModel.Mse: {xs.Length} inputs but {ys.Length} targets");
        if (xs.Length == 0) return double.NaN;
        double s = 0;
        for (int i = 0; i < xs.Length; i++) { double d = Evaluate(xs[i]) - ys[i]; s += d * d; }
        return s / xs.Length;
    }
}

/// <summary>Dense least squares min ‖Ax - b‖ by Householder QR with column norms checked for rank deficiency.</summary>
public static class LeastSquares
{
    /// <summary>Solves min ‖Ax - b‖₂ for A (m x n, m ≥ n, full column rank); throws when A is numerically rank-deficient.</summary>
    public static double[] Solve(double[,] a, double[] b)
    {
        int m = a.GetLength(0), n = a.GetLength(1);
        if (b.Length != m) throw new PittsException($"LeastSquares: A has {m} rows but b has {b.Length}");
        if (m < n) throw new PittsException($"LeastSquares: {m} equations cannot determine {n} unknowns");
        var r = (double[,])a.Clone();
        var qtb = (double[])b.Clone();
        double scale = 0;
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) scale = Math.Max(scale, Math.Abs(r[i, j]));
        for (int k = 0; k < n; k++)
        {
            // Householder reflection H = I - 2vvᵀ/(vᵀv) zeroing r[k+1.., k].
            double norm = 0;
            for (int i = k; i < m; i++) norm += r[i, k] * r[i, k];
            norm = Math.Sqrt(norm);
            if (norm <= 1e-13 * Math.Max(scale, 1e-300))
                throw new PittsException($"LeastSquares: the design matrix is rank-deficient (feature {k} is a combination of the others); use ridge > 0");
            double alpha = r[k, k] > 0 ? -norm : norm;
            var v = new double[m];
            v[k] = r[k, k] - alpha;
            for (int i = k + 1; i < m; i++) v[i] = r[i, k];
            double vv = 0;
            for (int i = k; i < m; i++) vv += v[i] * v[i];
            if (vv == 0) continue;
            for (int j = k; j < n; j++)
            {
                double dot = 0;
                for (int i = k; i < m; i++) dot += v[i] * r[i, j];
                double f = 2 * dot / vv;
                for (int i = k; i < m; i++) r[i, j] -= f * v[i];
            }
            double db = 0;
            for (int i = k; i < m; i++) db += v[i] * qtb[i];
            double fb = 2 * db / vv;
            for (int i = k; i < m; i++) qtb[i] -= fb * v[i];
        }
        var x = new double[n];
        for (int k = n - 1; k >= 0; k--)
        {
            double s = qtb[k];
            for (int j = k + 1; j < n; j++) s -= r[k, j] * x[j];
            x[k] = s / r[k, k];
        }
        return x;
    }
}
