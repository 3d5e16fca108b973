using Pitts.Kernels;

namespace Pitts.Tests.Kernels;

/// <summary>Every GEMM path, layout and edge size against a naive double-precision reference.</summary>
public class GemmTests
{
    private static readonly int[] EdgeSizes = [0, 1, 2, 3, 15, 16, 17, 31, 33, 63, 65, 127, 129];

    // Path names rather than the internal enum, which a public test method cannot take.
    public static TheoryData<string> Paths => new() { "Auto", "Vector512", "Vector256", "Vector128", "Vector128Wide", "Scalar" };

    private static float[] Random(int count, int seed)
    {
        var rng = new Random(seed);
        var x = new float[count];
        for (int i = 0; i < count; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    /// <summary>Runs one product on <paramref name="path"/> with padded leading dimensions and checks it.</summary>
    private static void Check(GemmPath path, bool ta, bool tb, int m, int n, int k, bool accumulate, int threads = 2, int pad = 3)
    {
        int rowsA = ta ? k : m, colsA = ta ? m : k, rowsB = tb ? n : k, colsB = tb ? k : n;
        int lda = colsA + pad, ldb = colsB + pad, ldc = n + pad;
        var a = Random(Math.Max(0, rowsA * lda), m * 7 + n * 13 + k);
        var b = Random(Math.Max(0, rowsB * ldb), m + n * 5 + k * 11 + 1);
        var c = Random(Math.Max(0, m * ldc), 99 + m + n + k);
        var expected = (float[])c.Clone();
        Gemm.Reference(ta, tb, m, n, k, a, lda, b, ldb, expected, ldc, accumulate);
        Gemm.Sgemm(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, accumulate, path, threads);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < ldc; j++)
            {
                float e = expected[i * ldc + j], got = c[i * ldc + j];
                // Each term is below 1 in magnitude; float32 rounding over k terms stays far below this bound.
                double tol = j < n ? 1e-5 * (k + 1) + 1e-6 : 0;
                if (!(Math.Abs(e - got) <= tol))
                    Assert.Fail($"{path} {(ta ? 'T' : 'N')}{(tb ? 'T' : 'N')} m={m} n={n} k={k} acc={accumulate}: C[{i},{j}] = {got}, expected {e}");
            }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void AllLayoutsAndEdgeSizesMatchTheReference(string pathName)
    {
        var path = Enum.Parse<GemmPath>(pathName);
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                foreach (int s in EdgeSizes)
                    Check(path, ta, tb, s, s, s, accumulate: s % 2 == 1);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void NonSquareShapesMatchTheReference(string pathName)
    {
        var path = Enum.Parse<GemmPath>(pathName);
        int[][] shapes =
        [
            [30, 20, 1], [30, 1, 20], [1, 30, 20], [30, 15, 20], [15, 20, 30], [30, 1, 15], [1, 15, 30],
            [40, 96, 300], [64, 10, 256], [10, 256, 64], [129, 17, 300], [17, 129, 300], [200, 65, 33],
            [3, 1000, 5], [1000, 3, 5], [13, 40, 520], [100, 100, 1], [45, 77, 257],
        ];
        foreach (var s in shapes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (bool acc in new[] { false, true })
                        Check(path, ta, tb, s[0], s[1], s[2], acc);
    }

    [Theory]
    [InlineData("Vector128")]
    [InlineData("Vector128Wide")]
    [InlineData("Auto")]
    public void EveryEdgeTileOfEachDimensionMatchesTheReference(string pathName)
    {
        // Each of M, N and K runs 1..70 with the other two at sizes that are not multiples of any tile (6x8 and 8x16 on the
        // 128-bit paths, 12x32 and 6x16 on the wider ones), in every layout: every partial row panel, column panel and
        // k remainder, on the small (no packing) and the packed path.
        var path = Enum.Parse<GemmPath>(pathName);
        for (int s = 1; s <= 70; s++)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                {
                    Check(path, ta, tb, s, 37, 29, accumulate: s % 3 == 0);
                    Check(path, ta, tb, 71, s, 41, accumulate: s % 3 == 1);
                    Check(path, ta, tb, 67, 45, s, accumulate: s % 3 == 2);
                }
        foreach (var (m, n, k) in new[] { (515, 257, 300), (300, 601, 261), (97, 1030, 77) })
            Check(path, false, true, m, n, k, accumulate: true, threads: 2);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void LargeProductsCrossEveryCacheBlock(string pathName)
    {
        var path = Enum.Parse<GemmPath>(pathName);
        // k > KC (256), m > MC (192), and n large enough for two threads: every blocking loop runs more than once.
        Check(path, false, false, 397, 301, 530, false);
        Check(path, true, true, 211, 405, 290, true);
    }

    [Theory]
    [InlineData(2048, 12, 2)]
    [InlineData(1024, 12, 2)]
    [InlineData(3000, 12, 2)]
    [InlineData(4096, 12, 2)]
    [InlineData(2048, 6, 2)]
    [InlineData(1000, 12, 4)]
    public void ParallelRowBlocksShareTheRowsEvenly(int m, int mr, int threads)
    {
        int rows = Gemm.Job.RowBlock(m, mr, threads);
        Assert.True(rows % mr == 0 && rows >= mr && rows <= 192, $"{rows} rows");
        // Equal blocks (the last one shorter) taken in turn: the busiest thread gets at most 2% more rows than an
        // even share. With the old fixed 192-row blocks 2,048 rows were 11 blocks, 6 of them (1,152 rows, +12.5%)
        // on one thread of two.
        var share = new long[threads];
        for (int r0 = 0, block = 0; r0 < m; r0 += rows, block++) share[block % threads] += Math.Min(rows, m - r0);
        Assert.True(share.Max() <= 1.02 * m / threads + mr, $"{rows}-row blocks give shares {string.Join(", ", share)}");
        Assert.True((m + rows - 1) / rows >= 2 * threads, "at least two blocks per thread");
    }

    [Fact]
    public void ResultsAreBitIdenticalAcrossThreadCountsAndPaths()
    {
        int m = 250, n = 310, k = 600;
        var a = Random(m * k, 1);
        var b = Random(k * n, 2);
        float[] Run(GemmPath p, int threads)
        {
            var c = new float[m * n];
            Gemm.Sgemm(false, false, m, n, k, a, k, b, n, c, n, false, p, threads);
            return c;
        }
        var one = Run(GemmPath.Auto, 1);
        Assert.Equal(one, Run(GemmPath.Auto, 2));
        Assert.Equal(one, Run(GemmPath.Auto, 3));
        // All paths use one fused multiply-add chain per element in k order, so they agree to the bit; the 128-bit
        // path too where the hardware fuses (with AVX2 switched off on x64 it multiplies and adds, rounding twice,
        // and then agrees with itself across thread counts).
        var fused = Run(GemmPath.Scalar, 1);
        Assert.Equal(fused, Run(GemmPath.Vector256, 2));
        var v128 = Run(GemmPath.Vector128, 1);
        Assert.Equal(v128, Run(GemmPath.Vector128, 2));
        Assert.Equal(v128, Run(GemmPath.Vector128, 3));
        // The browser's 8x16 tiles run the same chain per element as the 6x8 ones.
        Assert.Equal(v128, Run(GemmPath.Vector128Wide, 1));
        Assert.Equal(v128, Run(GemmPath.Vector128Wide, 2));
        if (Gemm.Vector128Fuses) Assert.Equal(fused, v128);
        Assert.Equal(Gemm.Resolve(GemmPath.Auto) == GemmPath.Vector128 ? v128 : fused, one);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void MatrixTimesVectorRunsTransposedWithTheSameBits(string pathName)
    {
        // C (m x 1) with a contiguous column runs as Cᵀ = op(B)ᵀ·op(A)ᵀ; with a padded column (ldc 2) it does not. Both
        // must match the reference, and each other to the bit (one multiply-add chain per element in k order).
        var path = Enum.Parse<GemmPath>(pathName);
        foreach (var (m, k) in new[] { (30, 15), (20, 30), (2, 3), (17, 1), (64, 64), (300, 5), (33, 200) })
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (bool acc in new[] { false, true })
                    {
                        Check(path, ta, tb, m, 1, k, acc, pad: 0);
                        var a = Random(m * k, m + k);
                        var b = Random(k, 3 * k + 1);
                        var c0 = Random(m * 2, m);
                        var c1 = new float[m];
                        for (int i = 0; i < m; i++) c1[i] = c0[2 * i];
                        Gemm.Sgemm(ta, tb, m, 1, k, a, ta ? m : k, b, tb ? k : 1, c1, 1, acc, path, 1);
                        Gemm.Sgemm(ta, tb, m, 1, k, a, ta ? m : k, b, tb ? k : 1, c0, 2, acc, path, 1);
                        for (int i = 0; i < m; i++)
                            Assert.True(BitConverter.SingleToInt32Bits(c0[2 * i]) == BitConverter.SingleToInt32Bits(c1[i]),
                                $"{path} {(ta ? 'T' : 'N')}{(tb ? 'T' : 'N')} m={m} k={k} acc={acc}: C[{i}] {c1[i]:R} against {c0[2 * i]:R}");
                    }
    }

    [Fact]
    public void TinyProductsOnTheBrowserPathMatchThe128BitKernelsToTheBit()
    {
        // The browser's path runs products of at most 4,096 multiply-adds as plain loops; they keep the 128-bit
        // kernels' chain per element, so every layout gives the Vector128 path's bits (fused or not).
        foreach (var (m, n, k) in new[] { (1, 50, 1), (1, 1, 50), (50, 1, 1), (3, 7, 5), (16, 16, 16), (30, 20, 6) })
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (bool acc in new[] { false, true })
                    {
                        var a = Random(m * k, m + 3 * k);
                        var b = Random(k * n, n + 5 * k);
                        var c1 = Random(m * n, 7);
                        var c2 = (float[])c1.Clone();
                        Gemm.Sgemm(ta, tb, m, n, k, a, ta ? m : k, b, tb ? k : n, c1, n, acc, GemmPath.Vector128, 1);
                        Gemm.Sgemm(ta, tb, m, n, k, a, ta ? m : k, b, tb ? k : n, c2, n, acc, GemmPath.Vector128Wide, 1);
                        Assert.Equal(c1, c2);
                    }
    }

    [Fact]
    public void ZeroInnerDimensionClearsOrKeepsC()
    {
        var c = new float[] { 1, 2, 3, 4 };
        Gemm.Sgemm(false, false, 2, 2, 0, [], 0, [], 2, c, 2, accumulate: true);
        Assert.Equal([1f, 2, 3, 4], c);
        Gemm.Sgemm(false, false, 2, 2, 0, [], 0, [], 2, c, 2, accumulate: false);
        Assert.Equal([0f, 0, 0, 0], c);
    }

    [Fact]
    public void TooShortSpanIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 2, new float[3], 2, new float[4], 2, new float[4], 2, false));
        Assert.Contains("A of 2x2", ex.Message);
    }

    [Fact]
    public void KnownSmallProduct()
    {
        // [[1, 2], [3, 4]] · [[5, 6], [7, 8]] = [[19, 22], [43, 50]] (worked by hand).
        var c = new float[4];
        Gemm.Sgemm(false, false, 2, 2, 2, [1, 2, 3, 4], 2, [5, 6, 7, 8], 2, c, 2, false);
        Assert.Equal([19f, 22, 43, 50], c);
    }
}
