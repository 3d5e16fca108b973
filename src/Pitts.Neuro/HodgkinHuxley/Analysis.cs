namespace Pitts.Neuro.HodgkinHuxley;

/// <summary>One point of an f-I curve: the injected current, the steady firing rate and the spikes counted.</summary>
/// <param name="CurrentUaCm2">Constant injected current in µA/cm².</param>
/// <param name="RateHz">1000 / mean inter-spike interval of the spikes in the second half of the run, 0 with fewer than two.</param>
/// <param name="SpikeCount">Spikes in the whole run.</param>
public readonly record struct FiPoint(double CurrentUaCm2, double RateHz, int SpikeCount);

/// <summary>The rate functions, steady states and time constants at one potential (rates in 1/ms, τ in ms).</summary>
/// <param name="V">Potential in mV.</param>
/// <param name="Rates">The six rates, temperature-scaled.</param>
public readonly record struct RatePoint(double V, GateRates Rates);

/// <summary>Excitability and firing analyses of a Hodgkin-Huxley model: f-I curves, thresholds by bisection, stability of rest.</summary>
public static class Analysis
{
    /// <summary>
    /// The f-I curve: for each constant current (switched on at t = 0 from rest) the steady firing rate, from the
    /// spikes in the second half of a <paramref name="durationMs"/> run. The currents run in parallel (one simulation
    /// per task), and the result does not depend on the number of threads.
    /// </summary>
    public static FiPoint[] FiCurve(HodgkinHuxleyModel model, IReadOnlyList<double> currents, double durationMs = 1000,
        SimulationOptions? options = null, double minProminenceMv = SpikeDetector.DefaultProminenceMv, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(currents);
        options = (options ?? SimulationOptions.Default) with { Record = RecordedQuantities.Voltage, RecordInterval = null };
        options.Validate(durationMs, "Analysis.FiCurve");
        foreach (var i in currents)
            if (!double.IsFinite(i)) throw new NeuroException($"Analysis.FiCurve: current {i} µA/cm² must be finite");
        var result = new FiPoint[currents.Count];
        var po = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        try
        {
            Parallel.For(0, currents.Count, po, k =>
            {
                var trace = model.Simulate(currents[k], durationMs, options);
                var spikes = trace.Spikes(minProminenceMv);
                double rate = SpikeDetector.FiringRate(spikes.Select(s => s.TimeMs), durationMs / 2);
                result[k] = new FiPoint(currents[k], rate, spikes.Count);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault(x => x is NeuroException) is NeuroException first)
        {
            // A run that went unstable is the caller's bad dt, not a crash: report it as the model does.
            throw new NeuroException($"Analysis.FiCurve: {first.Message}");
        }
        return result;
    }

    /// <summary>The currents from <paramref name="from"/> to <paramref name="to"/> inclusive in steps of <paramref name="step"/> (computed as from + k·step, so no rounding drift).</summary>
    public static double[] Range(double from, double to, double step)
    {
        if (!double.IsFinite(from) || !double.IsFinite(to) || !double.IsFinite(step) || step <= 0)
            throw new NeuroException($"Analysis.Range: from {from}, to {to}, step {step} must be finite with step > 0");
        if (to < from)
            throw new NeuroException($"Analysis.Range: to {to} is below from {from}");
        long n = (long)Math.Floor((to - from) / step + 1e-9) + 1;
        if (n > 1_000_000)
            throw new NeuroException($"Analysis.Range: {n} points from {from} to {to} by {step}; at most 1000000");
        var xs = new double[n];
        for (long k = 0; k < n; k++) xs[k] = Math.Round(from + k * step, 12);
        return xs;
    }

    /// <summary>The six rates (with x∞ and τx through <see cref="GateRates"/>) at each potential from <paramref name="fromMv"/> to <paramref name="toMv"/>.</summary>
    public static RatePoint[] RateTable(HodgkinHuxleyModel model, double fromMv, double toMv, double stepMv = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Range(fromMv, toMv, stepMv).Select(v => new RatePoint(v, model.Rates(v))).ToArray();
    }

    /// <summary>
    /// The lowest amplitude of a <paramref name="widthMs"/> current pulse from rest that fires a spike, by bisection
    /// to <paramref name="tolerance"/> µA/cm² (about 6.9 µA/cm² for 1 ms at 6.3 °C).
    /// </summary>
    public static double PulseThreshold(HodgkinHuxleyModel model, double widthMs = 1, double tolerance = 1e-4,
        SimulationOptions? options = null, double upper = 1000)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!(widthMs > 0) || !double.IsFinite(widthMs))
            throw new NeuroException($"Analysis.PulseThreshold: width {widthMs} ms must be finite and > 0");
        var o = (options ?? SimulationOptions.Default) with { Record = RecordedQuantities.Voltage, RecordInterval = null };
        double duration = widthMs + 50;
        return Bisect(0, upper, tolerance, "Analysis.PulseThreshold",
            a => model.Simulate(Waveform.Pulse(a, 0, widthMs), duration, o).Spikes().Count > 0);
    }

    /// <summary>
    /// Rheobase: the lowest constant current, switched on at t = 0 from rest, that fires at least one spike within
    /// <paramref name="durationMs"/>, by bisection to <paramref name="tolerance"/> µA/cm².
    /// </summary>
    public static double Rheobase(HodgkinHuxleyModel model, double durationMs = 200, double tolerance = 1e-4,
        SimulationOptions? options = null, double upper = 100)
    {
        ArgumentNullException.ThrowIfNull(model);
        var o = (options ?? SimulationOptions.Default) with { Record = RecordedQuantities.Voltage, RecordInterval = null };
        o.Validate(durationMs, "Analysis.Rheobase");
        return Bisect(0, upper, tolerance, "Analysis.Rheobase", a => model.Simulate(a, durationMs, o).Spikes().Count > 0);
    }

