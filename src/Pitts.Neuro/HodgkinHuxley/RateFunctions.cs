using System.Runtime.CompilerServices;

namespace Pitts.Neuro.HodgkinHuxley;

/// <summary>
/// The six Hodgkin-Huxley rate functions at the reference temperature (6.3 °C), V in mV, rates in 1/ms, written as
/// in the modern convention and evaluated without 0/0 at the removable singularities V = -40 (αm) and V = -55 (αn).
/// </summary>
public static class RateFunctions
{
    /// <summary>αm(V) = 0.1 (V + 40) / (1 - exp(-(V + 40) / 10)); equals 1 at V = -40.</summary>
    public static double AlphaM(double v) => ExpRelative((v + 40.0) / 10.0);

    /// <summary>βm(V) = 4 exp(-(V + 65) / 18).</summary>
    public static double BetaM(double v) => 4.0 * Math.Exp(-(v + 65.0) / 18.0);

    /// <summary>αh(V) = 0.07 exp(-(V + 65) / 20).</summary>
    public static double AlphaH(double v) => 0.07 * Math.Exp(-(v + 65.0) / 20.0);

    /// <summary>βh(V) = 1 / (1 + exp(-(V + 35) / 10)).</summary>
    public static double BetaH(double v) => 1.0 / (1.0 + Math.Exp(-(v + 35.0) / 10.0));

    /// <summary>αn(V) = 0.01 (V + 55) / (1 - exp(-(V + 55) / 10)); equals 0.1 at V = -55.</summary>
    public static double AlphaN(double v) => 0.1 * ExpRelative((v + 55.0) / 10.0);

    /// <summary>βn(V) = 0.125 exp(-(V + 65) / 80).</summary>
    public static double BetaN(double v) => 0.125 * Math.Exp(-(v + 65.0) / 80.0);

    /// <summary>
    /// x / (1 - exp(-x)), continuous at x = 0 where it equals 1: a Taylor series near 0 avoids both 0/0 and the
    /// cancellation in 1 - exp(-x).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ExpRelative(double x) =>
        Math.Abs(x) < 1e-2 ? 1.0 + x * (0.5 + x * (1.0 / 12.0 - x * x * (1.0 / 720.0))) : x / (1.0 - Math.Exp(-x));

    /// <summary>All six rates at <paramref name="v"/>, scaled by the temperature factor <paramref name="phi"/>.</summary>
    public static GateRates At(double v, double phi = 1.0) =>
        new(phi * AlphaM(v), phi * BetaM(v), phi * AlphaH(v), phi * BetaH(v), phi * AlphaN(v), phi * BetaN(v));

    // exp(2.5), exp(1), exp(3): the shifts between the exponentials of the six rates. All six are powers of
    // e720 = exp(-(V + 65) / 720): e80 = e720^9, e18 = e720^40, e20 = e720^36, e10 = e720^72, so one call to
    // Math.Exp and eleven multiplications serve them all. Each power multiplies exp's rounding error by its
    // exponent (at most 72 x 0.5 ulp, about 1e-14 relative), far below any physical accuracy of the model.
    private const double E25 = 12.182493960703473;
    private const double E1 = 2.718281828459045;
    private const double E3 = 20.085536923187668;

    /// <summary>All six rates from one exponential; agrees with the one-exp-per-rate formulas to about 1e-14 relative.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static GateRates Fast(double v, double phi)
    {
        double a = -(v + 65.0);
        double e720 = Math.Exp(a * (1.0 / 720.0));
        double p2 = e720 * e720, p4 = p2 * p2, p8 = p4 * p4;
        double e80 = p8 * e720;      // ^9
        double e40 = e80 * e80;      // ^18
        double e20 = e40 * e40;      // ^36
        double e18 = e20 * p4;       // ^40
        double e10 = e20 * e20;      // ^72
        double x = (v + 40.0) * 0.1;
        double am = Math.Abs(x) < 1e-2 ? 1.0 + x * (0.5 + x * (1.0 / 12.0 - x * x * (1.0 / 720.0))) : x / (1.0 - e10 * E25);
        double y = (v + 55.0) * 0.1;
        double an = Math.Abs(y) < 1e-2 ? 1.0 + y * (0.5 + y * (1.0 / 12.0 - y * y * (1.0 / 720.0))) : y / (1.0 - e10 * E1);
        return new GateRates(
            phi * am,
            phi * 4.0 * e18,
            phi * 0.07 * e20,
            phi / (1.0 + e10 * E3),
            phi * 0.1 * an,
            phi * 0.125 * e80);
    }
}
