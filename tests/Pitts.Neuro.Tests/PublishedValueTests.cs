using Pitts.Neuro.HodgkinHuxley;

namespace Pitts.Neuro.Tests;

/// <summary>
/// The standard model at 6.3 °C against values published for it (expected numbers are from the literature, not
/// from this code): rest -65 mV (the convention EL = -54.387 mV is chosen for); Rinzel and Miller (1980): onset of
/// repetitive firing at I ≈ 6.26 µA/cm² and loss of stability of rest (Hopf) at I ≈ 9.78 µA/cm²; about 68.3 Hz at
/// 10 µA/cm²; a 1 ms pulse threshold near 6.9 µA/cm²; a first spike peaking near +40 mV.
/// </summary>
public class PublishedValueTests
{
    private static readonly HodgkinHuxleyModel Model = new();

    [Fact]
    public void RestIsMinus65()
    {
        Assert.InRange(Model.RestingPotential(), -65.01, -64.99);
        // And it is a fixed point: the vector field vanishes there.
        var d = Model.Derivative(Model.RestingState(), 0);
        Assert.True(Math.Abs(d.V) < 1e-9 && Math.Abs(d.M) < 1e-12 && Math.Abs(d.H) < 1e-12 && Math.Abs(d.N) < 1e-12);
    }

    [Fact]
    public void RepetitiveFiringStartsBetween6point2And6point3()
    {
        double onset = Analysis.RepetitiveFiringOnset(Model, 1000, 1e-3, lower: 5, upper: 8);
        Assert.InRange(onset, 6.2, 6.3);
        Assert.InRange(onset, 6.25, 6.27); // Rinzel and Miller: about 6.26
    }

    [Fact]
    public void RestLosesStabilityNear9point78()
    {
        Assert.InRange(Analysis.HopfCurrent(Model), 9.77, 9.79);
        Assert.True(Analysis.IsRestStable(Model, 9.5));
        Assert.False(Analysis.IsRestStable(Model, 10));
    }

    [Fact]
    public void FiresAt68point3HzAt10()
    {
        var spikes = Model.Simulate(10, 1000, new SimulationOptions { Record = RecordedQuantities.Voltage }).Spikes();
        Assert.InRange(SpikeDetector.FiringRate(spikes.Select(s => s.TimeMs), 500), 68.2, 68.4);
    }

    [Fact]
    public void OneMillisecondPulseThresholdNear6point9()
    {
        Assert.InRange(Analysis.PulseThreshold(Model, 1, 1e-3), 6.8, 7.0);
    }

    [Fact]
    public void FirstSpikePeaksNear40()
    {
        var spikes = Model.Simulate(10, 20).Spikes();
        Assert.InRange(spikes[0].PeakMv, 39, 41);
        Assert.InRange(spikes[0].TimeMs, 1.5, 3); // an action potential rises within a few ms of a 10 µA/cm² step
    }

    [Fact]
    public void FiCurveHasTheClassicShape()
    {
        var fi = Analysis.FiCurve(Model, Analysis.Range(0, 20, 0.5), 1000);
        Assert.Equal(41, fi.Length);
        Assert.All(fi.Where(p => p.CurrentUaCm2 <= 6), p => Assert.Equal(0, p.RateHz));
        // A jump to about 50 Hz at onset (class 2 excitability), then a slow monotonic rise.
        Assert.InRange(fi.Single(p => p.CurrentUaCm2 == 6.5).RateHz, 45, 60);
        var firing = fi.Where(p => p.CurrentUaCm2 >= 6.5).ToArray();
        for (int i = 1; i < firing.Length; i++) Assert.True(firing[i].RateHz > firing[i - 1].RateHz);
        // Threads do not change the result.
        var serial = Analysis.FiCurve(Model, Analysis.Range(0, 20, 2.5), 300, maxDegreeOfParallelism: 1);
        var parallel = Analysis.FiCurve(Model, Analysis.Range(0, 20, 2.5), 300, maxDegreeOfParallelism: 4);
        Assert.Equal(serial, parallel);
    }

    [Fact]
    public void WarmerAxonFiresFaster()
    {
        // Q10 = 3: at 18.5 °C every rate is 3^1.22 ≈ 3.82 times faster, and so is firing, roughly.
        var warm = new HodgkinHuxleyModel(new HodgkinHuxleyParameters { TemperatureCelsius = 18.5 });
        var spikes = warm.Simulate(10, 500, new SimulationOptions { Record = RecordedQuantities.Voltage }).Spikes();
        double rate = SpikeDetector.FiringRate(spikes.Select(s => s.TimeMs), 250);
        Assert.InRange(rate, 2 * 68.3, 4 * 68.3);
    }
}
