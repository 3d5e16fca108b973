namespace Pitts.Data;

/// <summary>
/// Trajectories of ordinary differential equations for sequence models, integrated with the classical fourth-order
/// Runge-Kutta method (RK4) in double precision, and the windowing that turns a trajectory into (past, future) pairs.
/// </summary>
public static class Trajectories
{
    /// <summary>The right-hand side dy/dt = f(t, y) of an ODE system, writing into <c>dydt</c>.</summary>
    public delegate void Derivative(double t, ReadOnlySpan<double> y, Span<double> dydt);

    /// <summary>
    /// Integrates dy/dt = f(t, y) from y(0) = <paramref name="y0"/> with <paramref name="steps"/> RK4 steps of size
    /// <paramref name="dt"/>: y_{n+1} = y_n + dt/6 (k1 + 2 k2 + 2 k3 + k4). Returns (steps + 1, dim) float32, row 0 = y0.
    /// </summary>
    public static Tensor Rk4(Derivative f, double[] y0, double dt, int steps) => Tensor.FromArray(Integrate(f, y0, dt, steps, null), steps + 1, y0.Length);

    /// <summary>The double-precision state after <paramref name="steps"/> RK4 steps of size <paramref name="dt"/> from y0.</summary>
    public static double[] Rk4Final(Derivative f, double[] y0, double dt, int steps)
    {
        var final = new double[y0.Length];
        Integrate(f, y0, dt, steps, final);
        return final;
    }

