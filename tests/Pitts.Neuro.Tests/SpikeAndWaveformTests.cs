using Pitts.Neuro.HodgkinHuxley;

namespace Pitts.Neuro.Tests;

public class SpikeAndWaveformTests
{
    [Fact]
    public void ParabolicPeakIsExactForSampledParabolas()
    {
        // v = 30 - 5 (t - 2.0137)² sampled every 0.01 ms: the refined peak is the true vertex.
        var t = Enumerable.Range(0, 401).Select(i => i * 0.01).ToArray();
        var v = t.Select(x => 30 - 5 * (x - 2.0137) * (x - 2.0137)).ToArray();
        var s = Assert.Single(SpikeDetector.Detect(t, v, 1));
        Assert.Equal(2.0137, s.TimeMs, 1e-10);
        Assert.Equal(30, s.PeakMv, 1e-10);
    }

    [Fact]
    public void ProminenceSeparatesSpikesFromRipples()
    {
        // Two spikes of height 100 from a baseline of -65, a 5 mV ripple between them, and a 15 mV spike riding on
        // a plateau (prominence 15 whatever its absolute height).
        double[] v = [-65, -65, 35, -65, -60, -65, -65, 35, -65, -30, -15, -30, -30];
        var t = Enumerable.Range(0, v.Length).Select(i => (double)i).ToArray();
        var spikes = SpikeDetector.Detect(t, v, 10);
        Assert.Equal(3, spikes.Count);
        Assert.Equal([100, 100, 15], spikes.Select(s => s.ProminenceMv));
        Assert.Equal(2, SpikeDetector.Detect(t, v, 20).Count);
        // A flat top counts once, at its middle; a rise at the end of the record is not a peak.
        double[] flat = [0, 50, 50, 50, 0, 10, 60];
        var f = Assert.Single(SpikeDetector.Detect(Enumerable.Range(0, 7).Select(i => (double)i).ToArray(), flat, 10));
        Assert.Equal(2, f.TimeMs);
    }

    [Fact]
    public void FiringRateUsesTheMeanIntervalAfterTheCutoff()
    {
        Assert.Equal(100, SpikeDetector.FiringRate([1, 5, 500, 510, 520, 530], 500), 12);
        Assert.Equal(0, SpikeDetector.FiringRate([1, 5, 500], 500));
        Assert.Equal(0, SpikeDetector.FiringRate([], 0));
    }

    [Fact]
    public void SmallSpikesAtHighCurrentAreCountedWithoutReaching0mV()
    {
        // At 100 µA/cm² the spikes peak below 0 mV, yet repetitive firing continues (Rinzel-Miller: up to ~154).
        var spikes = new HodgkinHuxleyModel().Simulate(100, 200, new SimulationOptions { Record = RecordedQuantities.Voltage }).Spikes();
        Assert.True(spikes.Count > 20);
        Assert.Contains(spikes, s => s.PeakMv < 0);
    }

    [Fact]
    public void WaveformsHaveTheirShapes()
    {
        var step = Waveform.Step(5, 10, 20);
        Assert.Equal([0.0, 5, 5, 0], new[] { 9.99, 10, 19.99, 20 }.Select(step.At));
        Assert.Equal([10.0, 20], step.Breakpoints);
        var ramp = Waveform.Ramp(0, 10, 10, 20);
        Assert.Equal([0.0, 0, 2.5, 10, 10], new[] { 0, 10, 12.5, 20, 30.0 }.Select(ramp.At));
        var train = Waveform.PulseTrain(7, 5, 1, 10, 3);
        Assert.Equal([0.0, 7, 0, 7, 7, 0, 0], new[] { 4.9, 5, 6, 15.5, 25.9, 26, 35.5 }.Select(train.At));
        Assert.Equal(6, train.Breakpoints.Count);
        var f = Waveform.Function(t => Math.Sin(t));
        Assert.Equal(Math.Sin(1.5), f.At(1.5));
        Assert.Throws<NeuroException>(() => Waveform.Pulse(1, 0, 0));
        Assert.Throws<NeuroException>(() => Waveform.Ramp(0, 1, 5, 5));
        Assert.Throws<NeuroException>(() => Waveform.PulseTrain(1, 0, 2, 1, 3));
    }

    [Fact]
    public void AnyFunctionOfTimeDrivesTheModel()
    {
        // A ramp from 0 to 20 µA/cm² over 20 ms, given as a Ramp and as a plain function: same spikes.
        var model = new HodgkinHuxleyModel();
        var o = new SimulationOptions { Record = RecordedQuantities.Voltage };
        var ramp = model.Simulate(Waveform.Ramp(0, 20, 0, 20), 100, o).Spikes();
        var asFunction = model.Simulate(Waveform.Function(t => Math.Min(20, t)), 100, o).Spikes();
        Assert.True(ramp.Count > 3);
        Assert.Equal(ramp.Count, asFunction.Count);
        Assert.Equal(ramp[0].TimeMs, asFunction[0].TimeMs, 1e-9);
    }
}
