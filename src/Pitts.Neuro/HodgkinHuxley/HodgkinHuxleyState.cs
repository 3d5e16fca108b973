namespace Pitts.Neuro.HodgkinHuxley;

/// <summary>The state of a Hodgkin-Huxley membrane: potential V in mV and the gating variables m, h, n in [0, 1].</summary>
/// <param name="V">Membrane potential in mV.</param>
/// <param name="M">Sodium activation m.</param>
/// <param name="H">Sodium inactivation h.</param>
/// <param name="N">Potassium activation n.</param>
public readonly record struct HodgkinHuxleyState(double V, double M, double H, double N)
{
    /// <summary>Component-wise sum, for integrator stages.</summary>
    public static HodgkinHuxleyState operator +(HodgkinHuxleyState a, HodgkinHuxleyState b) =>
        new(a.V + b.V, a.M + b.M, a.H + b.H, a.N + b.N);

    /// <summary>Scales every component by <paramref name="k"/>, for integrator stages.</summary>
    public static HodgkinHuxleyState operator *(double k, HodgkinHuxleyState a) =>
        new(k * a.V, k * a.M, k * a.H, k * a.N);

    /// <summary>True when every component is finite.</summary>
    public bool IsFinite => double.IsFinite(V) && double.IsFinite(M) && double.IsFinite(H) && double.IsFinite(N);
}

/// <summary>The six gating rates at one potential, in 1/ms, already scaled for temperature.</summary>
/// <param name="AlphaM">Opening rate αm of m.</param>
/// <param name="BetaM">Closing rate βm of m.</param>
/// <param name="AlphaH">Opening rate αh of h.</param>
/// <param name="BetaH">Closing rate βh of h.</param>
/// <param name="AlphaN">Opening rate αn of n.</param>
/// <param name="BetaN">Closing rate βn of n.</param>
public readonly record struct GateRates(double AlphaM, double BetaM, double AlphaH, double BetaH, double AlphaN, double BetaN)
{
    /// <summary>Steady state m∞ = αm / (αm + βm).</summary>
    public double MInf => AlphaM / (AlphaM + BetaM);

    /// <summary>Steady state h∞ = αh / (αh + βh).</summary>
    public double HInf => AlphaH / (AlphaH + BetaH);

    /// <summary>Steady state n∞ = αn / (αn + βn).</summary>
    public double NInf => AlphaN / (AlphaN + BetaN);

    /// <summary>Time constant τm = 1 / (αm + βm) in ms.</summary>
    public double TauM => 1.0 / (AlphaM + BetaM);

    /// <summary>Time constant τh = 1 / (αh + βh) in ms.</summary>
    public double TauH => 1.0 / (AlphaH + BetaH);

    /// <summary>Time constant τn = 1 / (αn + βn) in ms.</summary>
    public double TauN => 1.0 / (AlphaN + BetaN);
}

/// <summary>The ionic currents through the membrane in µA/cm² (positive outward) and the conductances in mS/cm².</summary>
/// <param name="INa">Sodium current ḡNa m³h (V - ENa).</param>
/// <param name="IK">Potassium current ḡK n⁴ (V - EK).</param>
/// <param name="ILeak">Leak current gL (V - EL).</param>
/// <param name="GNa">Sodium conductance ḡNa m³h.</param>
/// <param name="GK">Potassium conductance ḡK n⁴.</param>
public readonly record struct MembraneCurrents(double INa, double IK, double ILeak, double GNa, double GK)
{
    /// <summary>Total ionic current INa + IK + IL in µA/cm².</summary>
    public double Total => INa + IK + ILeak;
}
