using System.Numerics.Tensors;

namespace Pitts.Kernels;

/// <summary>
/// Single-precision matrix multiply on row-major spans: C (m x n) = op(A) · op(B), or C += op(A) · op(B) when
/// <c>accumulate</c>. op(A) is m x k, stored as m x k with leading dimension lda, or as k x m when transA.
/// op(B) is k x n, stored as k x n with leading dimension ldb, or as n x k when transB.
/// The library calls GEMM only through this class, so its implementation can change without touching the ops.
/// </summary>
internal static class Gemm
{
    public static void Sgemm(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate)
    {
        if (m == 0 || n == 0) return;
        if (!accumulate)
            for (int i = 0; i < m; i++) c.Slice(i * ldc, n).Clear();
        if (k == 0) return;
        Reference(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
    }

    /// <summary>Simple, correct loops (row-wise axpy for B not transposed, dot products for Bᵀ).</summary>
    internal static void Reference(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var crow = c.Slice(i * ldc, n);
            if (!transB)
            {
                for (int p = 0; p < k; p++)
                {
                    float aip = transA ? a[p * lda + i] : a[i * lda + p];
                    if (aip == 0f) continue;
                    TensorPrimitives.MultiplyAdd(b.Slice(p * ldb, n), aip, crow, crow);
                }
            }
            else
            {
                for (int j = 0; j < n; j++)
                {
                    float s = 0;
                    if (!transA) s = TensorPrimitives.Dot(a.Slice(i * lda, k), b.Slice(j * ldb, k));
                    else for (int p = 0; p < k; p++) s += a[p * lda + i] * b[j * ldb + p];
                    crow[j] += s;
                }
            }
        }
    }
}
