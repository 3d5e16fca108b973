namespace Pitts.Neuro.HodgkinHuxley;

/// <summary>
/// The recorded series of a simulation, one sample per recording time: time in ms, V in mV, m, h, n, and the
/// currents in µA/cm² (positive outward for ionic currents; the injected current positive inward).
/// Series that were not recorded are empty.
/// </summary>
public sealed class Trace
{
    internal Trace(int capacity, RecordedQuantities what)
    {
        Time = new double[capacity];
        Voltage = what.HasFlag(RecordedQuantities.Voltage) ? new double[capacity] : [];
        bool g = what.HasFlag(RecordedQuantities.Gates), c = what.HasFlag(RecordedQuantities.Currents);
        M = g ? new double[capacity] : [];
        H = g ? new double[capacity] : [];
        N = g ? new double[capacity] : [];
        INa = c ? new double[capacity] : [];
        IK = c ? new double[capacity] : [];
        ILeak = c ? new double[capacity] : [];
        Injected = c ? new double[capacity] : [];
    }

    /// <summary>Number of samples recorded.</summary>
    public int Count { get; internal set; }

    /// <summary>Sample times in ms.</summary>
    public double[] Time { get; private set; }

    /// <summary>Membrane potential V in mV.</summary>
    public double[] Voltage { get; private set; }

    /// <summary>Sodium activation m.</summary>
    public double[] M { get; private set; }

    /// <summary>Sodium inactivation h.</summary>
    public double[] H { get; private set; }

    /// <summary>Potassium activation n.</summary>
    public double[] N { get; private set; }

    /// <summary>Sodium current in µA/cm².</summary>
    public double[] INa { get; private set; }

    /// <summary>Potassium current in µA/cm².</summary>
    public double[] IK { get; private set; }

    /// <summary>Leak current in µA/cm².</summary>
    public double[] ILeak { get; private set; }

    /// <summary>The injected current in µA/cm².</summary>
    public double[] Injected { get; private set; }

    /// <summary>The state at the end of the run.</summary>
    public HodgkinHuxleyState FinalState { get; internal set; }

    /// <summary>Integration steps taken (accepted steps for Dormand-Prince).</summary>
    public long Steps { get; internal set; }

    /// <summary>Steps rejected by Dormand-Prince's error control (0 for fixed-step methods).</summary>
    public long RejectedSteps { get; internal set; }

    /// <summary>The spikes in the recorded voltage (see <see cref="SpikeDetector.Detect"/>).</summary>
    public IReadOnlyList<Spike> Spikes(double minProminenceMv = SpikeDetector.DefaultProminenceMv)
    {
        if (Voltage.Length == 0)
            throw new NeuroException("Trace.Spikes: the voltage was not recorded (RecordedQuantities.Voltage)");
        return SpikeDetector.Detect(Time.AsSpan(0, Count), Voltage.AsSpan(0, Count), minProminenceMv);
    }

    /// <summary>Appends one sample; the common case (room left, V only) is small enough to inline into the integrator loop.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal void Add(double t, in HodgkinHuxleyState s, double injected, HodgkinHuxleyModel model)
    {
        int i = Count;
        var time = Time;
        var voltage = Voltage;
        if ((uint)i < (uint)time.Length && (voltage.Length == 0 || (uint)i < (uint)voltage.Length) && M.Length == 0 && INa.Length == 0)
        {
            time[i] = t;
            if (voltage.Length != 0) voltage[i] = s.V;
            Count = i + 1;
            return;
        }
        AddSlow(t, s, injected, model);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void AddSlow(double t, in HodgkinHuxleyState s, double injected, HodgkinHuxleyModel model)
    {
        if (Count == Time.Length) Grow();
        int i = Count++;
        Time[i] = t;
        if (Voltage.Length != 0) Voltage[i] = s.V;
        if (M.Length != 0) { M[i] = s.M; H[i] = s.H; N[i] = s.N; }
        if (INa.Length != 0)
        {
            var c = model.Currents(s);
            INa[i] = c.INa;
            IK[i] = c.IK;
            ILeak[i] = c.ILeak;
            Injected[i] = injected;
        }
    }

    internal void Trim()
    {
        if (Count == Time.Length) return;
        Time = Time[..Count];
        Series(a => a.Length == 0 ? a : a[..Count]);
    }

    /// <summary>Replaces every recorded series (all but <see cref="Time"/>; unrecorded ones are empty) by f of it.</summary>
    private void Series(Func<double[], double[]> f)
    {
        Voltage = f(Voltage);
        M = f(M);
        H = f(H);
        N = f(N);
        INa = f(INa);
        IK = f(IK);
        ILeak = f(ILeak);
        Injected = f(Injected);
    }

    private void Grow()
    {
        int n = Math.Max(16, Time.Length * 2);
        Time = Resize(Time, n);
        Series(a => a.Length == 0 ? a : Resize(a, n));
    }

    private static double[] Resize(double[] a, int n)
    {
        Array.Resize(ref a, n);
        return a;
    }
}
