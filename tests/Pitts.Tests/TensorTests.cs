using Pitts;

namespace Pitts.Tests;

public class TensorTests
{
    [Fact]
    public void FactoriesProduceTheRightShapesAndValues()
    {
        Assert.Equal([2, 3], Tensor.Zeros(2, 3).Shape);
        Assert.All(Tensor.Ones(4).ToArray(), v => Assert.Equal(1f, v));
        Assert.All(Tensor.Full([2, 2], 7f).ToArray(), v => Assert.Equal(7f, v));
        Assert.Equal([0f, 1f, 2f, 3f], Tensor.Arange(4).ToArray());
        Assert.Equal([1f, 1.5f, 2f, 2.5f], Tensor.Arange(1f, 3f, 0.5f).ToArray());
        Assert.Equal([0f, 0.25f, 0.5f, 0.75f, 1f], Tensor.Linspace(0f, 1f, 5).ToArray());
        Assert.Equal(3f, Tensor.Linspace(-3f, 3f, 30).ToArray()[^1]);
        Assert.Equal([1f, 0f, 0f, 0f, 1f, 0f], Tensor.Eye(2, 3).ToArray());
        Assert.Equal([1f, 2f, 3f, 4f], Tensor.FromArray(new float[,] { { 1, 2 }, { 3, 4 } }).ToArray());
        Assert.Equal([2, 2], Tensor.FromArray(new[] { new[] { 1f, 2f }, new[] { 3f, 4f } }).Shape);
        Assert.Equal([3, 4], Tensor.ZerosLike(Tensor.Ones(3, 4)).Shape);
        Assert.Equal(0, Tensor.Zeros(0, 5).Numel);
        Assert.Equal(1, Tensor.Scalar(3f).Numel);
        Assert.Equal(0, Tensor.Scalar(3f).Rank);
    }

    [Fact]
    public void RandomFactoriesHaveTheRightDistribution()
    {
        var g = new Generator(7);
        var u = Tensor.Rand([100_000], g);
        Assert.InRange(u.Mean().Item(), 0.495f, 0.505f);
        Assert.InRange(u.Min().Item(), 0f, 0.001f);
        Assert.True(u.Max().Item() < 1f);
        var n = Tensor.Randn([100_000], g);
        Assert.InRange(n.Mean().Item(), -0.01f, 0.01f);
        Assert.InRange(n.Std().Item(), 0.99f, 1.01f);
        var k = Tensor.Randint(3, 7, [10_000], g).ToArray();
        Assert.Equal([3f, 4f, 5f, 6f], k.Distinct().Order().ToArray());
    }

    [Fact]
    public void SameSeedSameNumbersAndStateRoundTrips()
    {
        var a = Tensor.Randn([64], new Generator(42)).ToArray();
        var b = Tensor.Randn([64], new Generator(42)).ToArray();
        Assert.Equal(a, b);
        var g = new Generator(5);
        g.NextUInt64();
        var state = g.GetState();
        var x = g.NextUInt64();
        var h = new Generator(0);
        h.SetState(state);
        Assert.Equal(x, h.NextUInt64());
    }

    [Fact]
    public void GeneratorIsTheDocumentedAlgorithm()
    {
        // xoshiro256** reference: state (1, 2, 3, 4) gives 11520, 0, 1509978240, 1215971899390074240 (Vigna's C code).
        var g = new Generator(0);
        g.SetState([1UL, 2UL, 3UL, 4UL]);
        Assert.Equal([11520UL, 0UL, 1509978240UL, 1215971899390074240UL],
            new[] { g.NextUInt64(), g.NextUInt64(), g.NextUInt64(), g.NextUInt64() });
        // SplitMix64 seeding: seed 0 → first word 0xE220A8397B1DCDAF (Vigna's splitmix64.c).
        Assert.Equal(0xE220A8397B1DCDAFUL, new Generator(0).GetState()[0]);
    }

    [Fact]
    public void ReshapeAndFirstAxisSliceAreViews()
    {
        var t = Tensor.Arange(6);
        var v = t.Reshape(2, 3);
        v[1, 2] = 42f;
        Assert.Equal(42f, t[5]);
        var row = v.Narrow(0, 1, 1);
        row[0, 0] = -1f;
        Assert.Equal(-1f, t[3]);
        var col = v.Narrow(1, 0, 1); // not contiguous: a copy
        col[0, 0] = 99f;
        Assert.Equal(0f, t[0]);
    }

    [Fact]
    public void ToStringLooksLikePyTorch()
    {
        Assert.Equal("tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]], shape=(2x2))",
            Tensor.FromArray(new float[,] { { 1, 2 }, { 3, 4 } }).ToString());
        Assert.Equal("tensor(0.5000, shape=())", Tensor.Scalar(0.5f).ToString());
        var big = Tensor.Arange(2000).ToString();
        Assert.StartsWith("tensor([0.0000, 1.0000, 2.0000, ..., 1997.0000, 1998.0000, 1999.0000]", big);
        Assert.Contains("requires_grad=True", Tensor.Ones(1).RequireGrad().ToString());
        Assert.Contains("grad_fn=Mul", (Tensor.Ones(1).RequireGrad() * 2f).ToString());
    }

    [Fact]
    public void ErrorsNameTheOpAndTheShapes()
    {
        var e1 = Assert.Throws<ShapeException>(() => Tensor.Zeros(64, 784).MatMul(Tensor.Zeros(100, 10)));
        Assert.Equal("MatMul: (64x784) @ (100x10): inner dimensions 784 and 100 differ", e1.Message);
        var e2 = Assert.Throws<ShapeException>(() => Tensor.Zeros(2, 3) + Tensor.Zeros(4, 3));
        Assert.Equal("Add: shapes (2x3) and (4x3) cannot be broadcast: dimension 0 (from the left of the result) is 2 vs 4", e2.Message);
        var e3 = Assert.Throws<ShapeException>(() => Tensor.Zeros(2, 3).Reshape(4, 2));
        Assert.Equal("Reshape: cannot view (2x3) (6 elements) as (4x2) (8 elements)", e3.Message);
        var e4 = Assert.Throws<ShapeException>(() => Tensor.Zeros(2, 3).Sum(2));
        Assert.Equal("Sum: dimension 2 is out of range for a tensor of rank 2 (expected -2 to 1)", e4.Message);
        Assert.Throws<ShapeException>(() => Tensor.FromArray([1f, 2f, 3f], 2, 2));
        Assert.Throws<ShapeException>(() => Tensor.Ones(3)[3]);
        Assert.Throws<ShapeException>(() => Tensor.Ones(3).Item());
    }

    [Fact]
    public void EmptyAndRankZeroTensorsWork()
    {
        var e = Tensor.Zeros(0, 3);
        Assert.Equal([3], e.Sum(0).Shape);
        Assert.All(e.Sum(0).ToArray(), v => Assert.Equal(0f, v));
        Assert.Equal(0, (e + Tensor.Ones(3)).Numel);
        Assert.Equal([0, 2], e.MatMul(Tensor.Ones(3, 2)).Shape);
        var s = Tensor.Scalar(2f);
        Assert.Equal(4f, (s * s).Item());
        Assert.Equal(2f, s.Sum().Item());
        Assert.Equal([1], s.Flatten().Shape);
    }
}
