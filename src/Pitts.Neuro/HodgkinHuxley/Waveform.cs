namespace Pitts.Neuro.HodgkinHuxley;

/// <summary>
/// A function of time t in ms that drives a simulation: the injected current in µA/cm² for current clamp, or the
/// command potential in mV for voltage clamp. Its breakpoints (the times where it jumps) are where adaptive
/// integration must not step across.
/// </summary>
public abstract class Waveform
{
    /// <summary>The value at time <paramref name="t"/> ms.</summary>
    public abstract double At(double t);

    /// <summary>Times in ms, ascending, where the waveform is discontinuous or has a kink.</summary>
    public virtual IReadOnlyList<double> Breakpoints => [];

    /// <summary>This waveform as a step for the integrators' specialised loop, or null when it is not one.</summary>
    internal virtual Integrators.StepStimulus? AsStep() => null;

    /// <summary>A constant value for all time.</summary>
    public static Waveform Constant(double value) => new StepWaveform(value, 0, double.PositiveInfinity, value, "Constant");

    /// <summary>
    /// A step: <paramref name="baseline"/> before <paramref name="startMs"/>, <paramref name="amplitude"/> from
    /// <paramref name="startMs"/> until <paramref name="stopMs"/> (forever by default), baseline again after.
    /// </summary>
    public static Waveform Step(double amplitude, double startMs = 0, double stopMs = double.PositiveInfinity, double baseline = 0) =>
        new StepWaveform(amplitude, startMs, stopMs, baseline, "Step");

    /// <summary>A rectangular pulse of <paramref name="amplitude"/> lasting <paramref name="widthMs"/> from <paramref name="startMs"/>.</summary>
    public static Waveform Pulse(double amplitude, double startMs, double widthMs, double baseline = 0)
    {
        if (!(widthMs > 0) || !double.IsFinite(widthMs))
            throw new NeuroException($"Waveform.Pulse: width {widthMs} ms must be finite and > 0");
        return new StepWaveform(amplitude, startMs, startMs + widthMs, baseline, "Pulse");
    }

    /// <summary>
    /// A linear ramp: <paramref name="from"/> until <paramref name="startMs"/>, rising (or falling) linearly to
    /// <paramref name="to"/> at <paramref name="endMs"/>, then holding <paramref name="to"/>.
    /// </summary>
    public static Waveform Ramp(double from, double to, double startMs, double endMs)
    {
        Finite("Ramp", from, to, startMs, endMs);
        if (!(endMs > startMs))
            throw new NeuroException($"Waveform.Ramp: end {endMs} ms must be after start {startMs} ms");
        return new RampWaveform(from, to, startMs, endMs);
    }

    /// <summary>
    /// <paramref name="count"/> pulses of <paramref name="amplitude"/> and <paramref name="widthMs"/>, the first at
    /// <paramref name="startMs"/>, one every <paramref name="periodMs"/>.
    /// </summary>
    public static Waveform PulseTrain(double amplitude, double startMs, double widthMs, double periodMs, int count, double baseline = 0)
    {
        Finite("PulseTrain", amplitude, startMs, widthMs, periodMs, baseline);
        if (!(widthMs > 0) || !(periodMs >= widthMs))
            throw new NeuroException($"Waveform.PulseTrain: width {widthMs} ms must be > 0 and <= period {periodMs} ms");
        if (count < 1)
            throw new NeuroException($"Waveform.PulseTrain: count {count} must be >= 1");
        return new PulseTrainWaveform(amplitude, startMs, widthMs, periodMs, count, baseline);
    }

    /// <summary>Any function of time; list its discontinuities in <paramref name="breakpoints"/> for adaptive integration.</summary>
    public static Waveform Function(Func<double, double> function, IReadOnlyList<double>? breakpoints = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new FunctionWaveform(function, breakpoints ?? []);
    }

    private static void Finite(string op, params ReadOnlySpan<double> values)
    {
        foreach (var v in values)
            if (!double.IsFinite(v)) throw new NeuroException($"Waveform.{op}: argument {v} must be finite");
    }

    private sealed class StepWaveform : Waveform
    {
        private readonly double _amplitude, _start, _stop, _baseline;
        private readonly double[] _breaks;

        public StepWaveform(double amplitude, double start, double stop, double baseline, string op)
        {
            if (!double.IsFinite(amplitude) || !double.IsFinite(start) || !double.IsFinite(baseline) || double.IsNaN(stop))
                throw new NeuroException($"Waveform.{op}: amplitude {amplitude}, start {start} ms, baseline {baseline} must be finite");
            if (!(stop > start))
                throw new NeuroException($"Waveform.{op}: stop {stop} ms must be after start {start} ms");
            (_amplitude, _start, _stop, _baseline) = (amplitude, start, stop, baseline);
            _breaks = double.IsPositiveInfinity(stop) ? [start] : [start, stop];
        }

        public override double At(double t) => t >= _start && t < _stop ? _amplitude : _baseline;

        internal override Integrators.StepStimulus? AsStep() => new Integrators.StepStimulus(_amplitude, _start, _stop, _baseline);

        public override IReadOnlyList<double> Breakpoints => _breaks;
    }

    private sealed class RampWaveform(double from, double to, double start, double end) : Waveform
    {
        public override double At(double t) =>
            t <= start ? from : t >= end ? to : from + (to - from) * (t - start) / (end - start);

        public override IReadOnlyList<double> Breakpoints => [start, end];
    }

    private sealed class PulseTrainWaveform(double amplitude, double start, double width, double period, int count, double baseline) : Waveform
    {
        public override double At(double t)
        {
            if (t < start) return baseline;
            double k = Math.Floor((t - start) / period);
            if (k >= count) return baseline;
            return t - start - k * period < width ? amplitude : baseline;
        }

        public override IReadOnlyList<double> Breakpoints =>
            Enumerable.Range(0, count).SelectMany(k => new[] { start + k * period, start + k * period + width }).ToArray();
    }

    private sealed class FunctionWaveform(Func<double, double> f, IReadOnlyList<double> breaks) : Waveform
    {
        public override double At(double t) => f(t);

        public override IReadOnlyList<double> Breakpoints => breaks;
    }
}
