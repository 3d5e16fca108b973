namespace Pitts.Data;

/// <summary>
/// Seeded synthetic datasets for regression and classification: noisy 1-D functions (the lecture's curve fits) and the
/// two-moons set. Every method draws from the given <see cref="Generator"/> (the default one when null), so a seed fixes
/// the data.
/// </summary>
public static class Synthetic
{
    /// <summary>
    /// n points x ~ U[low, high) with y = f(x) + N(0, noise²): inputs (n, 1) and targets (n, 1), sorted by x when
    /// <paramref name="sorted"/> (handy for plotting).
    /// </summary>
    public static TensorDataset Function(Func<double, double> f, int n, double low, double high, double noise = 0.1, Generator? generator = null, bool sorted = false)
    {
        ArgumentNullException.ThrowIfNull(f);
        if (n < 1) throw new DatasetException($"Synthetic.Function: need at least one point, got {n}");
        if (!(high > low)) throw new DatasetException($"Synthetic.Function: empty interval [{low}, {high})");
        if (!(noise >= 0)) throw new DatasetException($"Synthetic.Function: noise must be non-negative, got {noise}");
        var g = generator ?? Generator.Default;
        var xs = new double[n];
        for (int i = 0; i < n; i++) xs[i] = low + (high - low) * g.NextDouble();
        if (sorted) Array.Sort(xs);
        var x = new float[n];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = (float)xs[i];
            y[i] = (float)(f(x[i]) + (noise > 0 ? noise * NextNormal(g) : 0));
        }
        return new TensorDataset(Tensor.FromArray(x, n, 1), Tensor.FromArray(y, n, 1));
    }

    /// <summary>y = sin(frequency · x) + N(0, noise²) for x ~ U[low, high); inputs and targets (n, 1).</summary>
    public static TensorDataset Sin(int n, double noise = 0.1, double low = -Math.PI, double high = Math.PI, double frequency = 1, Generator? generator = null, bool sorted = false) =>
        Function(x => Math.Sin(frequency * x), n, low, high, noise, generator, sorted);

    /// <summary>
    /// y = c0 + c1 x + c2 x² + ... + N(0, noise²) for x ~ U[low, high), with <paramref name="coefficients"/> in increasing
    /// powers; inputs and targets (n, 1).
    /// </summary>
    public static TensorDataset Polynomial(double[] coefficients, int n, double low = -1, double high = 1, double noise = 0.1, Generator? generator = null, bool sorted = false)
    {
        ArgumentNullException.ThrowIfNull(coefficients);
        if (coefficients.Length == 0) throw new DatasetException("Synthetic.Polynomial: no coefficients");
        var c = (double[])coefficients.Clone();
        return Function(x =>
        {
            double acc = 0; // Horner's rule
            for (int k = c.Length - 1; k >= 0; k--) acc = acc * x + c[k];
            return acc;
        }, n, low, high, noise, generator, sorted);
    }

    /// <summary>
    /// Two interleaving half circles, as scikit-learn's <c>make_moons</c>: ⌊n/2⌋ points (cos t, sin t) with label 0 and the
    /// rest (1 - cos t, 1/2 - sin t) with label 1, t evenly spaced on [0, π], plus N(0, noise²) on each coordinate, then
    /// shuffled. Inputs (n, 2), targets (n, 1).
    /// </summary>
    public static TensorDataset Moons(int n, double noise = 0.1, Generator? generator = null)
    {
        if (n < 2) throw new DatasetException($"Synthetic.Moons: need at least two points, got {n}");
        var g = generator ?? Generator.Default;
        int nOut = n / 2, nIn = n - nOut;
        var pts = new List<(double X, double Y, float Label)>(n);
        for (int i = 0; i < nOut; i++)
        {
            double t = nOut == 1 ? 0 : Math.PI * i / (nOut - 1);
            pts.Add((Math.Cos(t), Math.Sin(t), 0));
        }
        for (int i = 0; i < nIn; i++)
        {
            double t = nIn == 1 ? 0 : Math.PI * i / (nIn - 1);
            pts.Add((1 - Math.Cos(t), 1 - Math.Sin(t) - 0.5, 1));
        }
        var perm = g.Permutation(n);
        var x = new float[2 * n];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            var p = pts[perm[i]];
            x[2 * i] = (float)(p.X + (noise > 0 ? noise * NextNormal(g) : 0));
            x[2 * i + 1] = (float)(p.Y + (noise > 0 ? noise * NextNormal(g) : 0));
            y[i] = p.Label;
        }
        return new TensorDataset(Tensor.FromArray(x, n, 2), Tensor.FromArray(y, n, 1));
    }

    /// <summary>One standard normal draw (Box-Muller on two uniform doubles).</summary>
    internal static double NextNormal(Generator g)
    {
        double u1 = 1.0 - g.NextDouble();
        double u2 = g.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}