    /// <summary>
    /// The onset of repetitive firing: the lowest constant current whose f-I rate (spikes in the second half of a
    /// <paramref name="durationMs"/> run) is above 0, by bisection (Rinzel and Miller 1980: about 6.26 µA/cm²).
    /// </summary>
    public static double RepetitiveFiringOnset(HodgkinHuxleyModel model, double durationMs = 1000, double tolerance = 1e-3,
        SimulationOptions? options = null, double lower = 0, double upper = 100)
    {
        ArgumentNullException.ThrowIfNull(model);
        var o = (options ?? SimulationOptions.Default) with { Record = RecordedQuantities.Voltage, RecordInterval = null };
        o.Validate(durationMs, "Analysis.RepetitiveFiringOnset");
        return Bisect(lower, upper, tolerance, "Analysis.RepetitiveFiringOnset", a =>
            SpikeDetector.FiringRate(model.Simulate(a, durationMs, o).Spikes().Select(s => s.TimeMs), durationMs / 2) > 0);
    }

    /// <summary>
    /// The Jacobian ∂f/∂y of the vector field at state <paramref name="s"/> (rows and columns in the order V, m, h, n),
    /// by central differences.
    /// </summary>
    public static double[,] Jacobian(HodgkinHuxleyModel model, HodgkinHuxleyState s, double current)
    {
        ArgumentNullException.ThrowIfNull(model);
        var j = new double[4, 4];
        for (int c = 0; c < 4; c++)
        {
            double h = c == 0 ? 1e-6 : 1e-8;
            var fp = model.Derivative(Shift(s, c, h), current);
            var fm = model.Derivative(Shift(s, c, -h), current);
            j[0, c] = (fp.V - fm.V) / (2 * h);
            j[1, c] = (fp.M - fm.M) / (2 * h);
            j[2, c] = (fp.H - fm.H) / (2 * h);
            j[3, c] = (fp.N - fm.N) / (2 * h);
        }
        return j;
    }

    /// <summary>
    /// True when the resting state under constant <paramref name="current"/> is linearly stable: the Routh-Hurwitz
    /// conditions on the characteristic polynomial of the Jacobian (all eigenvalues with negative real part).
    /// </summary>
    public static bool IsRestStable(HodgkinHuxleyModel model, double current)
    {
        var c = CharacteristicPolynomial(Jacobian(model, model.RestingState(current), current));
        // λ⁴ + c1 λ³ + c2 λ² + c3 λ + c4.
        return c[1] > 0 && c[3] > 0 && c[4] > 0 && c[1] * c[2] * c[3] > c[3] * c[3] + c[1] * c[1] * c[4];
    }

    /// <summary>
    /// The current where the resting state loses stability (a Hopf bifurcation; about 9.78 µA/cm² at 6.3 °C), by
    /// bisection between <paramref name="lower"/> (stable) and <paramref name="upper"/> (unstable).
    /// </summary>
    public static double HopfCurrent(HodgkinHuxleyModel model, double lower = 0, double upper = 50, double tolerance = 1e-6) =>
        Bisect(lower, upper, tolerance, "Analysis.HopfCurrent", i => !IsRestStable(model, i));

    /// <summary>Coefficients c0..c4 of det(λI - J) = Σ c_k λ^(4-k), by the Faddeev-LeVerrier recursion (c0 = 1).</summary>
    internal static double[] CharacteristicPolynomial(double[,] a)
    {
        int n = a.GetLength(0);
        var c = new double[n + 1];
        c[0] = 1;
        var m = new double[n, n];
        for (int k = 1; k <= n; k++)
        {
            // M_k = A M_{k-1} + c_{k-1} I, c_k = -tr(A M_k) / k.
            var next = new double[n, n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = i == j ? c[k - 1] : 0;
                    for (int l = 0; l < n; l++) s += a[i, l] * m[l, j];
                    next[i, j] = s;
                }
            m = next;
            double tr = 0;
            for (int i = 0; i < n; i++)
                for (int l = 0; l < n; l++) tr += a[i, l] * m[l, i];
            c[k] = -tr / k;
        }
        return c;
    }

    private static HodgkinHuxleyState Shift(HodgkinHuxleyState s, int component, double h) => component switch
    {
        0 => s with { V = s.V + h },
        1 => s with { M = s.M + h },
        2 => s with { H = s.H + h },
        _ => s with { N = s.N + h },
    };

    /// <summary>Bisection for the boundary where <paramref name="predicate"/> turns true; false at lo, true at hi.</summary>
    private static double Bisect(double lo, double hi, double tolerance, string op, Func<double, bool> predicate)
    {
        if (!(tolerance > 0))
            throw new NeuroException($"{op}: tolerance {tolerance} must be > 0");
        if (predicate(lo))
            throw new NeuroException($"{op}: already true at the lower bound {lo}");
        if (!predicate(hi))
            throw new NeuroException($"{op}: still false at the upper bound {hi}");
        while (hi - lo > tolerance)
        {
            double mid = 0.5 * (lo + hi);
            if (predicate(mid)) hi = mid; else lo = mid;
        }
        return 0.5 * (lo + hi);
    }
}
