namespace Pitts.Models;

/// <summary>Principal component analysis and subspace angles (the oracle the linear autoencoder is compared with).</summary>
public static class Pca
{
    /// <summary>
    /// The top <paramref name="k"/> principal directions (columns of a d×k orthonormal matrix, row-major) and the
    /// eigenvalues of the covariance of <paramref name="data"/> (N, d), by block power iteration with a Rayleigh-Ritz
    /// step; the data mean is returned too.
    /// </summary>
    public static (double[,] Components, double[] Eigenvalues, float[] Mean, double TotalVariance) Fit(Tensor data, int k, int iterations = 300)
    {
        int n = data.Shape[0], d = data.Shape[1];
        var mean = data.Mean(0);
        var centred = data - mean;
        var cov = centred.T.MatMul(centred) / n;                 // (d, d)
        int b = Math.Min(d, k + 6);
        var g = new Generator(7);
        var q = Tensor.Randn([d, b], g);
        for (int it = 0; it < iterations; it++)
            q = Orthonormalize(cov.MatMul(q));
        // Rayleigh-Ritz: eigen-decompose qᵀ C q (b×b) and rotate q.
        var small = q.T.MatMul(cov).MatMul(q).ToArray();
        var m = new double[b, b];
        for (int i = 0; i < b; i++) for (int j = 0; j < b; j++) m[i, j] = 0.5 * (small[i * b + j] + small[j * b + i]);
        var (values, vectors) = Jacobi(m);
        var order = Enumerable.Range(0, b).OrderByDescending(i => values[i]).Take(k).ToArray();
        var qa = q.ToArray();
        var comps = new double[d, k];
        for (int r = 0; r < d; r++)
            for (int c = 0; c < k; c++)
            {
                double s = 0;
                for (int j = 0; j < b; j++) s += qa[r * b + j] * vectors[j, order[c]];
                comps[r, c] = s;
            }
        double total = 0;
        var ca = cov.ToArray();
        for (int i = 0; i < d; i++) total += ca[i * d + i];
        return (comps, order.Select(i => values[i]).ToArray(), mean.ToArray(), total);
    }

    /// <summary>
    /// The mean squared error per coordinate of the best rank-k reconstruction of centred data in d dimensions
    /// (Eckart-Young): (total variance − Σ of the top k eigenvalues) / d, the least any rank-k linear map can reach.
    /// </summary>
    public static double RankKError(double totalVariance, IEnumerable<double> eigenvalues, int k, int d) =>
        (totalVariance - eigenvalues.Take(k).Sum()) / d;

    /// <summary>Gram-Schmidt (twice, for stability) on the columns of a (d, b) tensor.</summary>
    public static Tensor Orthonormalize(Tensor a)
    {
        int d = a.Shape[0], b = a.Shape[1];
        var x = a.ToArray().Select(v => (double)v).ToArray();
        for (int pass = 0; pass < 2; pass++)
            for (int c = 0; c < b; c++)
            {
                for (int p = 0; p < c; p++)
                {
                    double dot = 0;
                    for (int r = 0; r < d; r++) dot += x[r * b + c] * x[r * b + p];
                    for (int r = 0; r < d; r++) x[r * b + c] -= dot * x[r * b + p];
                }
                double norm = 0;
                for (int r = 0; r < d; r++) norm += x[r * b + c] * x[r * b + c];
                norm = Math.Sqrt(norm);
                for (int r = 0; r < d; r++) x[r * b + c] = norm > 1e-12 ? x[r * b + c] / norm : 0;
            }
        return Tensor.FromArray(x.Select(v => (float)v).ToArray(), d, b);
    }

    /// <summary>Eigenvalues and eigenvectors (columns) of a symmetric matrix by cyclic Jacobi rotations.</summary>
    public static (double[] Values, double[,] Vectors) Jacobi(double[,] matrix)
    {
        int n = matrix.GetLength(0);
        var a = (double[,])matrix.Clone();
        var v = new double[n, n];
        for (int i = 0; i < n; i++) v[i, i] = 1;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++) for (int q = p + 1; q < n; q++) off += a[p, q] * a[p, q];
            if (off < 1e-22) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    if (Math.Abs(a[p, q]) < 1e-300) continue;
                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - s * akq; a[k, q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk; a[q, k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k, p], vkq = v[k, q];
                        v[k, p] = c * vkp - s * vkq; v[k, q] = s * vkp + c * vkq;
                    }
                }
        }
        var values = new double[n];
        for (int i = 0; i < n; i++) values[i] = a[i, i];
        return (values, v);
    }

    /// <summary>
    /// Principal angles (degrees, ascending) between the column spaces of <paramref name="a"/> and <paramref name="b"/>
    /// (both d×k, any basis): the arccosines of the singular values of Qaᵀ·Qb for orthonormal bases Qa, Qb.
    /// </summary>
    public static double[] PrincipalAngles(double[,] a, double[,] b)
    {
        int d = a.GetLength(0), k = a.GetLength(1);
        Tensor T(double[,] m)
        {
            var f = new float[d * k];
            for (int r = 0; r < d; r++) for (int c = 0; c < k; c++) f[r * k + c] = (float)m[r, c];
            return Orthonormalize(Tensor.FromArray(f, d, k));
        }
        var qa = T(a).ToArray();
        var qb = T(b).ToArray();
        var m = new double[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                double s = 0;
                for (int r = 0; r < d; r++) s += qa[r * k + i] * qb[r * k + j];
                m[i, j] = s;
            }
        var mtm = new double[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                double s = 0;
                for (int r = 0; r < k; r++) s += m[r, i] * m[r, j];
                mtm[i, j] = s;
            }
        var (values, _) = Jacobi(mtm);
        return values.Select(v => Math.Acos(Math.Clamp(Math.Sqrt(Math.Max(v, 0)), 0, 1)) * 180 / Math.PI).Order().ToArray();
    }
}
