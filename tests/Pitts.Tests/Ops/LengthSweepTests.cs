using Pitts;

namespace Pitts.Tests.Ops;

/// <summary>
/// Vectorised paths have tails: every length from 0 to 300 must agree with a plain scalar loop in double precision
/// (the TensorPrimitives testing practice).
/// </summary>
public class LengthSweepTests
{
    private static float[] Values(int n, int seed)
    {
        var g = new Generator((ulong)seed);
        var v = new float[n];
        g.FillUniform(v, -3f, 3f);
        return v;
    }

    [Fact]
    public void ElementwiseOpsMatchScalarLoopsAtEveryLength()
    {
        for (int n = 0; n <= 300; n++)
        {
            var a = Values(n, n);
            var b = Values(n, n + 1000);
            var ta = Tensor.FromArray(a);
            var tb = Tensor.FromArray(b);
            var sum = (ta + tb).ToArray();
            var prod = (ta * tb).ToArray();
            var relu = ta.Relu().ToArray();
            var sig = ta.Sigmoid().ToArray();
            var tanh = ta.Tanh().ToArray();
            var exp = ta.Exp().ToArray();
            var bcast = (ta + 0.5f).ToArray();
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(a[i] + b[i], sum[i]);
                Assert.Equal(a[i] * b[i], prod[i]);
                Assert.Equal(Math.Max(a[i], 0f), relu[i]);
                Assert.Equal(1.0 / (1.0 + Math.Exp(-a[i])), sig[i], 2e-7);
                Assert.Equal(Math.Tanh(a[i]), tanh[i], 4e-7);
                Assert.Equal(Math.Exp(a[i]), exp[i], Math.Exp(a[i]) * 2e-6);
                Assert.Equal(a[i] + 0.5f, bcast[i]);
            }
        }
    }

    [Fact]
    public void ReluBackwardMatchesAScalarLoopAtEveryLength()
    {
        for (int n = 0; n <= 300; n++)
        {
            var a = Values(n, 3 * n + 1);
            var g = Values(n, 5 * n + 2);
            var x = Tensor.FromArray(a).RequireGrad();
            x.Relu().Backward(Tensor.FromArray(g));
            var dx = x.Grad!.ToArray();
            for (int i = 0; i < n; i++) Assert.Equal(a[i] > 0 ? g[i] : 0f, dx[i]);
        }
    }

    [Fact]
    public void ReductionsMatchScalarLoopsAtEveryLength()
    {
        for (int n = 1; n <= 300; n++)
        {
            var a = Values(n, 7 * n);
            var t = Tensor.FromArray(a);
            double sum = a.Sum(x => (double)x);
            Assert.Equal(sum, t.Sum().Item(), 1e-4 * Math.Max(1, Math.Abs(sum)) + 1e-4);
            Assert.Equal(a.Max(), t.Max().Item());
            Assert.Equal(a.Min(), t.Min().Item());
            Assert.Equal(Array.IndexOf(a, a.Max()), t.Argmax());
            double m = a.Max();
            double lse = m + Math.Log(a.Sum(x => Math.Exp(x - m)));
            Assert.Equal(lse, t.LogSumExp(0).Item(), 1e-5 * Math.Abs(lse) + 1e-6);
            var p = t.Softmax(0).ToArray();
            for (int i = 0; i < n; i++) Assert.Equal(Math.Exp(a[i] - lse), p[i], 2e-6);
            // Same reduction over dim 0 of an (n x 3) matrix (the strided path).
            var cols = Tensor.FromArray(Enumerable.Range(0, n * 3).Select(i => a[i / 3] * (1 + i % 3)).ToArray(), n, 3).Sum(0).ToArray();
            for (int c = 0; c < 3; c++) Assert.Equal(sum * (1 + c), cols[c], 1e-4 * Math.Max(1, Math.Abs(sum * (1 + c))) + 1e-4);
        }
    }

    [Fact]
    public void ColumnSumsAddTheRowsInOrderAtEveryWidth()
    {
        // Sum over dim 0 of a (rows x cols) matrix, as a Linear's bias gradient: each column is 0 + x₀ + x₁ + … in row
        // order whichever loop runs (vector columns with an overlapping last vector, scalar columns, whole rows past
        // 256 columns), so it equals the plain float loop to the bit; and the same through Linear's backward.
        foreach (int rows in new[] { 1, 3, 30 })
            for (int cols = 2; cols <= 300; cols++)
            {
                var a = Values(rows * cols, 11 * cols + rows);
                var got = Tensor.FromArray(a, rows, cols).Sum(0).ToArray();
                for (int c = 0; c < cols; c++)
                {
                    float s = 0f;
                    for (int r = 0; r < rows; r++) s += a[r * cols + c];
                    Assert.True(BitConverter.SingleToInt32Bits(s) == BitConverter.SingleToInt32Bits(got[c]), $"{rows}x{cols}, column {c}: {got[c]:R} against {s:R}");
                }
                if (cols > 40) continue;
                var bias = Tensor.Zeros(cols).RequireGrad();
                Tensor.Linear(Tensor.Ones(rows, 2), Tensor.Zeros(cols, 2), bias).Backward(Tensor.FromArray(a, rows, cols));
                Assert.Equal(got, bias.Grad!.ToArray());
            }
    }
}
