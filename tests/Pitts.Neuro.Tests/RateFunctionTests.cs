using Pitts.Neuro.HodgkinHuxley;

namespace Pitts.Neuro.Tests;

public class RateFunctionTests
{
    // Oracle: the textbook formulas exactly as printed (one exp each), evaluated away from the singular points.
    private static double AlphaM(double v) => 0.1 * (v + 40) / (1 - Math.Exp(-(v + 40) / 10));
    private static double BetaM(double v) => 4 * Math.Exp(-(v + 65) / 18);
    private static double AlphaH(double v) => 0.07 * Math.Exp(-(v + 65) / 20);
    private static double BetaH(double v) => 1 / (1 + Math.Exp(-(v + 35) / 10));
    private static double AlphaN(double v) => 0.01 * (v + 55) / (1 - Math.Exp(-(v + 55) / 10));
    private static double BetaN(double v) => 0.125 * Math.Exp(-(v + 65) / 80);

    private static void Close(double expected, double actual, double rel)
    {
        Assert.True(Math.Abs(actual - expected) <= rel * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");
    }

    [Fact]
    public void PublicAndFastRatesMatchTextbookFormulas()
    {
        for (double v = -150; v <= 100; v += 0.37)
        {
            if (Math.Abs(v + 40) < 0.5 || Math.Abs(v + 55) < 0.5) continue;
            var fast = RateFunctions.Fast(v, 1.0);
            Close(AlphaM(v), RateFunctions.AlphaM(v), 1e-13);
            Close(AlphaM(v), fast.AlphaM, 1e-13);
            Close(BetaM(v), fast.BetaM, 1e-13);
            Close(AlphaH(v), fast.AlphaH, 1e-13);
            Close(BetaH(v), fast.BetaH, 1e-13);
            Close(AlphaN(v), fast.AlphaN, 1e-13);
            Close(AlphaN(v), RateFunctions.AlphaN(v), 1e-13);
            Close(BetaN(v), fast.BetaN, 1e-13);
            Close(BetaM(v), RateFunctions.BetaM(v), 1e-15);
            Close(BetaH(v), RateFunctions.BetaH(v), 1e-15);
        }
    }

    [Fact]
    public void RemovableSingularitiesHaveTheirLimits()
    {
        // lim_{V→-40} 0.1 (V+40) / (1 - e^{-(V+40)/10}) = 0.1 · 10 = 1; lim_{V→-55} αn = 0.01 · 10 = 0.1.
        Assert.Equal(1.0, RateFunctions.AlphaM(-40), 15);
        Assert.Equal(0.1, RateFunctions.AlphaN(-55), 15);
        Assert.Equal(1.0, RateFunctions.Fast(-40, 1).AlphaM, 15);
        Assert.Equal(0.1, RateFunctions.Fast(-55, 1).AlphaN, 15);
        // Continuous and smooth through the singular point: the Taylor series of x / (1 - e^-x) with x = d/10 is
        // 1 + x/2 + x²/12 - x⁴/720, so αm(-40 + d) = 1 + d/20 + d²/1200 - d⁴/7200000.
        foreach (double d in new[] { 1e-12, 1e-8, 1e-4, 1e-2, 0.099, 0.1, 0.101, -0.05, -0.1, 0.5 })
        {
            double series = 1 + d / 20 + d * d / 1200 - Math.Pow(d, 4) / 7.2e6;
            Assert.Equal(series, RateFunctions.AlphaM(-40 + d), 1e-12);
            Assert.Equal(series, RateFunctions.Fast(-40 + d, 1).AlphaM, 1e-12);
            Assert.Equal(0.1 * series, RateFunctions.AlphaN(-55 + d), 1e-13);
            Assert.Equal(0.1 * series, RateFunctions.Fast(-55 + d, 1).AlphaN, 1e-13);
        }
        // Across the series/direct switch at |x| = 1e-2 the two branches agree to rounding.
        Close(AlphaM(-40 + 0.1 + 1e-9), RateFunctions.AlphaM(-40 + 0.1 - 1e-9), 1e-9);
    }

    [Fact]
    public void RatesAtRestHaveTheirTextbookValues()
    {
        // At V = -65: αm = 2.5/(e^2.5 - 1), βm = 4, αh = 0.07, βh = 1/(1 + e^3), αn = 0.1/(e - 1), βn = 0.125.
        var r = RateFunctions.At(-65);
        Close(2.5 / (Math.Exp(2.5) - 1), r.AlphaM, 1e-14);
        Close(4.0, r.BetaM, 1e-15);
        Close(0.07, r.AlphaH, 1e-15);
        Close(1 / (1 + Math.Exp(3)), r.BetaH, 1e-15);
        Close(0.1 / (Math.E - 1), r.AlphaN, 1e-14);
        Close(0.125, r.BetaN, 1e-15);
        // Steady states and time constants are the ratios α/(α+β) and 1/(α+β).
        Close(r.AlphaN / (r.AlphaN + r.BetaN), r.NInf, 1e-15);
        Close(1 / (r.AlphaH + r.BetaH), r.TauH, 1e-15);
    }

    [Fact]
    public void Q10ScalesEveryRateByThreePerTenDegrees()
    {
        var cold = new HodgkinHuxleyModel();
        var warm = new HodgkinHuxleyModel(new HodgkinHuxleyParameters { TemperatureCelsius = 16.3 });
        var hot = new HodgkinHuxleyModel(new HodgkinHuxleyParameters { TemperatureCelsius = 26.3 });
        Assert.Equal(3.0, warm.Parameters.TemperatureFactor, 14);
        Assert.Equal(9.0, hot.Parameters.TemperatureFactor, 13);
        foreach (double v in new[] { -90.0, -55, -40, 0, 30 })
        {
            var a = cold.Rates(v);
            var b = warm.Rates(v);
            Close(3 * a.AlphaM, b.AlphaM, 1e-14);
            Close(3 * a.BetaH, b.BetaH, 1e-14);
            Close(3 * a.AlphaN, b.AlphaN, 1e-14);
            Close(a.NInf, b.NInf, 1e-14); // steady states do not depend on temperature
            Close(a.TauM / 3, b.TauM, 1e-14);
        }
        // The rest state depends only on the steady states, so it does not move with temperature.
        Assert.Equal(cold.RestingPotential(), warm.RestingPotential(), 9);
    }

    [Fact]
    public void RateTableCoversTheRange()
    {
        var table = Analysis.RateTable(new HodgkinHuxleyModel(), -100, 50, 0.5);
        Assert.Equal(301, table.Length);
        Assert.Equal(-100, table[0].V);
        Assert.Equal(50, table[^1].V);
        Assert.Equal(1.0, table.Single(p => p.V == -40).Rates.AlphaM, 14);
    }

    [Fact]
    public void BadParametersAreRejectedWithTheirName()
    {
        var e = Assert.Throws<NeuroException>(() => new HodgkinHuxleyModel(new HodgkinHuxleyParameters { Cm = 0 }));
        Assert.Contains("Cm", e.Message);
        Assert.Throws<NeuroException>(() => new HodgkinHuxleyModel(new HodgkinHuxleyParameters { GK = double.NaN }));
        Assert.Throws<NeuroException>(() => new HodgkinHuxleyModel(new HodgkinHuxleyParameters { Q10 = -1 }));
    }
}
