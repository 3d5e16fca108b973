using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace LibTorchBench;

/// <summary>
/// The LibTorch side of bench/compare.sh (TorchSharp 0.107.0, LibTorch 2.10.0 with MKL and oneDNN): the workloads of
/// bench/torch_bench.py, same names, models, data, optimisers, step counts and JSON. Usage:
/// Pitts.Bench.LibTorch [--smoke] [--repeats N] [--threads N] [workload ...].
/// Written the way a TorchSharp user writes a training loop: a dispose scope per step frees its temporaries.
/// </summary>
public static class Program
{
    private static readonly string[] Names =
        ["sgemm-256", "sgemm-512", "sgemm-1024", "sgemm-2048", "lecture-mlp", "universal-approx", "mlp-epoch", "cnn-epoch", "rnn-seq", "attention"];

    private static readonly string FashionDir = Environment.GetEnvironmentVariable("PITTS_FASHION_MNIST") ?? "/usr/share/datasets/fashion-mnist";

    public static int Main(string[] args)
    {
        bool smoke = false;
        int repeats = 3, threads = 1;
        var names = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--smoke": smoke = true; break;
                case "--repeats" when i + 1 < args.Length && int.TryParse(args[i + 1], out int r) && r > 0: repeats = r; i++; break;
                case "--threads" when i + 1 < args.Length && int.TryParse(args[i + 1], out int t) && t > 0: threads = t; i++; break;
                default:
                    if (args[i].StartsWith('-')) { Console.Error.WriteLine($"Pitts.Bench.LibTorch: unknown option '{args[i]}'"); return 2; }
                    if (!Names.Contains(args[i]) && !IsGemm(args[i], "sgemm-", out _) && !IsGemm(args[i], "matmul-", out _))
                    {
                        Console.Error.WriteLine($"Pitts.Bench.LibTorch: unknown workload '{args[i]}'; known: {string.Join(", ", Names)}");
                        return 2;
                    }
                    names.Add(args[i]);
                    break;
            }
        }
        if (names.Count == 0) names.AddRange(Names);
        torch.set_num_threads(threads);

        var results = new JsonArray();
        foreach (var n in names)
        {
            // Epoch-sized workloads run once after 20 warm-up batches; the others report the best of the repeats.
            var res = Run(n, smoke, n.EndsWith("-epoch", StringComparison.Ordinal) ? 1 : repeats);
            res["workload"] = n;
            res["repeats"] = repeats;
            res["smoke"] = smoke;
            double seconds = (double)res["seconds"]!;
            if (LastWall > 0) res["cpu_seconds"] = LastCpu * seconds / LastWall;
            Console.Error.WriteLine($"{n}: {seconds * 1e3:0.000} ms{(res["gflops"] is { } g ? $", {(double)g:0.0} GFLOP/s" : "")}");
            results.Add(res);
        }
        var root = new JsonObject
        {
            ["framework"] = "libtorch",
            ["version"] = torch.__version__,
            ["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString(),
            ["threads"] = torch.get_num_threads(),
            ["runtime"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            ["results"] = results,
        };
        Console.WriteLine(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    private static bool IsGemm(string name, string prefix, out int n)
    {
        n = 0;
        return name.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(name.AsSpan(prefix.Length), out n) && n > 0;
    }

    private static JsonObject Run(string name, bool smoke, int repeats)
    {
        if (IsGemm(name, "sgemm-", out int n)) return Sgemm(smoke ? Math.Min(n, 48) : n, repeats, true);
        if (IsGemm(name, "matmul-", out n)) return Sgemm(smoke ? Math.Min(n, 48) : n, repeats, false);
        return name switch
        {
            "lecture-mlp" => LectureMlp(smoke, repeats),
            "universal-approx" => UniversalApprox(smoke, repeats),
            "mlp-epoch" => MlpEpoch(smoke, repeats),
            "cnn-epoch" => CnnEpoch(smoke, repeats),
            "rnn-seq" => RnnSeq(smoke, repeats),
            "attention" => Attention(smoke, repeats),
            _ => throw new ArgumentException($"unknown workload '{name}'"),
        };
    }

    private static double LastWall, LastCpu;

    /// <summary>Best wall seconds of the timed runs (after one warm-up run); LastCpu keeps the least process CPU seconds.</summary>
    private static double Best(Action body, int repeats, bool warmup = true)
    {
        if (warmup) body();
        double best = double.MaxValue, cpu = double.MaxValue;
        var proc = Process.GetCurrentProcess();
        for (int r = 0; r < repeats; r++)
        {
            proc.Refresh();
            var c0 = proc.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            body();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
            proc.Refresh();
            cpu = Math.Min(cpu, (proc.TotalProcessorTime - c0).TotalSeconds);
        }
        (LastWall, LastCpu) = (best, cpu);
        return best;
    }

    /// <summary>C = A·B into a preallocated C: addmm_ with beta 0, straight to MKL's sgemm (TorchSharp has no mm(out=)); matmul-N: a.mm(b), allocating.</summary>
    private static JsonObject Sgemm(int n, int repeats, bool into)
    {
        var g = new torch.Generator(42);
        var a = torch.randn([n, n], generator: g);
        var b = torch.randn([n, n], generator: g);
        var c = torch.empty(n, n);
        double flops = 2.0 * n * n * n;
        int inner = (int)Math.Min(10000, Math.Max(1, 2e8 / flops));
        double t = Best(() =>
        {
            for (int i = 0; i < inner; i++)
            {
                if (into) c.addmm_(a, b, beta: 0, alpha: 1);
                else a.mm(b).Dispose();
            }
        }, repeats) / inner;
        return new JsonObject { ["seconds"] = t, ["gflops"] = flops / t / 1e9, ["n"] = n };
    }

    /// <summary>The plain training loop: forward, loss, zero_grad, backward, step, each step in its own dispose scope; returns the last loss.</summary>
    private static float TrainSteps(Func<Tensor, Tensor> net, optim.Optimizer opt, Func<Tensor, Tensor, Tensor> crit, Tensor x, Tensor y, int steps)
    {
        float last = 0;
        for (int s = 0; s < steps; s++)
        {
            using var scope = torch.NewDisposeScope();
            var loss = crit(net(x), y);
            opt.zero_grad();
            loss.backward();
            opt.step();
            if (s == steps - 1) last = loss.item<float>();
        }
        return last;
    }

    private static JsonObject LectureMlp(bool smoke, int repeats)
    {
        int steps = smoke ? 50 : 5000;
        var x = torch.linspace(-3, 3, 30).unsqueeze(1);
        var y = torch.sin(x);
        float loss = 0;
        double t = Best(() =>
        {
            torch.manual_seed(0);
            var net = nn.Sequential(nn.Linear(1, 20), nn.ReLU(), nn.Linear(20, 15), nn.ReLU(), nn.Linear(15, 1));
            var crit = nn.MSELoss();
            var opt = optim.Adam(net.parameters(), lr: 0.01);
            // The lecture's order: backward, step, zero_grad (as torch_bench.py).
            for (int s = 0; s < steps; s++)
            {
                using var scope = torch.NewDisposeScope();
                var l = crit.forward(net.forward(x), y);
                l.backward();
                opt.step();
                opt.zero_grad();
                if (s == steps - 1) loss = l.item<float>();
            }
        }, repeats);
        return new JsonObject { ["seconds"] = t, ["steps"] = steps, ["us_per_step"] = t / steps * 1e6, ["final_loss"] = loss };
    }

    private static JsonObject UniversalApprox(bool smoke, int repeats)
    {
        int epochs = smoke ? 8 : 800;
        var x = torch.linspace(-3, 3, 30).unsqueeze(1);
        var y = torch.sin(x);
        var xs = Enumerable.Range(0, 30).Select(i => x.narrow(0, i, 1)).ToArray();
        var ys = Enumerable.Range(0, 30).Select(i => y.narrow(0, i, 1)).ToArray();
        float loss = 0;
        double t = Best(() =>
        {
            torch.manual_seed(0);
            var net = nn.Sequential(nn.Linear(1, 50), nn.Sigmoid(), nn.Linear(50, 1));
            var crit = nn.MSELoss();
            var opt = optim.SGD(net.parameters(), 0.005);
            for (int e = 0; e < epochs; e++)
                for (int i = 0; i < 30; i++)
                {
                    using var scope = torch.NewDisposeScope();
                    var l = crit.forward(net.forward(xs[i]), ys[i]);
                    opt.zero_grad();
                    l.backward();
                    opt.step();
                }
            using (torch.no_grad())
            using (torch.NewDisposeScope())
                loss = crit.forward(net.forward(x), y).item<float>();
        }, repeats);
        return new JsonObject { ["seconds"] = t, ["steps"] = epochs * 30, ["us_per_step"] = t / (epochs * 30) * 1e6, ["final_loss"] = loss };
    }

    /// <summary>Fashion-MNIST (N, 1, 28, 28) in [0, 1] and labels, read by Pitts' own IDX loader (the same bytes the other sides read); the smoke run takes the first 256 shipped MNIST digits.</summary>
    private static (Tensor X, Tensor Y) Fashion(bool smoke)
    {
        var train = smoke ? Pitts.Data.Datasets.Mnist().Train.Slice(0, 256) : Pitts.Data.Datasets.FashionMnist(FashionDir).Train;
        var images = train.Inputs;
        long count = images.Shape[0];
        var x = torch.tensor(images.ToArray(), [count, 1, 28, 28]);
        var y = torch.tensor(train.Targets.ToArray().Select(v => (long)v).ToArray(), [count]);
        return (x, y);
    }

    private const int WarmupBatches = 20;

    private static float Epoch(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, int batch, optim.Optimizer opt, int maxBatches = int.MaxValue)
    {
        var crit = nn.CrossEntropyLoss();
        float total = 0;
        int i = 0;
        for (long s = 0; s + batch <= x.shape[0] && i < maxBatches; s += batch, i++)
        {
            using var scope = torch.NewDisposeScope();
            var loss = crit.forward(model.forward(x.narrow(0, s, batch)), y.narrow(0, s, batch));
            opt.zero_grad();
            loss.backward();
            opt.step();
            total += loss.item<float>();
        }
        return total;
    }

    /// <summary>One epoch of SGD with momentum at batch 64, timed after WarmupBatches on a throwaway model.</summary>
    private static JsonObject TrainEpoch(Func<nn.Module<Tensor, Tensor>> make, Tensor x, Tensor y, int repeats)
    {
        var warm = make();
        Epoch(warm, x, y, 64, optim.SGD(warm.parameters(), 0.01, momentum: 0.9), WarmupBatches);
        float loss = 0;
        double t = Best(() =>
        {
            torch.manual_seed(0);
            var net = make();
            loss = Epoch(net, x, y, 64, optim.SGD(net.parameters(), 0.01, momentum: 0.9));
        }, repeats, warmup: false);
        return new JsonObject { ["seconds"] = t, ["samples"] = x.shape[0], ["loss_sum"] = loss };
    }

    private static JsonObject MlpEpoch(bool smoke, int repeats)
    {
        var (x, y) = Fashion(smoke);
        x = x.reshape(x.shape[0], 784);
        return TrainEpoch(() => nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)), x, y, repeats);
    }

    private static JsonObject CnnEpoch(bool smoke, int repeats)
    {
        var (x, y) = Fashion(smoke);
        return TrainEpoch(() => nn.Sequential(
            nn.Conv2d(1, 16, 5, padding: 2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 5, padding: 2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(1568, 10)), x, y, repeats);
    }

    /// <summary>Elman RNN (input 32, hidden 128, tanh, batch first) and a linear head on the last step.</summary>
    private sealed class RnnModel : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor?, (Tensor, Tensor)> rnn = nn.RNN(32, 128, batchFirst: true);
        private readonly nn.Module<Tensor, Tensor> head = nn.Linear(128, 10);

        public RnnModel() : base("RnnModel") => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            var (output, _) = rnn.forward(x, null);
            return head.forward(output.select(1, -1));
        }
    }

    private static JsonObject RnnSeq(bool smoke, int repeats)
    {
        int steps = smoke ? 5 : 200;
        var g = new torch.Generator(1);
        var x = torch.randn([32, 50, 32], generator: g);
        var y = torch.randint(0, 10, new long[] { 32 }, generator: g);
        float loss = 0;
        double t = Best(() =>
        {
            torch.manual_seed(0);
            var net = new RnnModel();
            var crit = nn.CrossEntropyLoss();
            loss = TrainSteps(net.forward, optim.SGD(net.parameters(), 0.01, momentum: 0.9), (p, q) => crit.forward(p, q), x, y, steps);
        }, repeats);
        return new JsonObject { ["seconds"] = t, ["steps"] = steps, ["final_loss"] = loss };
    }

    private static JsonObject Attention(bool smoke, int repeats)
    {
        int steps = smoke ? 3 : 100;
        var g = new torch.Generator(2);
        var x = torch.randn([32, 64, 128], generator: g);
        var target = torch.randn([32, 64, 128], generator: g);
        // TorchSharp's encoder layer is sequence-first (L, N, E): the same tensors, transposed once outside the loop.
        var xs = x.transpose(0, 1).contiguous();
        var ts = target.transpose(0, 1).contiguous();
        float loss = 0;
        double t = Best(() =>
        {
            torch.manual_seed(0);
            var layer = nn.TransformerEncoderLayer(128, 4, 512, 0.0);
            var crit = nn.MSELoss();
            loss = TrainSteps(s => layer.call(s), optim.Adam(layer.parameters(), lr: 1e-3), (p, q) => crit.forward(p, q), xs, ts, steps);
        }, repeats);
        return new JsonObject { ["seconds"] = t, ["steps"] = steps, ["final_loss"] = loss };
    }
}
