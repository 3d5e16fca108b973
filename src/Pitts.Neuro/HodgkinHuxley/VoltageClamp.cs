namespace Pitts.Neuro.HodgkinHuxley;

/// <summary>The record of a voltage-clamp experiment: command potential, gates, and the Na, K and leak currents and conductances.</summary>
public sealed class ClampTrace
{
    internal ClampTrace(int n)
    {
        Time = new double[n];
        Voltage = new double[n];
        M = new double[n];
        H = new double[n];
        N = new double[n];
        INa = new double[n];
        IK = new double[n];
        ILeak = new double[n];
        GNa = new double[n];
        GK = new double[n];
    }

    /// <summary>Sample times in ms.</summary>
    public double[] Time { get; }

    /// <summary>The clamped potential in mV.</summary>
    public double[] Voltage { get; }

    /// <summary>Sodium activation m.</summary>
    public double[] M { get; }

    /// <summary>Sodium inactivation h.</summary>
    public double[] H { get; }

    /// <summary>Potassium activation n.</summary>
    public double[] N { get; }

    /// <summary>Sodium current in µA/cm² (negative: inward).</summary>
    public double[] INa { get; }

    /// <summary>Potassium current in µA/cm² (positive: outward).</summary>
    public double[] IK { get; }

    /// <summary>Leak current in µA/cm².</summary>
    public double[] ILeak { get; }

    /// <summary>Sodium conductance ḡNa m³h in mS/cm².</summary>
    public double[] GNa { get; }

    /// <summary>Potassium conductance ḡK n⁴ in mS/cm².</summary>
    public double[] GK { get; }
}

/// <summary>
/// Voltage clamp as Hodgkin and Huxley did it: the potential is held at a command waveform and the gates respond.
/// With V held constant over each step the gate equations are linear, so each step uses their exact solution
/// x ← x∞ + (x - x∞) exp(-dt/τx); the only error is in sampling the command, none for steps on the dt grid.
/// </summary>
public static class VoltageClamp
{
    /// <summary>
    /// Clamps the membrane to <paramref name="commandMv"/> (mV as a function of t in ms) for <paramref name="durationMs"/>,
    /// starting with the gates at steady state at the command's value at t = 0, and records every
    /// <paramref name="recordIntervalMs"/> (rounded to whole steps; null: every step).
    /// </summary>
    public static ClampTrace Run(HodgkinHuxleyModel model, Waveform commandMv, double durationMs, double dt = 0.01, double? recordIntervalMs = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(commandMv);
        new SimulationOptions { Dt = dt, RecordInterval = recordIntervalMs }.Validate(durationMs, "VoltageClamp.Run");
        long steps = (long)Math.Ceiling(durationMs / dt - 1e-9);
        long every = Math.Max(1, (long)Math.Round((recordIntervalMs ?? dt) / dt));
        long samples = steps / every + 1;
        if (samples > 50_000_000)
            throw new NeuroException($"VoltageClamp.Run: {samples} samples; record less often");
        var trace = new ClampTrace((int)samples);
        var s = model.SteadyState(commandMv.At(0));
        int r = 0;
        Record(trace, r++, 0, s, model);
        for (long k = 0; k < steps; k++)
        {
            double t = k * dt;
            double h = k == steps - 1 ? durationMs - t : dt;
            // The command over [t, t + h), sampled at the step's middle: exact for commands that change on the grid,
            // and immune to k·dt landing a rounding error short of a step's start time.
            double v = commandMv.At(t + 0.5 * h);
            var g = model.Rates(v);
            double tEnd = k == steps - 1 ? durationMs : (k + 1) * dt;
            double vNext = commandMv.At(tEnd);
            s = new HodgkinHuxleyState(
                vNext,
                Relax(s.M, g.MInf, g.TauM, h),
                Relax(s.H, g.HInf, g.TauH, h),
                Relax(s.N, g.NInf, g.TauN, h));
            if ((k + 1) % every == 0 && r < samples)
                Record(trace, r++, tEnd, s, model);
        }
        if (r < samples)
            throw new InvalidOperationException($"VoltageClamp.Run: recorded {r} of {samples} samples");
        return trace;
    }

    private static double Relax(double x, double xInf, double tau, double h) => xInf + (x - xInf) * Math.Exp(-h / tau);

    private static void Record(ClampTrace t, int i, double time, in HodgkinHuxleyState s, HodgkinHuxleyModel model)
    {
        var c = model.Currents(s);
        t.Time[i] = time;
        t.Voltage[i] = s.V;
        t.M[i] = s.M;
        t.H[i] = s.H;
        t.N[i] = s.N;
        t.INa[i] = c.INa;
        t.IK[i] = c.IK;
        t.ILeak[i] = c.ILeak;
        t.GNa[i] = c.GNa;
        t.GK[i] = c.GK;
    }
}
