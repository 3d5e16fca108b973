using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using System.Runtime.Intrinsics.Wasm;
using Microsoft.JSInterop;

namespace Pitts.Lab.Services;

/// <summary>
/// Ways of writing the GEMM micro-kernel (6x8 and 8x16 tiles, the forms docs/LAB.md compares), timed on the same
/// packed panels (256 steps of k, in L1), for bench/LabBrowser <c>--kernels</c>: which formulation the browser's
/// interpreter and jiterpreter run fast. Natively the same code runs under the JIT.
/// </summary>
public static unsafe class KernelBench
{
    private const int Kc = 256;

    /// <summary>The number of variants.</summary>
    [JSInvokable]
    public static int VariantCount() => 6;

    /// <summary>"name|GFLOP/s" of variant <paramref name="index"/>: the best of 9 runs of 400 calls, after a warm-up.</summary>
    [JSInvokable]
    public static string RunVariant(int index)
    {
        var k = VariantKernel(index);
        var a = new float[Kc * 8 + 16];
        var b = new float[Kc * 16 + 16];
        var c = new float[256];
        for (int i = 0; i < a.Length; i++) a[i] = (i % 7) * 0.125f - 0.375f;
        for (int i = 0; i < b.Length; i++) b[i] = (i % 5) * 0.25f - 0.5f;
        int reps = index == 0 ? 20 : 400; // the first is 80x slower in the browser
        double best = double.MaxValue;
        fixed (float* pa = a, pb = b, pc = c)
        {
            for (int r = 0; r < reps; r++) k(Kc, pa, pb, pc, 8); // warm-up: the jiterpreter compiles the loop, the JIT tiers up
            for (int t = 0; t < 9; t++)
            {
                long t0 = Stopwatch.GetTimestamp();
                for (int r = 0; r < reps; r++) k(Kc, pa, pb, pc, 8);
                best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalSeconds);
            }
        }
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{VariantName(index)}|{(double)VariantFlops(index) * Kc * reps / best / 1e9}");
    }

    private static string VariantName(int index) => index switch
    {
        0 => "6x8 Vector128.MultiplyAddEstimate, Load, Create(*p)",
        1 => "6x8 (the Vector128 tile): Broadcast128 (v128.load32_splat in the browser), MulAdd128 (a*b+c)",
        2 => "8x16 (the Vector128Wide tile), the same helpers",
        3 => PackedSimd.IsSupported ? "8x16 PackedSimd Multiply, Add, LoadVector128, LoadScalarAndSplatVector128" : "8x16 (PackedSimd: not here, the helpers)",
        4 => "4x4 scalar MathF.FusedMultiplyAdd",
        _ => "4x4 scalar a*b+c",
    };

    private static delegate*<int, float*, float*, float*, int, void> VariantKernel(int index) => index switch
    {
        0 => &MulAddEstimate,
        1 => &H6x8,
        2 => &H8x16,
        3 => PackedSimd.IsSupported ? &P8x16 : &H8x16,
        4 => &ScalarFma,
        _ => &ScalarOps,
    };

    private static int VariantFlops(int index) => index switch { 0 or 1 => 96, 2 or 3 => 256, _ => 32 };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Splat(float* p) =>
        PackedSimd.IsSupported ? PackedSimd.LoadScalarAndSplatVector128(p) : Avx.IsSupported ? Avx.BroadcastScalarToVector128(p) : Vector128.Create(*p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> MulAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) =>
        Fma.IsSupported || AdvSimd.IsSupported ? Vector128.MultiplyAddEstimate(a, b, c) : a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // natively: the optimised code at once, not tier 0
    private static void H6x8(int kc, float* a, float* b, float* c, int ldc)
    {
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p += 1)
        {
            var b0 = Vector128.Load(b + 0);
            var b1 = Vector128.Load(b + 4);
            var a0 = Splat(a + 0); c00 = MulAdd(a0, b0, c00); c01 = MulAdd(a0, b1, c01);
            var a1 = Splat(a + 1); c10 = MulAdd(a1, b0, c10); c11 = MulAdd(a1, b1, c11);
            var a2 = Splat(a + 2); c20 = MulAdd(a2, b0, c20); c21 = MulAdd(a2, b1, c21);
            var a3 = Splat(a + 3); c30 = MulAdd(a3, b0, c30); c31 = MulAdd(a3, b1, c31);
            var a4 = Splat(a + 4); c40 = MulAdd(a4, b0, c40); c41 = MulAdd(a4, b1, c41);
            var a5 = Splat(a + 5); c50 = MulAdd(a5, b0, c50); c51 = MulAdd(a5, b1, c51);
            a += 6; b += 8;
        }
        var o = (Vector128<float>*)c;
        o[0] = c00; o[1] = c01; o[2] = c10; o[3] = c11; o[4] = c20; o[5] = c21; o[6] = c30; o[7] = c31; o[8] = c40; o[9] = c41; o[10] = c50; o[11] = c51;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // natively: the optimised code at once, not tier 0
    private static void P8x16(int kc, float* a, float* b, float* c, int ldc)
    {
        Vector128<float> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default, c20 = default, c21 = default, c22 = default, c23 = default, c30 = default, c31 = default, c32 = default, c33 = default, c40 = default, c41 = default, c42 = default, c43 = default, c50 = default, c51 = default, c52 = default, c53 = default, c60 = default, c61 = default, c62 = default, c63 = default, c70 = default, c71 = default, c72 = default, c73 = default;
        for (int p = 0; p < kc; p += 1)
        {
            var b0 = PackedSimd.LoadVector128(b + 0);
            var b1 = PackedSimd.LoadVector128(b + 4);
            var b2 = PackedSimd.LoadVector128(b + 8);
            var b3 = PackedSimd.LoadVector128(b + 12);
            var a0 = PackedSimd.LoadScalarAndSplatVector128(a + 0); c00 = PackedSimd.Add(c00, PackedSimd.Multiply(a0, b0)); c01 = PackedSimd.Add(c01, PackedSimd.Multiply(a0, b1)); c02 = PackedSimd.Add(c02, PackedSimd.Multiply(a0, b2)); c03 = PackedSimd.Add(c03, PackedSimd.Multiply(a0, b3));
            var a1 = PackedSimd.LoadScalarAndSplatVector128(a + 1); c10 = PackedSimd.Add(c10, PackedSimd.Multiply(a1, b0)); c11 = PackedSimd.Add(c11, PackedSimd.Multiply(a1, b1)); c12 = PackedSimd.Add(c12, PackedSimd.Multiply(a1, b2)); c13 = PackedSimd.Add(c13, PackedSimd.Multiply(a1, b3));
            var a2 = PackedSimd.LoadScalarAndSplatVector128(a + 2); c20 = PackedSimd.Add(c20, PackedSimd.Multiply(a2, b0)); c21 = PackedSimd.Add(c21, PackedSimd.Multiply(a2, b1)); c22 = PackedSimd.Add(c22, PackedSimd.Multiply(a2, b2)); c23 = PackedSimd.Add(c23, PackedSimd.Multiply(a2, b3));
            var a3 = PackedSimd.LoadScalarAndSplatVector128(a + 3); c30 = PackedSimd.Add(c30, PackedSimd.Multiply(a3, b0)); c31 = PackedSimd.Add(c31, PackedSimd.Multiply(a3, b1)); c32 = PackedSimd.Add(c32, PackedSimd.Multiply(a3, b2)); c33 = PackedSimd.Add(c33, PackedSimd.Multiply(a3, b3));
            var a4 = PackedSimd.LoadScalarAndSplatVector128(a + 4); c40 = PackedSimd.Add(c40, PackedSimd.Multiply(a4, b0)); c41 = PackedSimd.Add(c41, PackedSimd.Multiply(a4, b1)); c42 = PackedSimd.Add(c42, PackedSimd.Multiply(a4, b2)); c43 = PackedSimd.Add(c43, PackedSimd.Multiply(a4, b3));
            var a5 = PackedSimd.LoadScalarAndSplatVector128(a + 5); c50 = PackedSimd.Add(c50, PackedSimd.Multiply(a5, b0)); c51 = PackedSimd.Add(c51, PackedSimd.Multiply(a5, b1)); c52 = PackedSimd.Add(c52, PackedSimd.Multiply(a5, b2)); c53 = PackedSimd.Add(c53, PackedSimd.Multiply(a5, b3));
            var a6 = PackedSimd.LoadScalarAndSplatVector128(a + 6); c60 = PackedSimd.Add(c60, PackedSimd.Multiply(a6, b0)); c61 = PackedSimd.Add(c61, PackedSimd.Multiply(a6, b1)); c62 = PackedSimd.Add(c62, PackedSimd.Multiply(a6, b2)); c63 = PackedSimd.Add(c63, PackedSimd.Multiply(a6, b3));
            var a7 = PackedSimd.LoadScalarAndSplatVector128(a + 7); c70 = PackedSimd.Add(c70, PackedSimd.Multiply(a7, b0)); c71 = PackedSimd.Add(c71, PackedSimd.Multiply(a7, b1)); c72 = PackedSimd.Add(c72, PackedSimd.Multiply(a7, b2)); c73 = PackedSimd.Add(c73, PackedSimd.Multiply(a7, b3));
            a += 8; b += 16;
        }
        var o = (Vector128<float>*)c;
        o[0] = c00; o[1] = c01; o[2] = c02; o[3] = c03; o[4] = c10; o[5] = c11; o[6] = c12; o[7] = c13; o[8] = c20; o[9] = c21; o[10] = c22; o[11] = c23; o[12] = c30; o[13] = c31; o[14] = c32; o[15] = c33; o[16] = c40; o[17] = c41; o[18] = c42; o[19] = c43; o[20] = c50; o[21] = c51; o[22] = c52; o[23] = c53; o[24] = c60; o[25] = c61; o[26] = c62; o[27] = c63; o[28] = c70; o[29] = c71; o[30] = c72; o[31] = c73;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // natively: the optimised code at once, not tier 0
    private static void H8x16(int kc, float* a, float* b, float* c, int ldc)
    {
        Vector128<float> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default, c20 = default, c21 = default, c22 = default, c23 = default, c30 = default, c31 = default, c32 = default, c33 = default, c40 = default, c41 = default, c42 = default, c43 = default, c50 = default, c51 = default, c52 = default, c53 = default, c60 = default, c61 = default, c62 = default, c63 = default, c70 = default, c71 = default, c72 = default, c73 = default;
        for (int p = 0; p < kc; p += 1)
        {
            var b0 = Vector128.Load(b + 0);
            var b1 = Vector128.Load(b + 4);
            var b2 = Vector128.Load(b + 8);
            var b3 = Vector128.Load(b + 12);
            var a0 = Splat(a + 0); c00 = MulAdd(a0, b0, c00); c01 = MulAdd(a0, b1, c01); c02 = MulAdd(a0, b2, c02); c03 = MulAdd(a0, b3, c03);
            var a1 = Splat(a + 1); c10 = MulAdd(a1, b0, c10); c11 = MulAdd(a1, b1, c11); c12 = MulAdd(a1, b2, c12); c13 = MulAdd(a1, b3, c13);
            var a2 = Splat(a + 2); c20 = MulAdd(a2, b0, c20); c21 = MulAdd(a2, b1, c21); c22 = MulAdd(a2, b2, c22); c23 = MulAdd(a2, b3, c23);
            var a3 = Splat(a + 3); c30 = MulAdd(a3, b0, c30); c31 = MulAdd(a3, b1, c31); c32 = MulAdd(a3, b2, c32); c33 = MulAdd(a3, b3, c33);
            var a4 = Splat(a + 4); c40 = MulAdd(a4, b0, c40); c41 = MulAdd(a4, b1, c41); c42 = MulAdd(a4, b2, c42); c43 = MulAdd(a4, b3, c43);
            var a5 = Splat(a + 5); c50 = MulAdd(a5, b0, c50); c51 = MulAdd(a5, b1, c51); c52 = MulAdd(a5, b2, c52); c53 = MulAdd(a5, b3, c53);
            var a6 = Splat(a + 6); c60 = MulAdd(a6, b0, c60); c61 = MulAdd(a6, b1, c61); c62 = MulAdd(a6, b2, c62); c63 = MulAdd(a6, b3, c63);
            var a7 = Splat(a + 7); c70 = MulAdd(a7, b0, c70); c71 = MulAdd(a7, b1, c71); c72 = MulAdd(a7, b2, c72); c73 = MulAdd(a7, b3, c73);
            a += 8; b += 16;
        }
        var o = (Vector128<float>*)c;
        o[0] = c00; o[1] = c01; o[2] = c02; o[3] = c03; o[4] = c10; o[5] = c11; o[6] = c12; o[7] = c13; o[8] = c20; o[9] = c21; o[10] = c22; o[11] = c23; o[12] = c30; o[13] = c31; o[14] = c32; o[15] = c33; o[16] = c40; o[17] = c41; o[18] = c42; o[19] = c43; o[20] = c50; o[21] = c51; o[22] = c52; o[23] = c53; o[24] = c60; o[25] = c61; o[26] = c62; o[27] = c63; o[28] = c70; o[29] = c71; o[30] = c72; o[31] = c73;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // natively: the optimised code at once, not tier 0
    private static void MulAddEstimate(int kc, float* a, float* b, float* c, int ldc)
    {
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.Load(b); var b1 = Vector128.Load(b + 4);
            var a0 = Vector128.Create(a[0]); c00 = Vector128.MultiplyAddEstimate(a0, b0, c00); c01 = Vector128.MultiplyAddEstimate(a0, b1, c01);
            var a1 = Vector128.Create(a[1]); c10 = Vector128.MultiplyAddEstimate(a1, b0, c10); c11 = Vector128.MultiplyAddEstimate(a1, b1, c11);
            var a2 = Vector128.Create(a[2]); c20 = Vector128.MultiplyAddEstimate(a2, b0, c20); c21 = Vector128.MultiplyAddEstimate(a2, b1, c21);
            var a3 = Vector128.Create(a[3]); c30 = Vector128.MultiplyAddEstimate(a3, b0, c30); c31 = Vector128.MultiplyAddEstimate(a3, b1, c31);
            var a4 = Vector128.Create(a[4]); c40 = Vector128.MultiplyAddEstimate(a4, b0, c40); c41 = Vector128.MultiplyAddEstimate(a4, b1, c41);
            var a5 = Vector128.Create(a[5]); c50 = Vector128.MultiplyAddEstimate(a5, b0, c50); c51 = Vector128.MultiplyAddEstimate(a5, b1, c51);
            a += 6; b += 8;
        }
        c00.Store(c); c01.Store(c + 4); c10.Store(c + 8); c11.Store(c + 12); c20.Store(c + 16); c21.Store(c + 20);
        c30.Store(c + 24); c31.Store(c + 28); c40.Store(c + 32); c41.Store(c + 36); c50.Store(c + 40); c51.Store(c + 44);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // natively: the optimised code at once, not tier 0
    private static void ScalarFma(int kc, float* a, float* b, float* c, int ldc)
    {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0, c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0; p < kc; p++)
        {
            float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            float a0 = a[0]; c00 = MathF.FusedMultiplyAdd(a0, b0, c00); c01 = MathF.FusedMultiplyAdd(a0, b1, c01); c02 = MathF.FusedMultiplyAdd(a0, b2, c02); c03 = MathF.FusedMultiplyAdd(a0, b3, c03);
            float a1 = a[1]; c10 = MathF.FusedMultiplyAdd(a1, b0, c10); c11 = MathF.FusedMultiplyAdd(a1, b1, c11); c12 = MathF.FusedMultiplyAdd(a1, b2, c12); c13 = MathF.FusedMultiplyAdd(a1, b3, c13);
            float a2 = a[2]; c20 = MathF.FusedMultiplyAdd(a2, b0, c20); c21 = MathF.FusedMultiplyAdd(a2, b1, c21); c22 = MathF.FusedMultiplyAdd(a2, b2, c22); c23 = MathF.FusedMultiplyAdd(a2, b3, c23);
            float a3 = a[3]; c30 = MathF.FusedMultiplyAdd(a3, b0, c30); c31 = MathF.FusedMultiplyAdd(a3, b1, c31); c32 = MathF.FusedMultiplyAdd(a3, b2, c32); c33 = MathF.FusedMultiplyAdd(a3, b3, c33);
            a += 4; b += 4;
        }
        c[0] = c00 + c01 + c02 + c03; c[1] = c10 + c11 + c12 + c13; c[2] = c20 + c21 + c22 + c23; c[3] = c30 + c31 + c32 + c33;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // natively: the optimised code at once, not tier 0
    private static void ScalarOps(int kc, float* a, float* b, float* c, int ldc)
    {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0, c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0; p < kc; p++)
        {
            float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            float a0 = a[0]; c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            float a1 = a[1]; c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            float a2 = a[2]; c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            float a3 = a[3]; c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            a += 4; b += 4;
        }
        c[0] = c00 + c01 + c02 + c03; c[1] = c10 + c11 + c12 + c13; c[2] = c20 + c21 + c22 + c23; c[3] = c30 + c31 + c32 + c33;
    }
}

