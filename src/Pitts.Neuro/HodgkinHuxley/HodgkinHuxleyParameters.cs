namespace Pitts.Neuro.HodgkinHuxley;

/// <summary>
/// Parameters of the Hodgkin-Huxley (1952) squid-axon membrane in the modern convention (rest near -65 mV).
/// Conductances are in mS/cm², potentials in mV, capacitance in µF/cm², temperatures in °C; currents are then in µA/cm².
/// </summary>
public sealed record HodgkinHuxleyParameters
{
    /// <summary>The standard parameter set: gNa 120, gK 36, gL 0.3 mS/cm², ENa 50, EK -77, EL -54.387 mV, Cm 1 µF/cm², 6.3 °C.</summary>
    public static HodgkinHuxleyParameters Standard { get; } = new();

    /// <summary>Maximal sodium conductance ḡNa in mS/cm².</summary>
    public double GNa { get; init; } = 120.0;

    /// <summary>Maximal potassium conductance ḡK in mS/cm².</summary>
    public double GK { get; init; } = 36.0;

    /// <summary>Leak conductance gL in mS/cm².</summary>
    public double GLeak { get; init; } = 0.3;

    /// <summary>Sodium reversal potential ENa in mV.</summary>
    public double ENa { get; init; } = 50.0;

    /// <summary>Potassium reversal potential EK in mV.</summary>
    public double EK { get; init; } = -77.0;

    /// <summary>Leak reversal potential EL in mV (-54.387 puts the resting potential at -65.0 mV).</summary>
    public double ELeak { get; init; } = -54.387;

    /// <summary>Membrane capacitance Cm in µF/cm².</summary>
    public double Cm { get; init; } = 1.0;

    /// <summary>Temperature in °C; the rates are scaled by Q10^((T - T_ref) / 10).</summary>
    public double TemperatureCelsius { get; init; } = 6.3;

    /// <summary>Temperature of the fitted rate functions, T_ref in °C (6.3 °C in Hodgkin and Huxley's fits).</summary>
    public double ReferenceTemperatureCelsius { get; init; } = 6.3;

    /// <summary>Temperature coefficient Q10 of the gating rates (dimensionless, 3 for the squid axon).</summary>
    public double Q10 { get; init; } = 3.0;

    /// <summary>The rate scale factor φ = Q10^((T - T_ref) / 10), 1 at the reference temperature.</summary>
    public double TemperatureFactor => Math.Pow(Q10, (TemperatureCelsius - ReferenceTemperatureCelsius) / 10.0);

    /// <summary>Throws a <see cref="NeuroException"/> naming the first parameter that is not finite or out of range.</summary>
    public void Validate()
    {
        Check(GNa >= 0, nameof(GNa), GNa, "must be finite and >= 0 mS/cm²");
        Check(GK >= 0, nameof(GK), GK, "must be finite and >= 0 mS/cm²");
        Check(GLeak >= 0, nameof(GLeak), GLeak, "must be finite and >= 0 mS/cm²");
        Check(GNa + GK + GLeak > 0, "GNa + GK + GLeak", GNa + GK + GLeak, "must be > 0 mS/cm²");
        Check(true, nameof(ENa), ENa, "must be finite mV");
        Check(true, nameof(EK), EK, "must be finite mV");
        Check(true, nameof(ELeak), ELeak, "must be finite mV");
        Check(Cm > 0, nameof(Cm), Cm, "must be finite and > 0 µF/cm²");
        Check(TemperatureCelsius > -273.15, nameof(TemperatureCelsius), TemperatureCelsius, "must be finite and above absolute zero");
        Check(true, nameof(ReferenceTemperatureCelsius), ReferenceTemperatureCelsius, "must be finite");
        Check(Q10 > 0, nameof(Q10), Q10, "must be finite and > 0");
        Check(double.IsFinite(TemperatureFactor) && TemperatureFactor > 0, nameof(TemperatureFactor), TemperatureFactor, "overflows");
    }

    private static void Check(bool ok, string name, double value, string rule)
    {
        if (!ok || !double.IsFinite(value))
            throw new NeuroException($"HodgkinHuxleyParameters: {name} = {value} {rule}");
    }
}
