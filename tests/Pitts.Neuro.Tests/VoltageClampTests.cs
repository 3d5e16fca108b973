using Pitts.Neuro.HodgkinHuxley;

namespace Pitts.Neuro.Tests;

public class VoltageClampTests
{
    private static readonly HodgkinHuxleyModel Model = new();

    [Fact]
    public void ClampStepMatchesAnIndependentRk4RunWithFrozenVoltage()
    {
        // Oracle: the current-clamp RK4 integrator on a membrane with a huge capacitance (V cannot move), started
        // at 0 mV with the gates at rest: the gates then follow the clamp at 0 mV.
        var clamp = VoltageClamp.Run(Model, Waveform.Step(0, 0.5, baseline: -65), 10.5, 0.01);
        var frozen = new HodgkinHuxleyModel(new HodgkinHuxleyParameters { Cm = 1e15 });
        var rest = Model.SteadyState(-65);
        var rk = frozen.Simulate(0, 10, new SimulationOptions { Dt = 0.001, InitialState = rest with { V = 0 } });
        for (int i = 0; i <= 1000; i += 50)
        {
            int c = 50 + i;          // clamp sample at t = 0.5 + i·0.01 ms
            int r = 10 * i;          // RK4 sample at t = i·0.01 ms
            Assert.Equal(rk.M[r], clamp.M[c], 1e-10);
            Assert.Equal(rk.H[r], clamp.H[c], 1e-10);
            Assert.Equal(rk.N[r], clamp.N[c], 1e-10);
        }
    }

    [Fact]
    public void DepolarisingStepGivesTransientInwardNaAndSustainedOutwardK()
    {
        // Hodgkin and Huxley's 1952 picture: a step to 0 mV opens Na transiently (inward, peaks within ~1 ms, then
        // inactivates) and K with a delay (outward, sigmoidal rise to a plateau ḡK n∞⁴).
        var c = VoltageClamp.Run(Model, Waveform.Step(0, 1, baseline: -65), 20, 0.01);
        int peak = Array.IndexOf(c.INa, c.INa.Min());
        Assert.True(c.INa[peak] < -500);
        Assert.InRange(c.Time[peak] - 1, 0.2, 1.5);
        Assert.True(Math.Abs(c.INa[^1]) < 0.1 * Math.Abs(c.INa[peak]));
        double nInf = Model.Rates(0).NInf;
        Assert.Equal(36 * Math.Pow(nInf, 4), c.GK[^1], 1e-3);
        Assert.Equal(36 * Math.Pow(nInf, 4) * 77, c.IK[^1], 0.1);
        // Sigmoidal (n⁴) onset: gK at 0.1 ms after the step is far below 1/40 of the rise it shows at 2 ms.
        Assert.True(c.GK[110] - c.GK[100] < (c.GK[300] - c.GK[100]) / 40);
    }

    [Fact]
    public void HoldingAtRestChangesNothing()
    {
        double rest = Model.RestingPotential();
        var c = VoltageClamp.Run(Model, Waveform.Constant(rest), 5);
        Assert.All(c.INa.Zip(c.IK, c.ILeak), x => Assert.Equal(0, x.First + x.Second + x.Third, 1e-9));
    }
}