/// <summary>
/// Where the universal-approximation widget's time goes (N = 50, 24,000 per-point SGD steps), stage by stage: each
/// line adds one stage to the step, so the differences are the stages' costs. For bench/LabBrowser <c>--kernels</c>.
/// </summary>
public static class StepBench
{
    /// <summary>One line per stage: microseconds per step, cumulative.</summary>
    [JSInvokable]
    public static string UniversalApproximationStages()
    {
        // The partial stages below take the recipe's step apart; the last one is the recipe's Step itself.
        var recipe = new UniversalApproximationRecipe(new UniversalApproximationSettings(50, "sin", 1));
        var net = recipe.Net;
        var criterion = new Pitts.NN.MseLoss();
        var x = recipe.X;
        var y = recipe.Y;
        const int steps = 3000;
        var lines = new List<string>();
        bool record = false;
        void Time(string name, Action<int> step)
        {
            for (int i = 0; i < 300; i++) step(i % 30); // warm-up
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < steps; i++) step(i % 30);
            if (record) lines.Add($"{name}: {Stopwatch.GetElapsedTime(t0).TotalMicroseconds / steps:0.0} us/step");
        }
        for (int round = 0; round < 2; round++, record = true) // the first round warms every path up
        {
            Time("IndexSelect x2", i => { _ = x.IndexSelect(0, [i]); _ = y.IndexSelect(0, [i]); });
            Time("+ Net.Forward", i => { var o = net.Forward(x.IndexSelect(0, [i])); _ = y.IndexSelect(0, [i]); });
            Time("+ loss", i => { _ = criterion.Forward(net.Forward(x.IndexSelect(0, [i])), y.IndexSelect(0, [i])); });
            Time("+ Backward", i => { criterion.Forward(net.Forward(x.IndexSelect(0, [i])), y.IndexSelect(0, [i])).Backward(); net.ZeroGrad(); });
            Time("+ Step (the recipe's whole step)", recipe.Step);
            using (Autograd.NoGrad())
            {
                var a = Tensor.Randn([1, 1]);
                var w = Tensor.Randn([1, 50]);
                var h = Tensor.Randn([1, 50]);
                var w2 = Tensor.Randn([50, 1]);
                Time("no grad: (1x1) @ (1x50)", _ => a.MatMul(w));
                Time("no grad: (1x50) @ (50x1)", _ => h.MatMul(w2));
                Time("no grad: sigmoid of 50", _ => h.Sigmoid());
                Time("no grad: 50 + 50", _ => h.Add(h));
                var span = h.ToArray();
                var dst = new float[50];
                Time("TensorPrimitives.Sigmoid of 50 floats (span)", _ => System.Numerics.Tensors.TensorPrimitives.Sigmoid(span, dst));
                Time("loop 1 / (1 + MathF.Exp(-x)) over 50 floats", _ => { for (int j = 0; j < 50; j++) dst[j] = 1f / (1f + MathF.Exp(-span[j])); });
            }
        }
        return string.Join("\n", lines);
    }
}
