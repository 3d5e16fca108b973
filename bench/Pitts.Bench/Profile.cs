using System.Diagnostics;
using Pitts.NN;
using Pitts.Optim;
using Pitts.Training;

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

    /// <summary>The lecture-mlp workload's data, 1-20-15-1 ReLU network (seeded), MSE and Adam (lr 0.01).</summary>
    private static (Tensor X, Tensor Y, Sequential Net, MseLoss Loss, Adam Optimizer) LectureMlp()
    {
        var x = Tensor.Linspace(-3, 3, 30).Unsqueeze(1);
        var net = new Sequential(new Linear(1, 20, generator: new Generator(0)), new Relu(),
            new Linear(20, 15, generator: new Generator(1)), new Relu(), new Linear(15, 1, generator: new Generator(2)));
        return (x, x.Sin(), net, new MseLoss(), new Adam(net.Parameters(), lr: 0.01f));
    }

    /// <summary>
    /// Runs <paramref name="steps"/> lecture-mlp steps untimed (hidden option --steps-mlp N) and prints the final loss with
    /// its bits and the bytes allocated per step after the first 10: run under callgrind at two step counts, the
    /// difference of the instruction counts is the cost of the extra steps, whatever the machine's load. With
    /// <paramref name="trainer"/> (hidden option --steps-mlp-trainer N) the same steps run through <see cref="Trainer.Step"/>,
    /// which must end at the same loss bits and cost about the same.
    /// </summary>
    public static void MlpSteps(int steps, bool trainer = false)
    {
        var (x, y, net, crit, opt) = LectureMlp();
        var t = trainer ? new Trainer(net, crit, opt) : null;
        var batch = new Pitts.Data.Batch(x, y);
        Tensor l = null!;
        float last = 0;
        long a0 = 0;
        for (int i = 0; i < steps; i++)
        {
            if (i == Math.Min(10, steps)) a0 = GC.GetAllocatedBytesForCurrentThread();
            if (t is not null) { last = t.Step(batch); continue; }
            l = crit.Forward(net.Forward(x), y);
            l.Backward();
            opt.Step();
            opt.ZeroGrad();
        }
        long bytes = GC.GetAllocatedBytesForCurrentThread() - a0;
        // Both give the loss of the last step, computed before that step's update.
        float loss = t is not null ? last : l.Item();
        Console.WriteLine($"steps {steps}: final loss {loss:R} (bits 0x{BitConverter.SingleToInt32Bits(loss):x8}), " +
            $"{(steps > 10 ? bytes / (steps - 10) : 0)} B allocated per step");
    }

    /// <summary>
    /// The lecture's 1-20-15-1 MLP step split into forward, backward and optimizer: CPU microseconds and bytes allocated
    /// per step (hidden option --profile-mlp), to find what dominates a tiny model.
    /// </summary>
    public static void Mlp(int steps)
    {
        var (x, y, net, crit, opt) = LectureMlp();
        for (int round = 0; round < 3; round++)
        {
            long tf = 0, tb = 0, ts = 0, af = 0, ab = 0, ast = 0;
            int gc0 = GC.CollectionCount(0), gc2 = GC.CollectionCount(2);
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            for (int i = 0; i < steps; i++)
            {
                long a0 = GC.GetAllocatedBytesForCurrentThread(), t0 = Stopwatch.GetTimestamp();
                var l = crit.Forward(net.Forward(x), y);
                long a1 = GC.GetAllocatedBytesForCurrentThread(), t1 = Stopwatch.GetTimestamp();
                l.Backward();
                long a2 = GC.GetAllocatedBytesForCurrentThread(), t2 = Stopwatch.GetTimestamp();
                opt.Step();
                opt.ZeroGrad();
                long a3 = GC.GetAllocatedBytesForCurrentThread(), t3 = Stopwatch.GetTimestamp();
                tf += t1 - t0; tb += t2 - t1; ts += t3 - t2;
                af += a1 - a0; ab += a2 - a1; ast += a3 - a2;
            }
            double cpuUs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMicroseconds / steps;
            double us(long ticks) => ticks * 1e6 / Stopwatch.Frequency / steps;
            Console.WriteLine($"round {round}: per step forward {us(tf):0.0} us / {af / steps} B, backward {us(tb):0.0} us / {ab / steps} B, " +
                $"optimizer {us(ts):0.0} us / {ast / steps} B; total {us(tf + tb + ts):0.0} us, {(af + ab + ast) / steps} B; " +
                $"process CPU {cpuUs:0.0} us/step; GCs gen0 {GC.CollectionCount(0) - gc0}, gen2 {GC.CollectionCount(2) - gc2} over {steps} steps");
        }
    }
}