/// <summary>
/// The 2-D datasets of TensorFlow Playground (playground.tensorflow.org, src/dataset.ts), following its generators step
/// for step with Pitts's seeded <see cref="Generator"/> in place of <c>Math.random</c>. The <c>noise</c> argument is the
/// playground's noise setting divided by 100 (0 to 0.5). Inputs are (n, 2); classification targets are (n, 1) holding 1
/// for the playground's label +1 and 0 for -1 (or ±1 itself with <c>signedLabels</c>).
/// </summary>
public static class Playground
{
    /// <summary>
    /// Circle: half the points at radius U[0, 2.5) (label +1), half at radius U[3.5, 5) (label -1); the label is that of
    /// the point moved by noise · U[-5, 5) on each axis, so noise flips labels near the boundary.
    /// </summary>
    public static TensorDataset Circle(int n, double noise = 0, Generator? generator = null, bool signedLabels = false)
    {
        var g = Gen(generator, n, noise, "Circle");
        const double radius = 5;
        var pts = new List<(double, double, int)>(n);
        double Label(double x, double y) => Math.Sqrt(x * x + y * y) < radius * 0.5 ? 1 : -1;
        for (int part = 0; part < 2; part++)
        {
            for (int i = 0; i < n / 2.0; i++)
            {
                double r = part == 0 ? U(g, 0, radius * 0.5) : U(g, radius * 0.7, radius);
                double angle = U(g, 0, 2 * Math.PI);
                double x = r * Math.Sin(angle), y = r * Math.Cos(angle);
                double nx = U(g, -radius, radius) * noise, ny = U(g, -radius, radius) * noise;
                pts.Add((x, y, (int)Label(x + nx, y + ny)));
            }
        }
        return Make(pts, signedLabels);
    }

    /// <summary>
    /// XOR: x, y ~ U[-5, 5) pushed 0.3 away from the axes; label +1 when x·y ≥ 0 for the point moved by noise · U[-5, 5).
    /// </summary>
    public static TensorDataset Xor(int n, double noise = 0, Generator? generator = null, bool signedLabels = false)
    {
        var g = Gen(generator, n, noise, "Xor");
        var pts = new List<(double, double, int)>(n);
        for (int i = 0; i < n; i++)
        {
            const double padding = 0.3;
            double x = U(g, -5, 5);
            x += x > 0 ? padding : -padding;
            double y = U(g, -5, 5);
            y += y > 0 ? padding : -padding;
            double nx = U(g, -5, 5) * noise, ny = U(g, -5, 5) * noise;
            pts.Add((x, y, (x + nx) * (y + ny) >= 0 ? 1 : -1));
        }
        return Make(pts, signedLabels);
    }

