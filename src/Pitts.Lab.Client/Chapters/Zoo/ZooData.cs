using Pitts.Data;

namespace Pitts.Lab.Zoo;

/// <summary>The shipped MNIST subset as flat arrays (loaded once, shared read-only by every page).</summary>
public sealed class MnistArrays
{
    private static readonly Lazy<MnistArrays> Shared = new(() => new MnistArrays(Datasets.Mnist()));

    /// <summary>The shipped subset (7,996 training and 2,004 test digits).</summary>
    public static MnistArrays Get() => Shared.Value;

    private MnistArrays(ImageClassificationData data)
    {
        TrainImages = data.Train.Inputs.Reshape(data.Train.Count, 784);
        TestImages = data.Test.Inputs.Reshape(data.Test.Count, 784);
        TrainLabels = data.Train.Targets.ToArray().Select(v => (int)v).ToArray();
        TestLabels = data.Test.Targets.ToArray().Select(v => (int)v).ToArray();
    }

    /// <summary>Training pixels (N, 784) in [0, 1].</summary>
    public Tensor TrainImages { get; }

    /// <summary>Training labels.</summary>
    public int[] TrainLabels { get; }

    /// <summary>Held-out pixels (N, 784) in [0, 1].</summary>
    public Tensor TestImages { get; }

    /// <summary>Held-out labels.</summary>
    public int[] TestLabels { get; }

    /// <summary>Rows <paramref name="indices"/> of <paramref name="images"/> as a (n, 784) tensor.</summary>
    public static Tensor Rows(Tensor images, int[] indices) => images.IndexSelect(0, indices);
}

/// <summary>Synthetic data and small numerical helpers for the zoo pages.</summary>
public static class ZooData
{
    /// <summary>The damped oscillator x'' + 2ζω x' + ω² x = 0 used by the recurrent page (ω = 1, ζ = 0.1, sampled every 0.2 time units).</summary>
    public const double Omega = 1.0, Zeta = 0.1, Dt = 0.2;

    /// <summary>The exact underdamped solution x(t) = a·e^(−ζωt)·cos(ω_d t + φ), ω_d = ω√(1 − ζ²), sampled at t = 0, Dt, …</summary>
    public static float[] Oscillator(double amplitude, double phase, int length)
    {
        double wd = Omega * Math.Sqrt(1 - Zeta * Zeta);
        var x = new float[length];
        for (int i = 0; i < length; i++)
        {
            double t = i * Dt;
            x[i] = (float)(amplitude * Math.Exp(-Zeta * Omega * t) * Math.Cos(wd * t + phase));
        }
        return x;
    }

    /// <summary>Velocity of <see cref="Oscillator"/> at t = 0 (the initial condition for Euler's method).</summary>
    public static double OscillatorVelocity0(double amplitude, double phase)
    {
        double wd = Omega * Math.Sqrt(1 - Zeta * Zeta);
        return amplitude * (-Zeta * Omega * Math.Cos(phase) - wd * Math.Sin(phase));
    }

    /// <summary>
    /// Euler's method y(n+1) = y(n) + h·f(y(n)) for y = (x, v), f(y) = (v, −ω²x − 2ζωv): a linear recurrence with the
    /// fixed weight matrix W = I + hA, A = [[0, 1], [−ω², −2ζω]]. Returns x at t = 0, h, 2h, … up to <paramref name="tEnd"/>.
    /// </summary>
    public static (double[] T, double[] X) Euler(double x0, double v0, double h, double tEnd)
    {
        int n = (int)Math.Floor(tEnd / h + 1e-9) + 1;
        var ts = new double[n];
        var xs = new double[n];
        double x = x0, v = v0;
        for (int i = 0; i < n; i++)
        {
            ts[i] = i * h;
            xs[i] = x;
            (x, v) = (x + h * v, v + h * (-Omega * Omega * x - 2 * Zeta * Omega * v));
        }
        return (ts, xs);
    }

    /// <summary>The fixed weights W = I + hA of Euler's recurrence for step <paramref name="h"/>.</summary>
    public static double[,] EulerWeights(double h) => new[,] { { 1, h }, { -h * Omega * Omega, 1 - 2 * h * Zeta * Omega } };

