using System.Diagnostics;
using System.Runtime.Intrinsics;
using Microsoft.JSInterop;
using Pitts.Lab.Widgets;
using Pitts.Neuro.HodgkinHuxley;

namespace Pitts.Lab.Services;

/// <summary>
/// The chapters' main actions, timed, for bench/LabBrowser: called in the browser through
/// <c>DotNet.invokeMethod('Pitts.Lab.Client', name)</c> and natively by the same program, so both run the same code.
/// </summary>
public static class LabBench
{
    /// <summary>What the runtime accelerates here (Vector128/256/512).</summary>
    [JSInvokable]
    public static string Simd() =>
        $"Vector128 {Vector128.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector512 {Vector512.IsHardwareAccelerated}, cores {Environment.ProcessorCount}";

    /// <summary>GFLOP/s of a 256×256×256 matrix product (the best of 10 after 2 warm-ups).</summary>
    [JSInvokable]
    public static double Gemm256Gflops()
    {
        var g = new Generator(1);
        var a = Tensor.Randn([256, 256], generator: g);
        var b = Tensor.Randn([256, 256], generator: g);
        double best = double.MaxValue;
        for (int i = 0; i < 12; i++)
        {
            long t = Stopwatch.GetTimestamp();
            _ = a.MatMul(b);
            if (i >= 2) best = Math.Min(best, Stopwatch.GetElapsedTime(t).TotalSeconds);
        }
        return 2.0 * 256 * 256 * 256 / best / 1e9;
    }

    /// <summary>
    /// The largest error of MatMul against a double-precision triple loop over shapes that reach every GEMM path here
    /// (tiny, no-packing, packed with edge tiles), relative to Σ|a·b|: a check that the browser's kernels compute
    /// the right thing, not only fast.
    /// </summary>
    [JSInvokable]
    public static double GemmMaxRelativeError()
    {
        var g = new Generator(3);
        double worst = 0;
        foreach (var (m, n, k) in new[] { (1, 50, 1), (50, 1, 1), (7, 9, 11), (30, 20, 40), (97, 129, 75), (256, 256, 256), (200, 70, 300) })
        {
            var a = Tensor.Randn([m, k], generator: g);
            var b = Tensor.Randn([k, n], generator: g);
            float[] c = a.MatMul(b).ToArray(), x = a.ToArray(), y = b.ToArray();
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0, abs = 0;
                    for (int p = 0; p < k; p++) { s += (double)x[i * k + p] * y[p * n + j]; abs += Math.Abs((double)x[i * k + p] * y[p * n + j]); }
                    worst = Math.Max(worst, Math.Abs(c[i * n + j] - s) / Math.Max(abs, 1e-30));
                }
        }
        return worst;
    }

    /// <summary>Milliseconds for the universal-approximation widget at N = 50 (800 epochs of per-point SGD on 30 points).</summary>
    [JSInvokable]
    public static double UniversalApproximation50Ms()
    {
        var r = new UniversalApproximation(50, TargetFunction.Get("sin"), 1);
        return r.TrainMs;
    }

    /// <summary>Milliseconds for 100 ms of Hodgkin-Huxley at dt 0.01 (RK4, a 10 µA/cm² step).</summary>
    [JSInvokable]
    public static double HodgkinHuxley100Ms()
    {
        var model = new HodgkinHuxleyModel();
        long t = Stopwatch.GetTimestamp();
        model.Simulate(Waveform.Step(10, 5, 95), 100, new SimulationOptions { Dt = 0.01 });
        return Stopwatch.GetElapsedTime(t).TotalMilliseconds;
    }
}
