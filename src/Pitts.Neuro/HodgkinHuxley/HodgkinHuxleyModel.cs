using System.Runtime.CompilerServices;

namespace Pitts.Neuro.HodgkinHuxley;

/// <summary>
/// The Hodgkin-Huxley (1952) membrane: Cm dV/dt = I_ext - ḡNa m³h (V - ENa) - ḡK n⁴ (V - EK) - gL (V - EL), and for each
/// gate x ∈ {m, h, n}: dx/dt = φ (αx(V)(1 - x) - βx(V) x) with φ = Q10^((T - T_ref)/10). Units: ms, mV, µA/cm².
/// </summary>
public sealed class HodgkinHuxleyModel
{
    internal readonly Coefficients C;

    /// <summary>Creates the model; null means <see cref="HodgkinHuxleyParameters.Standard"/>.</summary>
    public HodgkinHuxleyModel(HodgkinHuxleyParameters? parameters = null)
    {
        Parameters = parameters ?? HodgkinHuxleyParameters.Standard;
        Parameters.Validate();
        var p = Parameters;
        C = new Coefficients(p.GNa, p.GK, p.GLeak, p.ENa, p.EK, p.ELeak, 1.0 / p.Cm, p.TemperatureFactor);
    }

    /// <summary>The parameters of this model.</summary>
    public HodgkinHuxleyParameters Parameters { get; }

    /// <summary>The six gating rates at <paramref name="v"/> mV, in 1/ms, scaled for the model's temperature.</summary>
    public GateRates Rates(double v) => RateFunctions.At(v, C.Phi);

    /// <summary>The ionic currents (µA/cm²) and conductances (mS/cm²) in state <paramref name="s"/>.</summary>
    public MembraneCurrents Currents(in HodgkinHuxleyState s)
    {
        double gna = C.GNa * s.M * s.M * s.M * s.H, n2 = s.N * s.N, gk = C.GK * n2 * n2;
        return new MembraneCurrents(gna * (s.V - C.ENa), gk * (s.V - C.EK), C.GL * (s.V - C.EL), gna, gk);
    }

    /// <summary>The time derivative (dV/dt in mV/ms, dm/dt, dh/dt, dn/dt in 1/ms) in state <paramref name="s"/> with injected current <paramref name="current"/> µA/cm².</summary>
    public HodgkinHuxleyState Derivative(in HodgkinHuxleyState s, double current) => C.Derivative(s, current);

    /// <summary>The state with V = <paramref name="v"/> and every gate at its steady state x∞(V).</summary>
    public HodgkinHuxleyState SteadyState(double v)
    {
        var r = Rates(v);
        return new HodgkinHuxleyState(v, r.MInf, r.HInf, r.NInf);
    }

    /// <summary>
    /// The steady-state potential under a constant injected current: the root of I = I_ion(V, m∞, h∞, n∞), by bisection
    /// on [-200, 200] mV (the steady-state I-V relation of these parameters is monotonic). About -65.0 mV at 0.
    /// </summary>
    public double RestingPotential(double current = 0)
    {
        if (!double.IsFinite(current))
            throw new NeuroException($"HodgkinHuxleyModel.RestingPotential: current {current} µA/cm² must be finite");
        double lo = -200, hi = 200;
        double F(double v) => Currents(SteadyState(v)).Total - current;
        if (F(lo) > 0 || F(hi) < 0)
            throw new NeuroException($"HodgkinHuxleyModel.RestingPotential: no steady state in [-200, 200] mV for {current} µA/cm²");
        for (int i = 0; i < 200 && hi - lo > 1e-13; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (F(mid) > 0) hi = mid; else lo = mid;
        }
        return 0.5 * (lo + hi);
    }

    /// <summary>The steady state (V and all gates) under a constant injected current.</summary>
    public HodgkinHuxleyState RestingState(double current = 0) => SteadyState(RestingPotential(current));

    /// <summary>Simulates current clamp with the injected current <paramref name="current"/> (µA/cm², a function of t in ms) for <paramref name="durationMs"/>.</summary>
    public Trace Simulate(Waveform current, double durationMs, SimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        options ??= SimulationOptions.Default;
        options.Validate(durationMs, "HodgkinHuxleyModel.Simulate");
        var s0 = options.InitialState ?? RestingState();
        return options.Method switch
        {
            IntegrationMethod.Euler => Integrators.Fixed<Integrators.EulerStep>(this, current, durationMs, options, s0),
            IntegrationMethod.RungeKutta4 => Integrators.Fixed<Integrators.Rk4Step>(this, current, durationMs, options, s0),
            IntegrationMethod.ExponentialEuler => Integrators.Fixed<Integrators.ExpEulerStep>(this, current, durationMs, options, s0),
            _ => Integrators.DormandPrince(this, current, durationMs, options, s0),
        };
    }

    /// <summary>Simulates a constant injected current of <paramref name="current"/> µA/cm² from t = 0.</summary>
    public Trace Simulate(double current, double durationMs, SimulationOptions? options = null) =>
        Simulate(Waveform.Constant(current), durationMs, options);

    /// <summary>The model's constants, copied into a struct so the integrators' inner loops read registers, not fields of a class.</summary>
    internal readonly struct Coefficients(double gNa, double gK, double gL, double eNa, double eK, double eL, double invCm, double phi)
    {
        public readonly double GNa = gNa, GK = gK, GL = gL, ENa = eNa, EK = eK, EL = eL, InvCm = invCm, Phi = phi;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double DvDt(in HodgkinHuxleyState s, double current)
        {
            double n2 = s.N * s.N;
            double iIon = GNa * s.M * s.M * s.M * s.H * (s.V - ENa) + GK * n2 * n2 * (s.V - EK) + GL * (s.V - EL);
            return (current - iIon) * InvCm;
        }

        /// <summary>The vector field on plain doubles, so the fixed-step integrators keep the state in registers.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Derivative(double v, double m, double h, double n, double current,
            out double dv, out double dm, out double dh, out double dn)
        {
            var r = RateFunctions.Fast(v, Phi);
            double n2 = n * n;
            double iIon = GNa * m * m * m * h * (v - ENa) + GK * n2 * n2 * (v - EK) + GL * (v - EL);
            dv = (current - iIon) * InvCm;
            dm = r.AlphaM - (r.AlphaM + r.BetaM) * m;
            dh = r.AlphaH - (r.AlphaH + r.BetaH) * h;
            dn = r.AlphaN - (r.AlphaN + r.BetaN) * n;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public HodgkinHuxleyState Derivative(in HodgkinHuxleyState s, double current)
        {
            var r = RateFunctions.Fast(s.V, Phi);
            return new HodgkinHuxleyState(
                DvDt(s, current),
                r.AlphaM * (1 - s.M) - r.BetaM * s.M,
                r.AlphaH * (1 - s.H) - r.BetaH * s.H,
                r.AlphaN * (1 - s.N) - r.BetaN * s.N);
        }
    }
}