    /// <summary>A batch of oscillator sequences with random amplitude in [0.5, 1.5] and phase: inputs (N, T, 1) and next-step targets (N, T, 1).</summary>
    public static (Tensor Inputs, Tensor Targets) OscillatorBatch(int n, int steps, Generator g)
    {
        var inputs = new float[n * steps];
        var targets = new float[n * steps];
        for (int b = 0; b < n; b++)
        {
            var x = Oscillator(0.5 + g.NextDouble(), 2 * Math.PI * g.NextDouble(), steps + 1);
            Array.Copy(x, 0, inputs, b * steps, steps);
            Array.Copy(x, 1, targets, b * steps, steps);
        }
        return (Tensor.FromArray(inputs, n, steps, 1), Tensor.FromArray(targets, n, steps, 1));
    }

    /// <summary>The signals the recurrent page predicts: the damped oscillator or a Hodgkin-Huxley voltage trace.</summary>
    public static readonly IReadOnlyList<string> Signals = ["oscillator", "hh"];

    /// <summary>Sampling interval of the Hodgkin-Huxley traces, ms.</summary>
    public const double HhDtMs = 0.5;

    /// <summary>Samples of each stored Hodgkin-Huxley trace (after 50 ms of settling).</summary>
    public const int HhSamples = 600;

    /// <summary>Training currents (µA/cm²): 6 to 20 in steps of 0.5; held-out traces use currents between these.</summary>
    public static readonly double[] HhTrainCurrents = Enumerable.Range(0, 29).Select(i => 6 + 0.5 * i).ToArray();

    private static readonly Dictionary<double, float[]> HhBank = [];

    /// <summary>
    /// The membrane potential of the squid axon model (Pitts.Neuro, RK4 with dt = 0.01 ms) under a constant current,
    /// sampled every 0.5 ms after 50 ms of settling, scaled to x = (V + 65 mV) / 100 mV; cached per current.
    /// </summary>
    public static float[] HodgkinHuxleyTrace(double current)
    {
        lock (HhBank)
        {
            if (HhBank.TryGetValue(current, out var cached)) return cached;
            var trace = new Pitts.Neuro.HodgkinHuxley.HodgkinHuxleyModel().Simulate(current, 50 + HhSamples * HhDtMs,
                new Pitts.Neuro.HodgkinHuxley.SimulationOptions { RecordInterval = HhDtMs });
            int skip = (int)Math.Round(50 / HhDtMs);
            var x = new float[HhSamples];
            for (int i = 0; i < HhSamples; i++) x[i] = (float)((trace.Voltage[skip + i] + 65) / 100);
            // Only the 0.25 µA/cm² grid (the slider's, the training currents') is kept: a bounded cache whatever a
            // caller asks for.
            if (Math.Round(current * 4) == current * 4 && current is >= 0 and <= 40) HhBank[current] = x;
            return x;
        }
    }

    /// <summary>A batch of next-step sequences of <paramref name="signal"/>: inputs (N, T, 1) and targets (N, T, 1).</summary>
    public static (Tensor Inputs, Tensor Targets) SignalBatch(string signal, int n, int steps, Generator g, bool heldOut = false)
    {
        if (signal != "hh") return OscillatorBatch(n, steps, g);
        var inputs = new float[n * steps];
        var targets = new float[n * steps];
        for (int b = 0; b < n; b++)
        {
            int c = (int)g.NextInt64(0, HhTrainCurrents.Length - (heldOut ? 1 : 0));
            double current = heldOut ? HhTrainCurrents[c] + 0.25 : HhTrainCurrents[c];
            var x = HodgkinHuxleyTrace(current);
            int start = (int)g.NextInt64(0, HhSamples - steps - 1);
            Array.Copy(x, start, inputs, b * steps, steps);
            Array.Copy(x, start + 1, targets, b * steps, steps);
        }
        return (Tensor.FromArray(inputs, n, steps, 1), Tensor.FromArray(targets, n, steps, 1));
    }

    /// <summary>The attention page's tasks.</summary>
    public static readonly IReadOnlyList<string> Tasks = ["reverse", "sort"];

    /// <summary>The target sequence of <paramref name="task"/> for <paramref name="digits"/>.</summary>
    public static int[] Target(string task, int[] digits) => task switch
    {
        "sort" => [.. digits.Order()],
        _ => [.. digits.Reverse()],
    };

