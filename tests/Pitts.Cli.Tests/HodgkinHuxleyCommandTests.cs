using System.Text.Json;
using static Pitts.Cli.Tests.CliRunner;

namespace Pitts.Cli.Tests;

public class HodgkinHuxleyCommandTests
{
    private static readonly JsonElement Neuron =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "neuron-results.json"))).RootElement;

    [Fact]
    public void RunPrintsTheTraceAsCsv()
    {
        var r = Run("hh", "run", "--current", "10", "--duration", "5");
        Assert.Equal(0, r.ExitCode);
        var (header, rows) = Csv(r.Out);
        Assert.Equal(["t_ms", "v_mv", "m", "h", "n"], header);
        Assert.Equal(501, rows.Length);
        Assert.Equal(0, rows[0][0]);
        Assert.Equal(5, rows[^1][0], 9);
        Assert.Equal(0.01, rows[1][0], 12);
        Assert.Equal(Neuron.GetProperty("rest_mv").GetDouble(), rows[0][1], 1e-5); // starts at rest, as NEURON finds it
        Assert.True(rows.Max(x => x[1]) > 30); // the first spike is inside 5 ms
        Assert.All(rows, x => Assert.InRange(x[2], 0, 1));
    }

    [Fact]
    public void RunWritesJsonFileAndPlot()
    {
        string dir = Path.Combine(Path.GetTempPath(), "pitts-cli-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string csv = Path.Combine(dir, "trace.json"), png = Path.Combine(dir, "trace.png");
            var r = Run("hh", "run", "--duration", "20", "--method", "expeuler", "--record-interval", "0.1", "--json", "--out", csv, "--plot", png);
            Assert.Equal(0, r.ExitCode);
            Assert.Equal("", r.Out);
            var rows = JsonDocument.Parse(File.ReadAllText(csv)).RootElement.EnumerateArray().ToArray();
            Assert.Equal(201, rows.Length);
            Assert.Equal(0.1, rows[1].GetProperty("t_ms").GetDouble(), 12);
            Assert.True(rows[0].TryGetProperty("v_mv", out _));
            var bytes = File.ReadAllBytes(png);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
            Assert.True(bytes.Length > 5000, $"PNG of {bytes.Length} bytes");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void SpikesMatchNeuron()
    {
        var r = Run("hh", "spikes", "--current", "10", "--duration", "1000");
        Assert.Equal(0, r.ExitCode);
        var (header, rows) = Csv(r.Out);
        Assert.Equal(["spike_time_ms"], header);
        var expected = Neuron.GetProperty("spikes").GetProperty("10").GetProperty("times_ms").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(expected.Length, rows.Length);
        for (int i = 0; i < rows.Length; i++) Assert.Equal(expected[i], rows[i][0], 1e-3);
    }

    [Theory]
    [InlineData("euler")]
    [InlineData("dopri5")]
    public void SpikesWithOtherMethodsAgreeClosely(string method)
    {
        var r = Run("hh", "spikes", "--current", "10", "--duration", "100", "--method", method, "--dt", "0.005");
        var (_, rows) = Csv(r.Out);
        Assert.Equal(7, rows.Length);
        Assert.Equal(2.1382, rows[0][0], 0.02);
    }

    [Fact]
    public void ProtocolsShapeTheStimulus()
    {
        // A 1 ms pulse fires once above the pulse threshold (about 6.9 µA/cm²) and not below it.
        Assert.Single(Csv(Run("hh", "spikes", "--protocol", "pulse", "--current", "7.5", "--start", "5", "--width", "1", "--duration", "50").Out).Rows);
        Assert.Empty(Csv(Run("hh", "spikes", "--protocol", "pulse", "--current", "6.5", "--start", "5", "--width", "1", "--duration", "50").Out).Rows);
        // A train of 3 strong pulses 20 ms apart: one spike each, starting within a few ms of each pulse.
        var train = Csv(Run("hh", "spikes", "--protocol", "train", "--current", "40", "--width", "0.5", "--period", "20", "--count", "3", "--start", "10", "--duration", "80").Out).Rows;
        Assert.Equal(3, train.Length);
        for (int k = 0; k < 3; k++) Assert.InRange(train[k][0] - (10 + 20 * k), 0, 5);
        // A step that starts at 50 ms: nothing before it.
        var step = Csv(Run("hh", "spikes", "--current", "10", "--start", "50", "--duration", "100").Out).Rows;
        Assert.True(step.Length >= 3 && step[0][0] > 50);
        // A ramp reaching 20 µA/cm² at 20 ms fires; the trace has the same rows as any run.
        Assert.NotEmpty(Csv(Run("hh", "spikes", "--protocol", "ramp", "--current", "20", "--ramp-end", "20", "--duration", "100").Out).Rows);
        AssertBadInput(Run("hh", "run", "--protocol", "zigzag"), "unknown protocol 'zigzag'");
        AssertBadInput(Run("hh", "run", "--protocol", "train", "--width", "5", "--period", "2"), "--period");
    }

    [Fact]
    public void FiPrintsCurrentAndRateAndMatchesNeuron()
    {
        var r = Run("hh", "fi", "--from", "5", "--to", "10", "--step", "2.5", "--duration", "1000");
        Assert.Equal(0, r.ExitCode);
        var (header, rows) = Csv(r.Out);
        Assert.Equal(["current_uA_cm2", "rate_hz"], header);
        Assert.Equal([5, 7.5, 10], rows.Select(x => x[0]));
        var neuron = Neuron.GetProperty("fi").EnumerateArray()
            .ToDictionary(p => p.GetProperty("current_uA_cm2").GetDouble(), p => p.GetProperty("rate_hz").GetDouble());
        foreach (var row in rows) Assert.Equal(neuron[row[0]], row[1], 1e-3);
        Assert.Equal(0, rows[0][1]);
        Assert.InRange(rows[2][1], 68.2, 68.4); // about 68.3 Hz at 10 µA/cm²
    }

    [Fact]
    public void RatesAreFiniteThroughTheSingularities()
    {
        var r = Run("hh", "rates", "--from", "-100", "--to", "50", "--step", "0.5", "--json");
        Assert.Equal(0, r.ExitCode);
        var rows = JsonDocument.Parse(r.Out).RootElement.EnumerateArray().ToArray();
        Assert.Equal(301, rows.Length);
        var at40 = rows.Single(x => x.GetProperty("v_mv").GetDouble() == -40);
        Assert.Equal(1.0, at40.GetProperty("alpha_m").GetDouble(), 14);
        var at55 = rows.Single(x => x.GetProperty("v_mv").GetDouble() == -55);
        Assert.Equal(0.1, at55.GetProperty("alpha_n").GetDouble(), 14);
        // Textbook value at -65: βh = 1 / (1 + e³).
        var at65 = rows.Single(x => x.GetProperty("v_mv").GetDouble() == -65);
        Assert.Equal(1 / (1 + Math.Exp(3)), at65.GetProperty("beta_h").GetDouble(), 14);
        Assert.Equal(13, at65.EnumerateObject().Count());
    }

    [Theory]
    [InlineData(new[] { "hh", "run", "--duration", "-5" }, "--duration must be a positive number")]
    [InlineData(new[] { "hh", "run", "--dt", "-0.01" }, "--dt must be a positive number")]
    [InlineData(new[] { "hh", "run", "--dt", "0" }, "--dt must be a positive number")]
    [InlineData(new[] { "hh", "spikes", "--duration", "1", "--dt", "2" }, "larger than --duration")]
    [InlineData(new[] { "hh", "run", "--method", "leapfrog" }, "unknown method 'leapfrog'")]
    [InlineData(new[] { "hh", "fi", "--from", "10", "--to", "0" }, "below --from")]
    [InlineData(new[] { "hh", "fi", "--step", "0" }, "--step must be a positive number")]
    [InlineData(new[] { "hh", "run", "--duration", "abc" }, "abc")]
    [InlineData(new[] { "hh", "run", "--plot", "trace.jpg" }, "must end in .png")]
    [InlineData(new[] { "hh", "spikes", "--prominence", "-1" }, "--prominence")]
    [InlineData(new[] { "hh", "walk" }, "walk")]
    [InlineData(new[] { "hh", "fi", "--duration", "1000000" }, "at most")]
    public void BadValuesAreOneLineAndExitCode2(string[] args, string expected) => AssertBadInput(Run(args), expected);

    [Fact]
    public void UnwritableOutputIsAFailureWithExitCode1()
    {
        var r = Run("hh", "run", "--duration", "1", "--out", Path.Combine(Path.GetTempPath(), "no-such-folder-" + Guid.NewGuid().ToString("N"), "x.csv"));
        AssertBadInput(r, "does not exist"); // a path the user mistyped is a bad value
        // A folder that exists but takes no new files (even for root): the temporary file cannot be created, an I/O failure.
        var f = Run("hh", "run", "--duration", "1", "--out", "/proc/self/pitts-x.csv");
        Assert.Equal(1, f.ExitCode);
        Assert.Single(f.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void ClampShowsTransientSodiumAndSustainedPotassium()
    {
        var r = Run("hh", "clamp", "--hold", "-65", "--step", "0", "--start", "1", "--duration", "20");
        Assert.Equal(0, r.ExitCode);
        var (header, rows) = Csv(r.Out);
        Assert.Equal(["t_ms", "v_mv", "i_na_uA_cm2", "i_k_uA_cm2", "i_leak_uA_cm2", "g_na_mS_cm2", "g_k_mS_cm2"], header);
        Assert.Equal(2001, rows.Length);
        Assert.Equal(-65, rows[0][1]);
        Assert.Equal(0, rows[^1][1]);
        var peak = rows.MinBy(x => x[2])!;
        Assert.InRange(peak[0], 1.2, 2.5);                          // INa peaks within about a millisecond of the step
        Assert.True(Math.Abs(rows[^1][2]) < 0.1 * Math.Abs(peak[2])); // then inactivates
        // gK settles at ḡK n∞(0)⁴ with the textbook rates: αn(0) = 0.55/(1 - e^-5.5), βn(0) = 0.125 e^-65/80.
        double an = 0.55 / (1 - Math.Exp(-5.5)), bn = 0.125 * Math.Exp(-65.0 / 80);
        Assert.Equal(36 * Math.Pow(an / (an + bn), 4), rows[^1][6], 1e-3);
        AssertBadInput(Run("hh", "clamp", "--width", "-1"), "--width");
    }

    [Fact]
    public void ExcitabilityMatchesPublishedValues()
    {
        var r = Run("hh", "excitability", "--json");
        Assert.Equal(0, r.ExitCode);
        var doc = JsonDocument.Parse(r.Out).RootElement;
        Assert.InRange(doc.GetProperty("rest_mv").GetDouble(), -65.01, -64.99);             // -65 mV
        Assert.InRange(doc.GetProperty("repetitive_onset_uA_cm2").GetDouble(), 6.2, 6.3);   // Rinzel and Miller: 6.26
        Assert.InRange(doc.GetProperty("hopf_uA_cm2").GetDouble(), 9.77, 9.79);              // Rinzel and Miller: 9.78
        Assert.InRange(doc.GetProperty("pulse_threshold_uA_cm2").GetDouble(), 6.8, 7.0);    // about 6.9 for 1 ms
        Assert.True(doc.GetProperty("rheobase_uA_cm2").GetDouble() < 6.2);                   // one spike comes before repetitive firing
    }

    [Fact]
    public void UnstableFiSweepIsABadDtNotACrash() =>
        AssertBadInput(Run("hh", "fi", "--method", "euler", "--dt", "0.1", "--duration", "50", "--from", "5", "--to", "10", "--step", "5"), "too large");

    [Fact]
    public void BenchPrintsTimings()
    {
        var r = Run("hh", "bench", "--repeat", "1");
        Assert.Equal(0, r.ExitCode);
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("workload,best_ms,median_ms", lines[0]);
        Assert.Equal(7, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.True(double.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture) > 0));
    }

    [Fact]
    public void HelpListsTheCommands()
    {
        var r = Run("hh", "--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var c in new[] { "run", "spikes", "fi", "rates", "clamp", "excitability", "bench" }) Assert.Contains(c, r.Out);
    }
}
