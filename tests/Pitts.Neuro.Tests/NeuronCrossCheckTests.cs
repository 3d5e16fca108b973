using System.Text.Json;
using Pitts.Neuro.HodgkinHuxley;

namespace Pitts.Neuro.Tests;

/// <summary>
/// Against NEURON's hh mechanism (scripts/neuron/crosscheck.py, results committed in scripts/neuron/results.json):
/// an independent simulator with its own rate code, integrated by CVODE at 1e-9 tolerances.
/// </summary>
public class NeuronCrossCheckTests
{
    private static readonly JsonElement Neuron =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "neuron-results.json"))).RootElement;

    private static readonly HodgkinHuxleyModel Model = new();

    [Fact]
    public void SameRest()
    {
        Assert.Equal(Neuron.GetProperty("rest_mv").GetDouble(), Model.RestingPotential(), 1e-5);
        Assert.Equal(6.3, Neuron.GetProperty("celsius").GetDouble());
        Assert.Equal(-54.387, Neuron.GetProperty("el_hh_mv").GetDouble());
    }

    [Theory]
    [InlineData("7")]
    [InlineData("10")]
    [InlineData("15")]
    public void SameSpikeTimesForOneSecond(string current)
    {
        var run = Neuron.GetProperty("spikes").GetProperty(current);
        var expected = run.GetProperty("times_ms").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var peaks = run.GetProperty("peaks_mv").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var spikes = Model.Simulate(double.Parse(current, System.Globalization.CultureInfo.InvariantCulture), 1000,
            new SimulationOptions { Dt = 0.01, Record = RecordedQuantities.Voltage }).Spikes();
        Assert.Equal(expected.Length, spikes.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], spikes[i].TimeMs, 1e-3);
            Assert.Equal(peaks[i], spikes[i].PeakMv, 1e-3);
        }
    }

    [Fact]
    public void AdaptiveDormandPrinceGivesTheSameSpikeTimes()
    {
        var expected = Neuron.GetProperty("spikes").GetProperty("10").GetProperty("times_ms").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var spikes = Model.Simulate(10, 1000, new SimulationOptions
        {
            Method = IntegrationMethod.DormandPrince,
            Dt = 0.01,
            Record = RecordedQuantities.Voltage,
        }).Spikes();
        Assert.Equal(expected.Length, spikes.Count);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], spikes[i].TimeMs, 1e-3);
    }

    [Fact]
    public void SameSpikeTimesAt18point5Celsius()
    {
        // NEURON's hh scales its rates by 3^((celsius - 6.3)/10), as HodgkinHuxleyParameters.Q10 does.
        var warm = Neuron.GetProperty("warm");
        double celsius = warm.GetProperty("celsius").GetDouble();
        var expected = warm.GetProperty("times_ms").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var model = new HodgkinHuxleyModel(new HodgkinHuxleyParameters { TemperatureCelsius = celsius });
        var spikes = model.Simulate(warm.GetProperty("current_uA_cm2").GetDouble(), warm.GetProperty("duration_ms").GetDouble(),
            new SimulationOptions { Dt = 0.01, Record = RecordedQuantities.Voltage }).Spikes();
        Assert.True(expected.Length > 20, $"{expected.Length} spikes in NEURON's warm run");
        Assert.Equal(expected.Length, spikes.Count);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], spikes[i].TimeMs, 2e-3);
    }

    [Fact]
    public void SameFiCurve()
    {
        var points = Neuron.GetProperty("fi").EnumerateArray().ToArray();
        var currents = points.Select(p => p.GetProperty("current_uA_cm2").GetDouble()).ToArray();
        var fi = Analysis.FiCurve(Model, currents, 1000);
        for (int i = 0; i < points.Length; i++)
        {
            Assert.Equal(points[i].GetProperty("spike_count").GetInt32(), fi[i].SpikeCount);
            Assert.Equal(points[i].GetProperty("rate_hz").GetDouble(), fi[i].RateHz, 1e-3);
        }
    }
}
