using System.Diagnostics;

namespace Pitts.Bench;

/// <summary>Per-op timings of one CNN training step (hidden workload "profile-cnn", for finding what dominates).</summary>
public static class Profile
{
    /// <summary>Prints forward and backward milliseconds of each conv/pool op for a batch of 64 Fashion-MNIST-sized images.</summary>
    public static void Cnn()
    {
        var g = new Generator(0);
        var x = Tensor.Rand([64, 1, 28, 28], g);
        var w1 = Tensor.Randn([16, 1, 5, 5], g).Mul(0.2f).Detach().RequireGrad();
        var b1 = Tensor.Zeros(16).RequireGrad();
        var w2 = Tensor.Randn([32, 16, 5, 5], g).Mul(0.05f).Detach().RequireGrad();
        var b2 = Tensor.Zeros(32).RequireGrad();
        for (int it = 0; it < (Environment.GetEnvironmentVariable("PROFILE_ITERS") is { } pi ? int.Parse(pi) : 4); it++)
        {
            // CPU time of the process, not wall time: the machine is shared, and this counts only our own work.
            var proc = Process.GetCurrentProcess();
            double last = proc.TotalProcessorTime.TotalMilliseconds;
            double Lap() { proc.Refresh(); double now = proc.TotalProcessorTime.TotalMilliseconds, t = now - last; last = now; return t; }
            var c1 = Tensor.Conv2d(x, w1, b1, 1, 2); double tc1 = Lap();
            var r1 = c1.Relu(); double tr1 = Lap();
            var p1 = r1.MaxPool2d(2); double tp1 = Lap();
            var c2 = Tensor.Conv2d(p1, w2, b2, 1, 2); double tc2 = Lap();
            var r2 = c2.Relu(); double tr2 = Lap();
            var p2 = r2.MaxPool2d(2); double tp2 = Lap();
            var s = p2.Sum(); Lap();
            s.Backward(); double tb = Lap();
            Console.Error.WriteLine($"conv1 {tc1:0.00} relu {tr1:0.00} pool {tp1:0.00} conv2 {tc2:0.00} relu {tr2:0.00} pool {tp2:0.00} backward(all) {tb:0.00} ms");
            w1.Grad = null; w2.Grad = null; b1.Grad = null; b2.Grad = null;
        }
        // Backward of conv2 alone.
        for (int it = 0; it < 3; it++)
        {
            var p1 = Tensor.Rand([64, 16, 14, 14], g).RequireGrad();
            var c2 = Tensor.Conv2d(p1, w2, b2, 1, 2);
            var proc = Process.GetCurrentProcess();
            double t0 = proc.TotalProcessorTime.TotalMilliseconds;
            c2.Backward(Tensor.OnesLike(c2));
            proc.Refresh();
            Console.Error.WriteLine($"conv2 backward alone {proc.TotalProcessorTime.TotalMilliseconds - t0:0.00} ms CPU");
        }
    }
}
