using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pitts.Kernels;

/// <summary>Blocked transposes for packing: 8x8 register transposes with AVX, a scalar loop elsewhere.</summary>
internal static unsafe class Transpose
{
    /// <summary>dst[c·ldd + r] = src[r·lds + c] for r &lt; rows and c &lt; cols.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Block(float* src, long lds, int rows, int cols, float* dst, long ldd)
    {
        int r0 = 0;
        if (Avx.IsSupported)
        {
            int cols8 = cols & ~7;
            for (; r0 < rows; r0 += 8)
            {
                int rn = Math.Min(8, rows - r0);
                for (int c0 = 0; c0 < cols8; c0 += 8)
                    Transpose8(src + r0 * lds + c0, lds, rn, dst + c0 * ldd + r0, ldd);
                for (int r = r0; r < r0 + rn; r++)
                    for (int c = cols8; c < cols; c++) dst[c * ldd + r] = src[r * lds + c];
            }
            return;
        }
        // Four rows at a time: four loads and four stores per column, few operations each (what the browser's
        // interpreter, which has no AVX, runs element by element).
        for (; r0 + 4 <= rows; r0 += 4)
        {
            float* s0 = src + r0 * lds, s1 = s0 + lds, s2 = s1 + lds, s3 = s2 + lds;
            float* d = dst + r0;
            for (int c = 0; c < cols; c++, d += ldd)
            {
                d[0] = s0[c]; d[1] = s1[c]; d[2] = s2[c]; d[3] = s3[c];
            }
        }
        for (int r = r0; r < rows; r++)
            for (int c = 0; c < cols; c++) dst[c * ldd + r] = src[r * lds + c];
    }

    /// <summary>Transposes up to 8 rows of 8 floats: dst[c·ldd + r] = src[r·lds + c], r &lt; rows (1..8), c &lt; 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8(float* src, long lds, int rows, float* dst, long ldd)
    {
        // Rows past the end repeat the last valid row (never read out of bounds); their lanes are not stored.
        long l = rows - 1;
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + Math.Min(1, l) * lds);
        var r2 = Avx.LoadVector256(src + Math.Min(2, l) * lds);
        var r3 = Avx.LoadVector256(src + Math.Min(3, l) * lds);
        var r4 = Avx.LoadVector256(src + Math.Min(4, l) * lds);
        var r5 = Avx.LoadVector256(src + Math.Min(5, l) * lds);
        var r6 = Avx.LoadVector256(src + Math.Min(6, l) * lds);
        var r7 = Avx.LoadVector256(src + Math.Min(7, l) * lds);
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Store(dst, rows, Avx.Permute2x128(u0, u4, 0x20));
        Store(dst + ldd, rows, Avx.Permute2x128(u1, u5, 0x20));
        Store(dst + 2 * ldd, rows, Avx.Permute2x128(u2, u6, 0x20));
        Store(dst + 3 * ldd, rows, Avx.Permute2x128(u3, u7, 0x20));
        Store(dst + 4 * ldd, rows, Avx.Permute2x128(u0, u4, 0x31));
        Store(dst + 5 * ldd, rows, Avx.Permute2x128(u1, u5, 0x31));
        Store(dst + 6 * ldd, rows, Avx.Permute2x128(u2, u6, 0x31));
        Store(dst + 7 * ldd, rows, Avx.Permute2x128(u3, u7, 0x31));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* dst, int lanes, Vector256<float> v)
    {
        if (lanes == 8) { v.Store(dst); return; }
        if (lanes >= 4) v.GetLower().Store(dst);
        for (int i = lanes & 4; i < lanes; i++) dst[i] = v.GetElement(i);
    }
}
