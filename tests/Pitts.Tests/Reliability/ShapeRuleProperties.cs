using CsCheck;

namespace Pitts.Tests.Reliability;

/// <summary>
/// Property tests (CsCheck) of the shape rules against a reference model written plainly here: NumPy's broadcasting
/// rule and its index mapping, the gradient of a broadcast product, and Reshape's -1 inference. Thousands of random
/// shapes, compatible and not; CsCheck shrinks any failure to the smallest pair of shapes.
/// </summary>
public sealed class ShapeRuleProperties
{
    // Shapes of rank 0 to 4 with sizes 1 to 3: small enough to compare every element, with many 1s to broadcast.
    private static readonly Gen<int[]> ShapeGen = Gen.Int[1, 3].Array[0, 4];

    /// <summary>NumPy's rule: align from the right, pad with 1s; each pair equal or one of them 1; null when incompatible.</summary>
    private static int[]? ReferenceShape(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var pa = Enumerable.Repeat(1, rank - a.Length).Concat(a).ToArray();
        var pb = Enumerable.Repeat(1, rank - b.Length).Concat(b).ToArray();
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            if (pa[i] != pb[i] && pa[i] != 1 && pb[i] != 1) return null;
            r[i] = Math.Max(pa[i], pb[i]);
        }
        return r;
    }

    // The flat index into an input of shape s for a result index (a broadcast dimension always reads element 0).
    private static int SourceIndex(int[] resultIndex, int[] s)
    {
        int lead = resultIndex.Length - s.Length, flat = 0;
        for (int i = 0; i < s.Length; i++) flat = flat * s[i] + (s[i] == 1 ? 0 : resultIndex[lead + i]);
        return flat;
    }

    private static IEnumerable<int[]> Indices(int[] shape)
    {
        int n = shape.Aggregate(1, (x, y) => x * y);
        for (int f = 0; f < n; f++)
        {
            var idx = new int[shape.Length];
            int rest = f;
            for (int i = shape.Length - 1; i >= 0; i--) { idx[i] = rest % shape[i]; rest /= shape[i]; }
            yield return idx;
        }
    }

    private static float[] Values(int[] shape, int seed) =>
        Enumerable.Range(0, shape.Aggregate(1, (x, y) => x * y)).Select(i => (float)((i * 7 + seed * 3) % 11 - 5)).ToArray();

    [Fact]
    public void Broadcast_add_follows_numpys_rule_and_index_mapping()
    {
        Gen.Select(ShapeGen, ShapeGen).Sample((sa, sb) =>
        {
            var a = Tensor.FromArray(Values(sa, 1), sa);
            var b = Tensor.FromArray(Values(sb, 2), sb);
            var expected = ReferenceShape(sa, sb);
            if (expected is null)
            {
                Assert.Throws<ShapeException>(() => a + b);
                return;
            }
            var r = a + b;
            Assert.Equal(expected, r.Shape.ToArray());
            var va = a.ToArray();
            var vb = b.ToArray();
            var want = Indices(expected).Select(i => va[SourceIndex(i, sa)] + vb[SourceIndex(i, sb)]).ToArray();
            Assert.Equal(want, r.ToArray());
        }, iter: 3000);
    }

    [Fact]
    public void The_gradient_of_a_broadcast_product_sums_back_to_each_input()
    {
        Gen.Select(ShapeGen, ShapeGen).Where((sa, sb) => ReferenceShape(sa, sb) is not null).Sample((sa, sb) =>
        {
            var a = Tensor.FromArray(Values(sa, 1), sa).RequireGrad();
            var b = Tensor.FromArray(Values(sb, 2), sb).RequireGrad();
            (a * b).Sum().Backward();
            var shape = ReferenceShape(sa, sb)!;
            var va = a.ToArray();
            var vb = b.ToArray();
            // d(sum a*b)/da[j] = sum of b over the result elements that read a[j], and the same for b.
            var ga = new float[va.Length];
            var gb = new float[vb.Length];
            foreach (var i in Indices(shape))
            {
                int ia = SourceIndex(i, sa), ib = SourceIndex(i, sb);
                ga[ia] += vb[ib];
                gb[ib] += va[ia];
            }
            Assert.Equal(sa, a.Grad!.Shape.ToArray());
            Assert.Equal(sb, b.Grad!.Shape.ToArray());
            Assert.Equal(ga, a.Grad.ToArray());
            Assert.Equal(gb, b.Grad.ToArray());
        }, iter: 2000);
    }

    [Fact]
    public void Reshape_infers_one_minus_one_and_refuses_sizes_that_do_not_divide()
    {
        Gen.Select(ShapeGen, Gen.Int[1, 4].Array[1, 4], Gen.Int[-1, 3]).Sample((from, to, hole) =>
        {
            var t = Tensor.FromArray(Values(from, 0), from);
            int numel = from.Aggregate(1, (x, y) => x * y);
            var target = (int[])to.Clone();
            if (hole >= 0 && hole < target.Length) target[hole] = -1;
            // Reference: with one -1 the known sizes must divide the element count; without, they must multiply to it.
            int known = target.Where(d => d != -1).Aggregate(1, (x, y) => x * y);
            bool inferred = target.Contains(-1);
            bool ok = inferred ? numel % known == 0 : known == numel;
            if (!ok)
            {
                Assert.Throws<ShapeException>(() => t.Reshape(target));
                return;
            }
            var r = t.Reshape(target);
            var want = target.Select(d => d == -1 ? numel / known : d).ToArray();
            Assert.Equal(want, r.Shape.ToArray());
            Assert.Equal(t.ToArray(), r.ToArray());
        }, iter: 3000);
    }
}
