using System.Runtime.CompilerServices;

namespace Pitts.Neuro.HodgkinHuxley;

/// <summary>
/// The integrators. Fixed-step methods share one loop, specialised per method through a static-abstract struct
/// (the JIT inlines the step), so the inner loop does no allocation and no interface call besides the stimulus.
/// </summary>
internal static class Integrators
{
    internal interface IStepper
    {
        static abstract HodgkinHuxleyState Step<TStim>(in HodgkinHuxleyModel.Coefficients c, in HodgkinHuxleyState s, double t, double h, in TStim stim)
            where TStim : struct, IStimulus;
    }

    /// <summary>The injected current as a struct, so that the common step current inlines into the loop.</summary>
    internal interface IStimulus
    {
        double At(double t);
    }

    /// <summary>A step (or constant) current: baseline outside [start, stop), amplitude inside.</summary>
    internal readonly struct StepStimulus(double amplitude, double start, double stop, double baseline) : IStimulus
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double At(double t) => t >= start && t < stop ? amplitude : baseline;
    }

    /// <summary>Any waveform, through its virtual At.</summary>
    internal readonly struct AnyStimulus(Waveform waveform) : IStimulus
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double At(double t) => waveform.At(t);
    }

    /// <summary>Runs a fixed-step method with the stimulus specialised when it is a step.</summary>
    internal static Trace Fixed<TStep>(HodgkinHuxleyModel model, Waveform stim, double duration, SimulationOptions o, HodgkinHuxleyState s)
        where TStep : struct, IStepper =>
        stim.AsStep() is { } step
            ? Fixed<TStep, StepStimulus>(model, step, duration, o, s)
            : Fixed<TStep, AnyStimulus>(model, new AnyStimulus(stim), duration, o, s);

    /// <summary>Runs Dormand-Prince with the stimulus specialised when it is a step.</summary>
    internal static Trace DormandPrince(HodgkinHuxleyModel model, Waveform stim, double duration, SimulationOptions o, HodgkinHuxleyState s) =>
        stim.AsStep() is { } step
            ? DormandPrince(model, step, stim.Breakpoints, duration, o, s)
            : DormandPrince(model, new AnyStimulus(stim), stim.Breakpoints, duration, o, s);

    internal struct EulerStep : IStepper
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static HodgkinHuxleyState Step<TStim>(in HodgkinHuxleyModel.Coefficients c, in HodgkinHuxleyState s, double t, double h, in TStim stim)
            where TStim : struct, IStimulus =>
            s + h * c.Derivative(s, stim.At(t));
    }

    internal struct Rk4Step : IStepper
    {
        // Written on plain doubles rather than with the state struct's operators: with four inlined evaluations of
        // the vector field the JIT's inlining budget runs out and the operators would become calls.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static HodgkinHuxleyState Step<TStim>(in HodgkinHuxleyModel.Coefficients c, in HodgkinHuxleyState s, double t, double h, in TStim stim)
            where TStim : struct, IStimulus
        {
            double i0 = stim.At(t), iMid = stim.At(t + 0.5 * h), i1 = stim.At(t + h);
            double v = s.V, m = s.M, g = s.H, n = s.N, half = 0.5 * h;
            c.Derivative(v, m, g, n, i0, out double v1, out double m1, out double h1, out double n1);
            c.Derivative(v + half * v1, m + half * m1, g + half * h1, n + half * n1, iMid, out double v2, out double m2, out double h2, out double n2);
            c.Derivative(v + half * v2, m + half * m2, g + half * h2, n + half * n2, iMid, out double v3, out double m3, out double h3, out double n3);
            c.Derivative(v + h * v3, m + h * m3, g + h * h3, n + h * n3, i1, out double v4, out double m4, out double h4, out double n4);
            double k = h / 6.0;
            return new HodgkinHuxleyState(
                v + k * (v1 + 2.0 * (v2 + v3) + v4),
                m + k * (m1 + 2.0 * (m2 + m3) + m4),
                g + k * (h1 + 2.0 * (h2 + h3) + h4),
                n + k * (n1 + 2.0 * (n2 + n3) + n4));
        }
    }

    internal struct ExpEulerStep : IStepper
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static HodgkinHuxleyState Step<TStim>(in HodgkinHuxleyModel.Coefficients c, in HodgkinHuxleyState s, double t, double h, in TStim stim)
            where TStim : struct, IStimulus
        {
            var r = RateFunctions.Fast(s.V, c.Phi);
            double v = s.V + h * c.DvDt(s, stim.At(t));
            // x(t + h) = x∞ + (x - x∞) e^(-h/τ) with 1/τ = α + β, x∞ = α τ: exact for V held over the step.
            double km = r.AlphaM + r.BetaM, kh = r.AlphaH + r.BetaH, kn = r.AlphaN + r.BetaN;
            double mInf = r.AlphaM / km, hInf = r.AlphaH / kh, nInf = r.AlphaN / kn;
            return new HodgkinHuxleyState(
                v,
                mInf + (s.M - mInf) * Math.Exp(-h * km),
                hInf + (s.H - hInf) * Math.Exp(-h * kh),
                nInf + (s.N - nInf) * Math.Exp(-h * kn));
        }
    }

    /// <summary>Fixed-step loop: t_k = k dt (no accumulated rounding), the last step shortened to land on the duration.</summary>
    /// <remarks>
    /// AggressiveOptimization: a simulation is one long-running call, so tiered compilation would run it as
    /// on-stack-replaced tier-0 code for the first few dozen calls (and a CLI run is one call); this compiles the loop
    /// fully optimised at once.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static Trace Fixed<TStep, TStim>(HodgkinHuxleyModel model, TStim stim, double duration, SimulationOptions o, HodgkinHuxleyState s)
        where TStep : struct, IStepper
        where TStim : struct, IStimulus
    {
        double dt = o.Dt;
        long steps = (long)Math.Ceiling(duration / dt - 1e-9);
        long every = Math.Max(1, (long)Math.Round((o.RecordInterval ?? dt) / dt));
        var trace = new Trace((int)Math.Min(int.MaxValue - 64, steps / every + 2), o.Record);
        var c = model.C;
        trace.Add(0, s, stim.At(0), model);
        long sinceRecord = 0;
        for (long k = 0; k < steps; k++)
        {
            double t = k * dt;
            double h = k == steps - 1 ? duration - t : dt;
            s = TStep.Step(c, s, t, h, in stim);
            if (++sinceRecord == every)
            {
                sinceRecord = 0;
                double tNext = k == steps - 1 ? duration : (k + 1) * dt;
                if (!s.IsFinite)
                    throw new NeuroException($"HodgkinHuxleyModel.Simulate: state became {s} at t = {tNext} ms; dt {dt} ms is too large for {o.Method}");
                trace.Add(tNext, s, stim.At(tNext), model);
            }
        }
        if (!s.IsFinite)
            throw new NeuroException($"HodgkinHuxleyModel.Simulate: state became {s} by t = {duration} ms; dt {dt} ms is too large for {o.Method}");
        trace.FinalState = s;
        trace.Steps = steps;
        trace.Trim();
        return trace;
    }

    // Dormand-Prince 5(4) tableau (Dormand and Prince 1980; Hairer, Nørsett and Wanner, Table II.5.2).
    private const double A21 = 1.0 / 5;
    private const double A31 = 3.0 / 40, A32 = 9.0 / 40;
    private const double A41 = 44.0 / 45, A42 = -56.0 / 15, A43 = 32.0 / 9;
    private const double A51 = 19372.0 / 6561, A52 = -25360.0 / 2187, A53 = 64448.0 / 6561, A54 = -212.0 / 729;
    private const double A61 = 9017.0 / 3168, A62 = -355.0 / 33, A63 = 46732.0 / 5247, A64 = 49.0 / 176, A65 = -5103.0 / 18656;
    private const double B1 = 35.0 / 384, B3 = 500.0 / 1113, B4 = 125.0 / 192, B5 = -2187.0 / 6784, B6 = 11.0 / 84;
    // Error weights: fifth-order minus embedded fourth-order weights.
    private const double E1 = 71.0 / 57600, E3 = -71.0 / 16695, E4 = 71.0 / 1920, E5 = -17253.0 / 339200, E6 = 22.0 / 525, E7 = -1.0 / 40;

    /// <summary>
    /// Adaptive Dormand-Prince 5(4) with FSAL, the standard controller h ← h·clamp(0.9 err^(-1/5), 0.2, 5) on the RMS
    /// of the error scaled by atol + rtol |y|, steps that stop at every stimulus breakpoint, and recording at fixed
    /// times by cubic Hermite interpolation between accepted steps (values and derivatives at both ends).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static Trace DormandPrince<TStim>(HodgkinHuxleyModel model, TStim stim, IReadOnlyList<double> breakpoints, double duration, SimulationOptions o, HodgkinHuxleyState s)
        where TStim : struct, IStimulus
    {
        var c = model.C;
        double interval = o.RecordInterval ?? o.Dt;
        long records = (long)Math.Floor(duration / interval + 1e-9);
        var trace = new Trace((int)Math.Min(int.MaxValue - 64, records + 2), o.Record);
        trace.Add(0, s, stim.At(0), model);
        long nextRecord = 1;
        var breaks = breakpoints.Where(b => b > 0 && b < duration).Distinct().Order().ToArray();
        int nextBreak = 0;
        double t = 0, h = Math.Min(o.Dt, o.MaxStep), hMin = o.Dt * 1e-6;
        double rtol = o.RelativeTolerance, atol = o.AbsoluteTolerance;
        // Evaluate the stimulus just after t so that a step starting on a breakpoint sees the new value.
        var k1 = c.Derivative(s, stim.At(t));
        long accepted = 0, rejected = 0;
        while (t < duration)
        {
            double limit = nextBreak < breaks.Length ? breaks[nextBreak] : duration;
            bool hitsLimit = t + h >= limit - 1e-12;
            double hh = hitsLimit ? limit - t : h;
            // Stage currents: evaluated inside the step; a step never crosses a breakpoint, so At(t + hh) is
            // taken just before the end (the value on this side of a jump).
            double tEnd = t + hh;
            double iEnd = stim.At(hitsLimit ? Math.BitDecrement(tEnd) : tEnd);
            var k2 = c.Derivative(s + (hh * A21) * k1, stim.At(t + hh / 5));
            var k3 = c.Derivative(s + hh * (A31 * k1 + A32 * k2), stim.At(t + 3 * hh / 10));
            var k4 = c.Derivative(s + hh * (A41 * k1 + A42 * k2 + A43 * k3), stim.At(t + 4 * hh / 5));
            var k5 = c.Derivative(s + hh * (A51 * k1 + A52 * k2 + A53 * k3 + A54 * k4), stim.At(t + 8 * hh / 9));
            var k6 = c.Derivative(s + hh * (A61 * k1 + A62 * k2 + A63 * k3 + A64 * k4 + A65 * k5), iEnd);
            var y = s + hh * (B1 * k1 + B3 * k3 + B4 * k4 + B5 * k5 + B6 * k6);
            var k7 = c.Derivative(y, iEnd);
            var err = hh * (E1 * k1 + E3 * k3 + E4 * k4 + E5 * k5 + E6 * k6 + E7 * k7);
            double en = Math.Sqrt(0.25 * (
                Sq(err.V / (atol + rtol * Math.Max(Math.Abs(s.V), Math.Abs(y.V)))) +
                Sq(err.M / (atol + rtol * Math.Max(Math.Abs(s.M), Math.Abs(y.M)))) +
                Sq(err.H / (atol + rtol * Math.Max(Math.Abs(s.H), Math.Abs(y.H)))) +
                Sq(err.N / (atol + rtol * Math.Max(Math.Abs(s.N), Math.Abs(y.N))))));
            if (!double.IsFinite(en))
                en = 1e10;
            if (en <= 1.0 || hh <= hMin)
            {
                // Record every sample time in (t, t + hh] by cubic Hermite interpolation.
                while (nextRecord <= records && nextRecord * interval <= tEnd + 1e-12)
                {
                    double tr = nextRecord * interval;
                    var yr = Hermite(s, k1, y, k7, t, hh, Math.Min(tr, tEnd));
                    trace.Add(tr, yr, stim.At(tr), model);
                    nextRecord++;
                }
                s = y;
                t = hitsLimit ? limit : tEnd;
                accepted++;
                if (!s.IsFinite)
                    throw new NeuroException($"HodgkinHuxleyModel.Simulate: state became {s} at t = {t} ms with Dormand-Prince");
                if (hitsLimit && nextBreak < breaks.Length)
                {
                    nextBreak++;
                    k1 = c.Derivative(s, stim.At(t)); // the derivative jumps with the stimulus
                }
                else
                {
                    k1 = k7; // first same as last
                }
            }
            else
            {
                rejected++;
            }
            double factor = en == 0 ? 5.0 : Math.Clamp(0.9 * Math.Pow(en, -0.2), 0.2, 5.0);
            if (en > 1.0) factor = Math.Min(factor, 1.0);
            h = Math.Clamp(hh * factor, hMin, o.MaxStep);
            if (hitsLimit && en <= 1.0) h = Math.Max(h, Math.Min(o.Dt, o.MaxStep));
        }
        trace.FinalState = s;
        trace.Steps = accepted;
        trace.RejectedSteps = rejected;
        trace.Trim();
        return trace;
    }

    private static double Sq(double x) => x * x;

    /// <summary>Cubic Hermite interpolation on [t0, t0 + h] from values y0, y1 and derivatives f0, f1.</summary>
    private static HodgkinHuxleyState Hermite(in HodgkinHuxleyState y0, in HodgkinHuxleyState f0, in HodgkinHuxleyState y1, in HodgkinHuxleyState f1, double t0, double h, double t)
    {
        double u = (t - t0) / h, u2 = u * u, u3 = u2 * u;
        double h00 = 2 * u3 - 3 * u2 + 1, h10 = u3 - 2 * u2 + u, h01 = -2 * u3 + 3 * u2, h11 = u3 - u2;
        return h00 * y0 + (h10 * h) * f0 + h01 * y1 + (h11 * h) * f1;
    }
}