    private static float[] Integrate(Derivative f, double[] y0, double dt, int steps, double[]? final)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(y0);
        if (steps < 0) throw new DatasetException($"Trajectories.Rk4: steps must be non-negative, got {steps}");
        if (!(dt > 0) || double.IsInfinity(dt)) throw new DatasetException($"Trajectories.Rk4: dt must be positive and finite, got {dt}");
        int d = y0.Length;
        var y = (double[])y0.Clone();
        double[] k1 = new double[d], k2 = new double[d], k3 = new double[d], k4 = new double[d], tmp = new double[d];
        var outp = new float[(steps + 1) * d];
        for (int j = 0; j < d; j++) outp[j] = (float)y[j];
        for (int s = 0; s < steps; s++)
        {
            double t = s * dt;
            f(t, y, k1);
            for (int j = 0; j < d; j++) tmp[j] = y[j] + 0.5 * dt * k1[j];
            f(t + 0.5 * dt, tmp, k2);
            for (int j = 0; j < d; j++) tmp[j] = y[j] + 0.5 * dt * k2[j];
            f(t + 0.5 * dt, tmp, k3);
            for (int j = 0; j < d; j++) tmp[j] = y[j] + dt * k3[j];
            f(t + dt, tmp, k4);
            for (int j = 0; j < d; j++)
            {
                y[j] += dt / 6 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);
                outp[(s + 1) * d + j] = (float)y[j];
            }
        }
        if (final is not null) y.CopyTo(final, 0);
        return outp;
    }

    /// <summary>
    /// The damped harmonic oscillator x'' + 2 ζ ω x' + ω² x = 0 as the system (x, v): (steps + 1, 2) rows of [x, v] at
    /// t = 0, dt, 2 dt, ....
    /// </summary>
    public static Tensor DampedOscillator(int steps, double dt = 0.05, double omega = 1, double zeta = 0.1, double x0 = 1, double v0 = 0) =>
        Rk4((_, y, dy) => { dy[0] = y[1]; dy[1] = -2 * zeta * omega * y[1] - omega * omega * y[0]; }, [x0, v0], dt, steps);

    /// <summary>The oscillator's exact position x(t) for 0 ≤ ζ &lt; 1: e^(-ζωt) (x0 cos ω_d t + (v0 + ζ ω x0) / ω_d sin ω_d t), ω_d = ω √(1 - ζ²).</summary>
    public static double DampedOscillatorExact(double t, double omega = 1, double zeta = 0.1, double x0 = 1, double v0 = 0)
    {
        if (!(zeta >= 0 && zeta < 1)) throw new DatasetException($"DampedOscillatorExact: the closed form here is for underdamped 0 <= zeta < 1, got {zeta}");
        double wd = omega * Math.Sqrt(1 - zeta * zeta);
        return Math.Exp(-zeta * omega * t) * (x0 * Math.Cos(wd * t) + (v0 + zeta * omega * x0) / wd * Math.Sin(wd * t));
    }

    /// <summary>
    /// The Lorenz system x' = σ (y - x), y' = x (ρ - z) - y, z' = x y - β z (Lorenz 1963; σ = 10, ρ = 28, β = 8/3 give
    /// the butterfly attractor): (steps + 1, 3) rows of [x, y, z].
    /// </summary>
    public static Tensor Lorenz(int steps, double dt = 0.01, double sigma = 10, double rho = 28, double beta = 8.0 / 3.0, double[]? y0 = null) =>
        Rk4((_, y, dy) =>
        {
            dy[0] = sigma * (y[1] - y[0]);
            dy[1] = y[0] * (rho - y[2]) - y[1];
            dy[2] = y[0] * y[1] - beta * y[2];
        }, y0 ?? [1, 1, 1], dt, steps);

    /// <summary>
    /// Cuts a (T, D) trajectory into sliding windows: inputs (N, window, D) are rows [s, s + window) and targets
    /// (N, horizon, D) the following <paramref name="horizon"/> rows, for s = 0, stride, 2 stride, ... while they fit.
    /// </summary>
    public static TensorDataset Windows(Tensor trajectory, int window, int horizon = 1, int stride = 1)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        if (trajectory.Rank != 2) throw new ShapeException($"Trajectories.Windows: expected a (T, D) trajectory, got {Fmt.Shape(trajectory._shape)}");
        if (window < 1 || horizon < 1 || stride < 1) throw new DatasetException($"Trajectories.Windows: window {window}, horizon {horizon} and stride {stride} must be positive");
        int T = trajectory.Shape[0], D = trajectory.Shape[1];
        int n = T < window + horizon ? 0 : (T - window - horizon) / stride + 1;
        if (n == 0) throw new DatasetException($"Trajectories.Windows: a trajectory of {T} steps is too short for window {window} + horizon {horizon}");
        var src = trajectory.AsSpan();
        var x = new float[n * window * D];
        var y = new float[n * horizon * D];
        for (int i = 0; i < n; i++)
        {
            int s = i * stride;
            src.Slice(s * D, window * D).CopyTo(x.AsSpan(i * window * D));
            src.Slice((s + window) * D, horizon * D).CopyTo(y.AsSpan(i * horizon * D));
        }
        return new TensorDataset(Tensor.FromArray(x, n, window, D), Tensor.FromArray(y, n, horizon, D));
    }

    /// <summary>
    /// Many damped-oscillator trajectories from random starts x0, v0 ~ U[-1, 1), each (steps + 1, 2), stacked into
    /// (count, steps + 1, 2), with optional N(0, noise²) observation noise; seeded.
    /// </summary>
    public static Tensor DampedOscillatorBatch(int count, int steps, double dt = 0.05, double omega = 1, double zeta = 0.1, double noise = 0, Generator? generator = null)
    {
        if (count < 1) throw new DatasetException($"Trajectories.DampedOscillatorBatch: count must be positive, got {count}");
        var g = generator ?? Generator.Default;
        var all = new float[count * (steps + 1) * 2];
        for (int c = 0; c < count; c++)
        {
            double x0 = 2 * g.NextDouble() - 1, v0 = 2 * g.NextDouble() - 1;
            DampedOscillator(steps, dt, omega, zeta, x0, v0).AsSpan().CopyTo(all.AsSpan(c * (steps + 1) * 2));
        }
        if (noise > 0)
            for (int i = 0; i < all.Length; i++) all[i] += (float)(noise * Synthetic.NextNormal(g));
        return Tensor.FromArray(all, count, steps + 1, 2);
    }
}
