using System.Text.Json.Nodes;
using Pitts.Kernels;

namespace Pitts.Bench;

/// <summary>The benchmark workloads, with the names bench/torch_bench.py uses for the same work.</summary>
public static partial class Workloads
{
    /// <summary>Every workload, in the order compare.sh runs them.</summary>
    public static readonly string[] Names =
        ["sgemm-256", "sgemm-512", "sgemm-1024", "sgemm-2048", "lecture-mlp", "universal-approx", "mlp-epoch", "cnn-epoch", "rnn-seq", "attention"];

    /// <summary>True for a known workload name (also sgemm-N for any N).</summary>
    public static bool Exists(string name) => Names.Contains(name) || TryGemmSize(name, out _) || TryRaw(name, out _) || TryMatMulSize(name, out _);

    private static bool TryMatMulSize(string name, out int n)
    {
        n = 0;
        return name.StartsWith("matmul-", StringComparison.Ordinal) && int.TryParse(name.AsSpan(7), out n) && n > 0;
    }

    /// <summary>Tuning workload gemm-M-N-K-LAYOUT (e.g. gemm-30-20-15-NT): the kernel alone, no tensor op around it.</summary>
    private static bool TryRaw(string name, out int[] mnk)
    {
        mnk = [];
        var parts = name.Split('-');
        if (parts.Length != 5 || parts[0] != "gemm" || parts[4].Length != 2) return false;
        mnk = new int[5];
        for (int i = 0; i < 3; i++)
            if (!int.TryParse(parts[i + 1], out mnk[i]) || mnk[i] < 0) return false;
        mnk[3] = parts[4][0] == 'T' ? 1 : 0;
        mnk[4] = parts[4][1] == 'T' ? 1 : 0;
        return true;
    }

    private static Result RawGemm(int[] s, int repeats)
    {
        int m = s[0], n = s[1], k = s[2];
        bool ta = s[3] == 1, tb = s[4] == 1;
        var g = new Generator(1);
        var a = Tensor.Randn([m * k], g).ToArray();
        var b = Tensor.Randn([k * n], g).ToArray();
        var c = new float[m * n];
        double flops = 2.0 * m * n * k;
        int inner = (int)Math.Clamp(2e8 / Math.Max(flops, 1), 1, 1_000_000);
        double t = Timer.Best(() =>
        {
            for (int i = 0; i < inner; i++)
                Gemm.Sgemm(ta, tb, m, n, k, a, ta ? m : k, b, tb ? k : n, c, n, false);
        }, repeats) / inner;
        return new Result(t, flops / t / 1e9, new() { ["m"] = m, ["n"] = n, ["k"] = k });
    }

    private static bool TryGemmSize(string name, out int n)
    {
        n = 0;
        return name.StartsWith("sgemm-", StringComparison.Ordinal) && int.TryParse(name.AsSpan(6), out n) && n > 0;
    }

    /// <summary>Runs one workload (tiny sizes in smoke mode) and returns its best time.</summary>
    public static Result Run(string name, bool smoke, int repeats)
    {
        if (TryGemmSize(name, out int n)) return Sgemm(smoke ? Math.Min(n, 48) : n, repeats);
        if (TryRaw(name, out var mnk)) return RawGemm(mnk, repeats);
        if (TryMatMulSize(name, out int mm)) return MatMul(smoke ? Math.Min(mm, 48) : mm, repeats);
        return name switch
        {
            "lecture-mlp" => LectureMlp(smoke, repeats),
            "universal-approx" => UniversalApprox(smoke, repeats),
            // Epoch-sized workloads run once after WarmupBatches (20) warm-up batches on a throwaway model, as on the PyTorch side.
            "mlp-epoch" => MlpEpoch(smoke),
            "cnn-epoch" => CnnEpoch(smoke),
            "rnn-seq" => RnnSeq(smoke, repeats),
            "attention" => Attention(smoke, repeats),
            _ => throw new ArgumentException($"unknown workload {name}"),
        };
    }

    /// <summary>
    /// C = A · B for square n x n matrices into a preallocated C, as BLAS sgemm (and torch.mm(a, b, out=c) on the
    /// PyTorch side): the kernel, not the allocator. matmul-N measures the public MatMul, which allocates its output.
    /// </summary>
    private static Result Sgemm(int n, int repeats)
    {
        var g = new Generator(42);
        var a = Tensor.Randn([n, n], g).ToArray();
        var b = Tensor.Randn([n, n], g).ToArray();
        var c = new float[n * n];
        double flops = 2.0 * n * n * n;
        int inner = (int)Math.Clamp(2e8 / flops, 1, 10000);
        double t = Timer.Best(() => { for (int i = 0; i < inner; i++) Gemm.Sgemm(false, false, n, n, n, a, n, b, n, c, n, false); }, repeats) / inner;
        return new Result(t, flops / t / 1e9, new() { ["n"] = n });
    }

    private static Result MatMul(int n, int repeats)
    {
        var g = new Generator(42);
        var a = Tensor.Randn([n, n], g);
        var b = Tensor.Randn([n, n], g);
        double flops = 2.0 * n * n * n;
        int inner = (int)Math.Clamp(2e8 / flops, 1, 10000);
        double t = Timer.Best(() => { for (int i = 0; i < inner; i++) a.MatMul(b); }, repeats) / inner;
        return new Result(t, flops / t / 1e9, new() { ["n"] = n });
    }
}
