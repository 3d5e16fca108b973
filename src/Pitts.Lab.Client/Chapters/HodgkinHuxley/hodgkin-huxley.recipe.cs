#:project ../../../Pitts.Neuro/Pitts.Neuro.csproj
// Hodgkin-Huxley (1952): the squid axon's membrane potential under an injected current, its spikes, the f-I curve, and a
// voltage-clamp experiment. The lab's page runs this file; on its own, from the repository's root:
//   dotnet run -c Release src/Pitts.Lab.Client/Chapters/HodgkinHuxley/hodgkin-huxley.recipe.cs
using Pitts.Neuro.HodgkinHuxley;

#if !PITTS_LAB // the lab compiles the class below into itself and calls it as the controls change
var settings = new HodgkinHuxleySettings(Protocol: "step", Current: 10, Width: 1, Duration: 100, Method: "rk4", ClampV: 0);
var model = new HodgkinHuxleyModel();            // gNa 120, gK 36, gL 0.3 mS/cm², ENa 50, EK -77, EL -54.387 mV
var trace = HodgkinHuxleyRecipe.Simulate(model, settings);
var spikes = trace.Spikes();
Console.WriteLine($"{spikes.Count} spikes in {settings.Duration} ms: " + string.Join(", ", spikes.Select(s => $"{s.TimeMs:0.00} ms ({s.PeakMv:0.0} mV)")));

var fi = HodgkinHuxleyRecipe.FiCurve(model);
Console.WriteLine($"f-I curve: repetitive firing from {fi.First(p => p.RateHz > 0).CurrentUaCm2} µA/cm², {fi[^1].RateHz:0.0} Hz at {fi[^1].CurrentUaCm2} µA/cm²");

var clamp = HodgkinHuxleyRecipe.Clamp(model, settings);
Console.WriteLine($"clamped at {settings.ClampV} mV: peak I_Na {clamp.INa.Min():0.00} µA/cm², I_K at the end {clamp.IK[^1]:0.00} µA/cm²");
#endif

/// <summary>
/// What the page's controls change: the protocol (a step of current from 10 ms, or a pulse of the given width), the
/// current in µA/cm², the pulse width and the duration in ms, the integrator (rk4, expeuler, euler, dopri5), the clamp voltage in mV.
/// </summary>
public sealed record HodgkinHuxleySettings(string Protocol, double Current, double Width, double Duration, string Method, double ClampV);

/// <summary>The page's three experiments on the model.</summary>
public static class HodgkinHuxleyRecipe
{
    /// <summary>The injected current: a step from 10 ms on, or a pulse from 10 ms of the settings' width.</summary>
    public static Waveform Stimulus(HodgkinHuxleySettings s) =>
        s.Protocol == "pulse" ? Waveform.Pulse(s.Current, startMs: 10, widthMs: s.Width) : Waveform.Step(s.Current, startMs: 10);

    /// <summary>V(t), the gates and the currents, integrated at dt = 0.01 ms and recorded at up to 4,000 points.</summary>
    public static Trace Simulate(HodgkinHuxleyModel model, HodgkinHuxleySettings s) =>
        model.Simulate(Stimulus(s), s.Duration, new SimulationOptions
        {
            Method = SimulationOptions.ParseMethod(s.Method),
            Dt = 0.01,
            RecordInterval = Math.Max(0.01, s.Duration / 4000),
        });

    /// <summary>The firing rate for constant currents of 0 to 30 µA/cm² (1 s each, the rate from the second half).</summary>
    public static FiPoint[] FiCurve(HodgkinHuxleyModel model) => Analysis.FiCurve(model, Analysis.Range(0, 30, 0.5), durationMs: 1000);

    /// <summary>The voltage clamp: the membrane held at -65 mV, stepped to the clamp voltage from 2 to 22 ms, 30 ms in all.</summary>
    public static ClampTrace Clamp(HodgkinHuxleyModel model, HodgkinHuxleySettings s) =>
        VoltageClamp.Run(model, Waveform.Step(s.ClampV, 2, 22, baseline: -65), durationMs: 30, dt: 0.01, recordIntervalMs: 0.05);
}
