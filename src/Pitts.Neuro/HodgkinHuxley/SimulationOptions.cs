namespace Pitts.Neuro.HodgkinHuxley;

/// <summary>The numerical method that advances a Hodgkin-Huxley simulation.</summary>
public enum IntegrationMethod
{
    /// <summary>Forward Euler, first order: y += dt f(y).</summary>
    Euler,

    /// <summary>Classic fourth-order Runge-Kutta with a fixed step.</summary>
    RungeKutta4,

    /// <summary>
    /// Rush-Larsen exponential Euler: each gate x relaxes exactly towards x∞ with time constant τx, holding V over the
    /// step (x ← x∞ + (x - x∞) exp(-dt / τx)), and V takes a forward Euler step; first order, stable at large dt.
    /// </summary>
    ExponentialEuler,

    /// <summary>Adaptive Dormand-Prince 5(4) with local error control (steps between dt/1e6 and MaxStep).</summary>
    DormandPrince,
}

/// <summary>Which series a simulation records.</summary>
[Flags]
public enum RecordedQuantities
{
    /// <summary>Only time (and the final state).</summary>
    None = 0,

    /// <summary>The membrane potential V.</summary>
    Voltage = 1,

    /// <summary>The gating variables m, h, n.</summary>
    Gates = 2,

    /// <summary>The currents INa, IK, IL and the injected current.</summary>
    Currents = 4,

    /// <summary>Everything.</summary>
    All = Voltage | Gates | Currents,
}

/// <summary>How to integrate and what to record; every time is in ms.</summary>
public sealed record SimulationOptions
{
    /// <summary>The defaults: RK4, dt = 0.01 ms, record everything every step, start at rest.</summary>
    public static SimulationOptions Default { get; } = new();

    /// <summary>The integration method.</summary>
    public IntegrationMethod Method { get; init; } = IntegrationMethod.RungeKutta4;

    /// <summary>The fixed step in ms (for Dormand-Prince: the first step tried and the default recording interval).</summary>
    public double Dt { get; init; } = 0.01;

    /// <summary>Recording interval in ms; null records every step (fixed-step methods round it to a whole number of steps).</summary>
    public double? RecordInterval { get; init; }

    /// <summary>Which series to record.</summary>
    public RecordedQuantities Record { get; init; } = RecordedQuantities.All;

    /// <summary>The state at t = 0; null starts at the resting state with no injected current.</summary>
    public HodgkinHuxleyState? InitialState { get; init; }

    /// <summary>Relative tolerance of Dormand-Prince's local error control.</summary>
    public double RelativeTolerance { get; init; } = 1e-6;

    /// <summary>Absolute tolerance of Dormand-Prince's local error control (mV for V, dimensionless for gates).</summary>
    public double AbsoluteTolerance { get; init; } = 1e-8;

    /// <summary>Largest step Dormand-Prince may take, in ms.</summary>
    public double MaxStep { get; init; } = 0.5;

    internal void Validate(double durationMs, string op)
    {
        if (!double.IsFinite(durationMs) || durationMs <= 0)
            throw new NeuroException($"{op}: duration {durationMs} ms must be finite and > 0");
        if (!double.IsFinite(Dt) || Dt <= 0)
            throw new NeuroException($"{op}: dt {Dt} ms must be finite and > 0");
        if (Dt > durationMs)
            throw new NeuroException($"{op}: dt {Dt} ms is larger than the duration {durationMs} ms");
        if (durationMs / Dt > 2e9)
            throw new NeuroException($"{op}: duration {durationMs} ms / dt {Dt} ms is more than 2e9 steps");
        if (RecordInterval is { } r && (!double.IsFinite(r) || r <= 0))
            throw new NeuroException($"{op}: record interval {r} ms must be finite and > 0");
        if (!Enum.IsDefined(Method))
            throw new NeuroException($"{op}: unknown integration method {(int)Method}");
        if (!(RelativeTolerance > 0) || !(AbsoluteTolerance > 0) || !double.IsFinite(RelativeTolerance) || !double.IsFinite(AbsoluteTolerance))
            throw new NeuroException($"{op}: tolerances (relative {RelativeTolerance}, absolute {AbsoluteTolerance}) must be finite and > 0");
        if (!double.IsFinite(MaxStep) || MaxStep <= 0)
            throw new NeuroException($"{op}: max step {MaxStep} ms must be finite and > 0");
        if (InitialState is { } s && !s.IsFinite)
            throw new NeuroException($"{op}: initial state {s} must be finite");
    }

    /// <summary>Parses a method name: euler, rk4, expeuler (or rush-larsen, exponential-euler), dopri5 (or dp45, dormand-prince).</summary>
    public static IntegrationMethod ParseMethod(string name) => name.Trim().ToLowerInvariant() switch
    {
        "euler" => IntegrationMethod.Euler,
        "rk4" or "rungekutta4" => IntegrationMethod.RungeKutta4,
        "expeuler" or "exponential-euler" or "exponentialeuler" or "rush-larsen" or "rushlarsen" => IntegrationMethod.ExponentialEuler,
        "dopri5" or "dp45" or "dormand-prince" or "dormandprince" => IntegrationMethod.DormandPrince,
        _ => throw new NeuroException($"unknown method '{name}' (expected euler, rk4, expeuler or dopri5)"),
    };
}