    /// <summary>
    /// Gauss: two Gaussian clusters centred at (2, 2) (label +1) and (-2, -2) (label -1), each coordinate with variance
    /// 0.5 + 7 · noise (the playground's linear map of noise [0, 0.5] to variance [0.5, 4]).
    /// </summary>
    public static TensorDataset Gauss(int n, double noise = 0, Generator? generator = null, bool signedLabels = false)
    {
        var g = Gen(generator, n, noise, "Gauss");
        double variance = 0.5 + (4 - 0.5) * noise / 0.5;
        var pts = new List<(double, double, int)>(n);
        foreach (var (cx, cy, label) in new[] { (2.0, 2.0, 1), (-2.0, -2.0, -1) })
            for (int i = 0; i < n / 2.0; i++)
                pts.Add((NormalRandom(g, cx, variance), NormalRandom(g, cy, variance), label));
        return Make(pts, signedLabels);
    }

    /// <summary>
    /// Spiral: two arms of n/2 points, r = 5 i / (n/2) and angle t = 1.75 · 2π i / (n/2) (+π for the second arm, label -1),
    /// each coordinate moved by noise · U[-1, 1).
    /// </summary>
    public static TensorDataset Spiral(int n, double noise = 0, Generator? generator = null, bool signedLabels = false)
    {
        var g = Gen(generator, n, noise, "Spiral");
        double half = n / 2.0;
        var pts = new List<(double, double, int)>(n);
        foreach (var (delta, label) in new[] { (0.0, 1), (Math.PI, -1) })
        {
            for (int i = 0; i < half; i++)
            {
                double r = i / half * 5;
                double t = 1.75 * i / half * 2 * Math.PI + delta;
                double x = r * Math.Sin(t) + U(g, -1, 1) * noise;
                double y = r * Math.Cos(t) + U(g, -1, 1) * noise;
                pts.Add((x, y, label));
            }
        }
        return Make(pts, signedLabels);
    }

    /// <summary>
    /// The playground's regression plane: x, y ~ U[-6, 6), target (x + y) / 10 computed at the point moved by
    /// noise · U[-6, 6) on each axis. Targets (n, 1) in about [-1.2, 1.2].
    /// </summary>
    public static TensorDataset RegressPlane(int n, double noise = 0, Generator? generator = null)
    {
        var g = Gen(generator, n, noise, "RegressPlane");
        var x = new float[2 * n];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            double a = U(g, -6, 6), b = U(g, -6, 6);
            double na = U(g, -6, 6) * noise, nb = U(g, -6, 6) * noise;
            x[2 * i] = (float)a;
            x[2 * i + 1] = (float)b;
            y[i] = (float)((a + na + b + nb) / 10);
        }
        return new TensorDataset(Tensor.FromArray(x, n, 2), Tensor.FromArray(y, n, 1));
    }

    private static Generator Gen(Generator? g, int n, double noise, string op)
    {
        if (n < 1) throw new DatasetException($"Playground.{op}: need at least one point, got {n}");
        if (!(noise >= 0 && noise <= 1)) throw new DatasetException($"Playground.{op}: noise {noise} is outside [0, 1] (the playground uses 0 to 0.5)");
        return g ?? Generator.Default;
    }

    private static double U(Generator g, double a, double b) => g.NextDouble() * (b - a) + a;

    // The playground's normalRandom: Marsaglia's polar method, one value per accepted pair.
    private static double NormalRandom(Generator g, double mean, double variance)
    {
        double v1, s;
        do
        {
            v1 = 2 * g.NextDouble() - 1;
            double v2 = 2 * g.NextDouble() - 1;
            s = v1 * v1 + v2 * v2;
        } while (s > 1 || s == 0);
        return mean + Math.Sqrt(variance) * Math.Sqrt(-2 * Math.Log(s) / s) * v1;
    }

    private static TensorDataset Make(List<(double X, double Y, int Label)> pts, bool signed)
    {
        int n = pts.Count;
        var x = new float[2 * n];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[2 * i] = (float)pts[i].X;
            x[2 * i + 1] = (float)pts[i].Y;
            y[i] = signed ? pts[i].Label : pts[i].Label > 0 ? 1 : 0;
        }
        return new TensorDataset(Tensor.FromArray(x, n, 2), Tensor.FromArray(y, n, 1));
    }
}
