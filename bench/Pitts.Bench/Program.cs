using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pitts.Bench;

/// <summary>
/// The Pitts side of bench/compare.sh: runs named workloads and prints one JSON object with the best time of each.
/// Usage: Pitts.Bench [--smoke] [--repeats N] [workload ...]; with no workload, all of them.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        bool smoke = false;
        int repeats = 3;
        var names = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--smoke": smoke = true; break;
                case "--repeats" when i + 1 < args.Length && int.TryParse(args[i + 1], out int r) && r > 0: repeats = r; i++; break;
                case "--threads" when i + 1 < args.Length && int.TryParse(args[i + 1], out int t) && t > 0: Pitts.Kernels.Gemm.MaxThreads = t; i++; break;
                case "--profile-cnn": Profile.Cnn(); return 0;
                case "--profile-mlp": Profile.Mlp(5000); return 0;
                case "--steps-mlp-trainer" when i + 1 < args.Length && int.TryParse(args[i + 1], out int nt) && nt > 0: Profile.MlpSteps(nt, trainer: true); return 0;
                case "--steps-mlp" when i + 1 < args.Length && int.TryParse(args[i + 1], out int ns) && ns > 0: Profile.MlpSteps(ns); return 0;
                case "--small-threshold" when i + 1 < args.Length && long.TryParse(args[i + 1], out long st): Pitts.Kernels.Gemm.SmallThreshold = st; i++; break;
                case "--spin-us" when i + 1 < args.Length && int.TryParse(args[i + 1], out int sm) && sm >= 0: Pitts.Kernels.WorkerPool.SpinMicroseconds = sm; i++; break;
                case "--list": Console.WriteLine(string.Join('\n', Workloads.Names)); return 0;
                case "-h" or "--help":
                    Console.WriteLine("usage: Pitts.Bench [--smoke] [--repeats N] [--threads N] [--list] [workload ...]");
                    return 0;
                default:
                    if (args[i].StartsWith('-')) { Console.Error.WriteLine($"Pitts.Bench: unknown option '{args[i]}' (try --help)"); return 2; }
                    names.Add(args[i]);
                    break;
            }
        }
        if (names.Count == 0) names.AddRange(Workloads.Names);
        foreach (var n in names)
            if (!Workloads.Exists(n)) { Console.Error.WriteLine($"Pitts.Bench: unknown workload '{n}'; known: {string.Join(", ", Workloads.Names)}"); return 2; }

        var results = new JsonArray();
        foreach (var n in names)
        {
            Result res;
            try { res = Workloads.Run(n, smoke, repeats); }
            catch (Pitts.Data.DatasetException e)
            {
                Console.Error.WriteLine($"Pitts.Bench: {n}: {e.Message}");   // a missing data set is the user's to fix, not a stack trace
                return 2;
            }
            Console.Error.WriteLine($"{n}: {res.Seconds * 1e3:0.000} ms{(res.Gflops is { } g ? $", {g:0.0} GFLOP/s" : "")}");
            var o = new JsonObject { ["workload"] = n, ["seconds"] = res.Seconds, ["repeats"] = repeats, ["smoke"] = smoke };
            // CPU seconds scaled like the wall time (per product for the GEMM workloads).
            if (Timer.LastWall > 0) o["cpu_seconds"] = Timer.LastCpu * res.Seconds / Timer.LastWall;
            if (res.Gflops is { } gf) o["gflops"] = gf;
            foreach (var (k, v) in res.Extra) o[k] = v;
            results.Add(o);
        }
        var root = new JsonObject
        {
            ["framework"] = "pitts",
            ["runtime"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            ["processors"] = Environment.ProcessorCount,
            ["vector512"] = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated,
            ["results"] = results,
        };
        Console.WriteLine(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }
}

/// <summary>The outcome of one workload: best wall time of one run, and GFLOP/s for the GEMM workloads.</summary>
public sealed record Result(double Seconds, double? Gflops, Dictionary<string, JsonNode?> Extra);

/// <summary>Timing helper: best of several timed runs after a warm-up run.</summary>
public static class Timer
{
    /// <summary>Wall seconds of the last timed run set's best run, and the least process CPU seconds among those runs.</summary>
    public static double LastWall { get; private set; }

    /// <summary>The least process CPU seconds (all threads) of the last timed runs: robust to other processes' load.</summary>
    public static double LastCpu { get; private set; }

    /// <summary>Runs <paramref name="body"/> once to warm up, then <paramref name="repeats"/> times, returning the best seconds.</summary>
    public static double Best(Action body, int repeats)
    {
        body();
        double best = double.MaxValue, cpu = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            var (w, c) = Measure(body);
            best = Math.Min(best, w);
            cpu = Math.Min(cpu, c);
        }
        LastWall = best;
        LastCpu = cpu;
        return best;
    }

    private static (double Wall, double Cpu) Measure(Action body)
    {
        var proc = Process.GetCurrentProcess();
        var c0 = proc.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        body();
        double wall = sw.Elapsed.TotalSeconds;
        proc.Refresh();
        return (wall, (proc.TotalProcessorTime - c0).TotalSeconds);
    }

    /// <summary>Runs <paramref name="body"/> once and returns its seconds.</summary>
    public static double Once(Action body)
    {
        (LastWall, LastCpu) = Measure(body);
        return LastWall;
    }

    /// <summary>Invariant formatting for logs.</summary>
    public static string F(double x) => x.ToString("0.###", CultureInfo.InvariantCulture);
}
