using Pitts.Neuro.HodgkinHuxley;

namespace Pitts.Neuro.Tests;

public class IntegratorTests
{
    private static readonly HodgkinHuxleyModel Model = new();

    private static HodgkinHuxleyState At10(IntegrationMethod method, double dt) =>
        Model.Simulate(10, 10, new SimulationOptions { Method = method, Dt = dt, Record = RecordedQuantities.None }).FinalState;

    private static readonly HodgkinHuxleyState Reference = Model.Simulate(10, 10, new SimulationOptions
    {
        Method = IntegrationMethod.DormandPrince,
        RelativeTolerance = 1e-12,
        AbsoluteTolerance = 1e-12,
        Record = RecordedQuantities.None,
    }).FinalState;

    [Theory]
    [InlineData(IntegrationMethod.Euler, 1)]
    [InlineData(IntegrationMethod.ExponentialEuler, 1)]
    [InlineData(IntegrationMethod.RungeKutta4, 4)]
    public void ErrorShrinksWithTheMethodsOrder(IntegrationMethod method, int order)
    {
        // V at t = 10 ms (after the first spike) against an adaptive run at 1e-12 tolerance: halving dt divides the
        // error by about 2^order.
        double[] dts = method == IntegrationMethod.RungeKutta4 ? [0.04, 0.02, 0.01] : [0.02, 0.01, 0.005];
        var errors = dts.Select(dt => Math.Abs(At10(method, dt).V - Reference.V)).ToArray();
        for (int i = 1; i < errors.Length; i++)
        {
            double ratio = errors[i - 1] / errors[i];
            Assert.InRange(Math.Log2(ratio), order - 0.3, order + 0.3);
        }
        Assert.True(errors[^1] < (order == 4 ? 1e-6 : 0.1), $"error {errors[^1]}");
    }

    [Fact]
    public void DormandPrinceMeetsItsToleranceAndAgreesWithFineRk4()
    {
        var fine = At10(IntegrationMethod.RungeKutta4, 0.001);
        Assert.Equal(Reference.V, fine.V, 1e-9);
        Assert.Equal(Reference.N, fine.N, 1e-11);
        foreach (double tol in new[] { 1e-6, 1e-8 })
        {
            var t = Model.Simulate(10, 10, new SimulationOptions
            {
                Method = IntegrationMethod.DormandPrince,
                RelativeTolerance = tol,
                AbsoluteTolerance = tol,
                Record = RecordedQuantities.None,
            });
            Assert.True(Math.Abs(t.FinalState.V - Reference.V) < 1e4 * tol, $"tol {tol}: error {t.FinalState.V - Reference.V}");
            Assert.True(t.Steps < 1000, $"{t.Steps} steps: not adaptive");
        }
    }

    [Fact]
    public void AllMethodsFindTheSameSpikesAsDtShrinks()
    {
        var reference = Model.Simulate(10, 100, new SimulationOptions { Method = IntegrationMethod.DormandPrince, RelativeTolerance = 1e-10, AbsoluteTolerance = 1e-10, Dt = 0.005 }).Spikes();
        foreach (var m in new[] { IntegrationMethod.Euler, IntegrationMethod.ExponentialEuler, IntegrationMethod.RungeKutta4 })
        {
            var s = Model.Simulate(10, 100, new SimulationOptions { Method = m, Dt = 0.001 }).Spikes();
            Assert.Equal(reference.Count, s.Count);
            double tol = m == IntegrationMethod.RungeKutta4 ? 1e-4 : 0.05;
            for (int i = 0; i < s.Count; i++) Assert.Equal(reference[i].TimeMs, s[i].TimeMs, tol);
        }
    }

    [Fact]
    public void DormandPrinceStopsAtPulseEdges()
    {
        // A 0.2 ms pulse of 50 µA/cm² fires a spike; an adaptive method that stepped over it would miss it.
        var pulse = Waveform.Pulse(50, 10.05, 0.2);
        var o = new SimulationOptions { Method = IntegrationMethod.DormandPrince, MaxStep = 2, Dt = 0.01 };
        var dp = Model.Simulate(pulse, 30, o).Spikes();
        var rk = Model.Simulate(pulse, 30, new SimulationOptions { Dt = 0.001 }).Spikes();
        Assert.Single(dp);
        Assert.Single(rk);
        Assert.Equal(rk[0].TimeMs, dp[0].TimeMs, 0.002);
    }

    [Fact]
    public void RecordingIntervalSubsamplesTheSameRun()
    {
        var every = Model.Simulate(10, 50, new SimulationOptions { Dt = 0.01 });
        var sparse = Model.Simulate(10, 50, new SimulationOptions { Dt = 0.01, RecordInterval = 0.1 });
        Assert.Equal(5001, every.Count);
        Assert.Equal(501, sparse.Count);
        for (int i = 0; i < sparse.Count; i++)
        {
            Assert.Equal(every.Time[10 * i], sparse.Time[i], 12);
            Assert.Equal(every.Voltage[10 * i], sparse.Voltage[i]);
            Assert.Equal(every.N[10 * i], sparse.N[i]);
        }
        // Currents: the sum of the recorded currents balances C dV/dt (checked by a central difference).
        int k = 1234;
        double dvdt = (every.Voltage[k + 1] - every.Voltage[k - 1]) / 0.02;
        Assert.Equal(every.Injected[k] - every.INa[k] - every.IK[k] - every.ILeak[k], dvdt, 0.05);
    }

    [Theory]
    [InlineData(-1, 0.01, "duration")]
    [InlineData(100, -0.01, "dt")]
    [InlineData(1, 2, "larger than the duration")]
    [InlineData(double.NaN, 0.01, "duration")]
    public void BadRunArgumentsAreRejected(double duration, double dt, string expected)
    {
        var e = Assert.Throws<NeuroException>(() => Model.Simulate(10, duration, new SimulationOptions { Dt = dt }));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void UnstableStepIsReportedNotReturned()
    {
        var e = Assert.Throws<NeuroException>(() => Model.Simulate(10, 50, new SimulationOptions { Method = IntegrationMethod.Euler, Dt = 0.1 }));
        Assert.Contains("too large", e.Message);
    }

    [Fact]
    public void ExponentialEulerStaysStableWhereEulerDoesNot()
    {
        var t = Model.Simulate(10, 50, new SimulationOptions { Method = IntegrationMethod.ExponentialEuler, Dt = 0.05 });
        Assert.True(t.FinalState.IsFinite);
        Assert.InRange(t.Spikes().Count, 2, 5);
    }

    [Theory]
    [InlineData("euler", IntegrationMethod.Euler)]
    [InlineData("RK4", IntegrationMethod.RungeKutta4)]
    [InlineData("rush-larsen", IntegrationMethod.ExponentialEuler)]
    [InlineData("expeuler", IntegrationMethod.ExponentialEuler)]
    [InlineData("dopri5", IntegrationMethod.DormandPrince)]
    public void MethodNamesParse(string name, IntegrationMethod expected) =>
        Assert.Equal(expected, SimulationOptions.ParseMethod(name));
}

public class FiFailureTests
{
    [Fact]
    public void UnstableRunsInTheSweepReportOneNeuroException()
    {
        var e = Assert.Throws<NeuroException>(() => Analysis.FiCurve(new HodgkinHuxleyModel(), [5, 10, 15], 50,
            new SimulationOptions { Method = IntegrationMethod.Euler, Dt = 0.1 }));
        Assert.Contains("too large", e.Message);
    }
}