    /// <summary>A batch of random digit sequences (N, L) and their task targets (N, L).</summary>
    public static (Tensor Tokens, Tensor Targets, int[][] Digits) SequenceBatch(string task, int n, int length, Generator g)
    {
        var tokens = new float[n * length];
        var targets = new float[n * length];
        var all = new int[n][];
        for (int b = 0; b < n; b++)
        {
            var d = new int[length];
            for (int i = 0; i < length; i++) d[i] = (int)g.NextInt64(0, 10);
            var t = Target(task, d);
            for (int i = 0; i < length; i++) { tokens[b * length + i] = d[i]; targets[b * length + i] = t[i]; }
            all[b] = d;
        }
        return (Tensor.FromArray(tokens, n, length), Tensor.FromArray(targets, n, length), all);
    }

    /// <summary>
    /// Parses a digit sequence typed by the reader: exactly <paramref name="length"/> digits 0-9 (spaces and commas
    /// ignored). Returns null and a message when the text is not such a sequence.
    /// </summary>
    public static int[]? ParseDigits(string? text, int length, out string? error)
    {
        var digits = new List<int>();
        foreach (char c in text ?? "")
        {
            if (c is ' ' or ',') continue;
            if (c is < '0' or > '9')
            {
                error = $"'{c}' is not a digit: type {length} digits from 0 to 9, e.g. 385120";
                return null;
            }
            digits.Add(c - '0');
        }
        if (digits.Count != length)
        {
            error = $"{digits.Count} digits given: the model reads exactly {length} digits";
            return null;
        }
        error = null;
        return [.. digits];
    }
}

/// <summary>Turns a drawing into an MNIST-style input, as MNIST itself was made.</summary>
public static class DigitPreprocessing
{
    /// <summary>
    /// From a square ink image (row-major, values in [0, 1], 0 = background): crops the ink's bounding box, scales it
    /// so its longer side is 20 pixels (keeping the aspect ratio, averaging over each target pixel's area), and pastes it
    /// into a 28×28 field so that its centre of mass is at the centre (MNIST's preprocessing, LeCun et al. 1998).
    /// Returns null when there is no ink.
    /// </summary>
    public static float[]? ToMnist(ReadOnlySpan<float> ink, int size)
    {
        if (ink.Length != size * size) throw new ArgumentException($"ink must hold {size}x{size} values, got {ink.Length}");
        int top = size, bottom = -1, left = size, right = -1;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                if (ink[y * size + x] > 0.05f) { top = Math.Min(top, y); bottom = Math.Max(bottom, y); left = Math.Min(left, x); right = Math.Max(right, x); }
        if (bottom < 0) return null;
        int bw = right - left + 1, bh = bottom - top + 1;
        double scale = 20.0 / Math.Max(bw, bh);
        int tw = Math.Max(1, (int)Math.Round(bw * scale)), th = Math.Max(1, (int)Math.Round(bh * scale));
        // Area resampling: each target pixel averages the source region it covers (4x4 sub-samples per pixel).
        var box = new float[th * tw];
        const int ss = 4;
        for (int ty = 0; ty < th; ty++)
            for (int tx = 0; tx < tw; tx++)
            {
                double sum = 0;
                for (int sy = 0; sy < ss; sy++)
                    for (int sx = 0; sx < ss; sx++)
                    {
                        int x = left + (int)((tx + (sx + 0.5) / ss) / tw * bw);
                        int y = top + (int)((ty + (sy + 0.5) / ss) / th * bh);
                        sum += ink[Math.Min(y, bottom) * size + Math.Min(x, right)];
                    }
                box[ty * tw + tx] = (float)(sum / (ss * ss));
            }
        double mass = 0, cx = 0, cy = 0;
        for (int y = 0; y < th; y++)
            for (int x = 0; x < tw; x++) { double m = box[y * tw + x]; mass += m; cx += m * x; cy += m * y; }
        if (mass <= 0) return null;
        cx /= mass; cy /= mass;
        // Shift so the centre of mass (at pixel centres) lands on 14, 14 (between pixels 13 and 14 as MNIST's centring).
        int ox = (int)Math.Round(14 - 0.5 - cx), oy = (int)Math.Round(14 - 0.5 - cy);
        var img = new float[784];
        for (int y = 0; y < th; y++)
            for (int x = 0; x < tw; x++)
            {
                int X = x + ox, Y = y + oy;
                if (X is >= 0 and < 28 && Y is >= 0 and < 28) img[Y * 28 + X] = Math.Clamp(box[y * tw + x], 0f, 1f);
            }
        return img;
    }
}
