using Pitts;
namespace Pitts.Tests.AutogradEngine;

/// <summary>Every differentiable op against central finite differences, on random shapes with broadcasting, rank 0 and size-1 dims.</summary>
public class GradCheckTests
{
    private readonly Generator G = new(2024); // per test (xunit makes an instance per test): order-independent draws

    private Tensor R(params int[] shape) => Tensor.Uniform(shape, -2f, 2f, G).RequireGrad();
    private Tensor P(params int[] shape) => Tensor.Uniform(shape, 0.5f, 2.5f, G).RequireGrad();
    /// <summary>Values away from 0 by at least 0.1, for ops with a kink at 0.</summary>
    private Tensor AwayFromZero(params int[] shape)
    {
        var t = Tensor.Uniform(shape, 0.1f, 2f, G);
        var sign = Tensor.Rand(shape, G).Gt(0.5f).Mul(2f).Sub(1f);
        return t.Mul(sign).Detach().RequireGrad();
    }

    private static void Check(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        var result = GradCheck.Check(f, inputs);
        Assert.True(result.Passed, result.ToString());
    }

    public static IEnumerable<object[]> BinaryShapes() =>
    [
        [new[] { 3, 4 }, new[] { 3, 4 }],
        [new[] { 3, 4 }, new[] { 4 }],
        [new[] { 2, 1, 4 }, new[] { 3, 1 }],
        [new int[0], new[] { 2, 3 }],
        [new[] { 1 }, new int[0]],
        [new[] { 2, 3, 1 }, new[] { 1, 1, 5 }],
    ];

    [Theory]
    [MemberData(nameof(BinaryShapes))]
    public void BinaryOps(int[] sa, int[] sb)
    {
        Check(x => x[0] + x[1], R(sa), R(sb));
        Check(x => x[0] - x[1], R(sa), R(sb));
        Check(x => x[0] * x[1], R(sa), R(sb));
        Check(x => x[0] / x[1], R(sa), P(sb));
        Check(x => x[0].Pow(x[1]), P(sa), R(sb));
        var a = R(sa); var b = R(sb);
        Check(x => x[0].Maximum(x[1]), a, b);
        Check(x => x[0].Minimum(x[1]), a, b);
        Check(x => Tensor.Where(x[0].Detach().Gt(0f), x[0], x[1]), AwayFromZero(sa), R(sb)); // condition must not flip within ε
    }

    public static IEnumerable<object[]> UnaryShapes() => [[new int[0]], [new[] { 1 }], [new[] { 7 }], [new[] { 2, 1, 3 }]];

    [Theory]
    [MemberData(nameof(UnaryShapes))]
    public void UnaryOpsAndActivations(int[] s)
    {
        Check(x => -x[0], R(s));
        Check(x => x[0].Exp(), R(s));
        Check(x => x[0].Log(), P(s));
        Check(x => x[0].Sqrt(), P(s));
        Check(x => x[0].Abs(), AwayFromZero(s));
        Check(x => x[0].Sin(), R(s));
        Check(x => x[0].Cos(), R(s));
        Check(x => x[0].Pow(3f), R(s));
        Check(x => x[0].Pow(-1.5f), P(s));
        Check(x => x[0].Square(), R(s));
        Check(x => x[0].Clamp(-0.5f, 0.5f), AwayFromZero(s).Detach().Mul(0.3f).Add(0.8f).RequireGrad());
        Check(x => x[0].Relu(), AwayFromZero(s));
        Check(x => x[0].LeakyRelu(0.2f), AwayFromZero(s));
        Check(x => x[0].Sigmoid(), R(s));
        Check(x => x[0].Tanh(), R(s));
        Check(x => x[0].Gelu(), R(s));
        Check(x => x[0].Erf(), R(s));
        Check(x => x[0].Softplus(), R(s));
        Check(x => x[0].Elu(1.3f), AwayFromZero(s));
    }

    [Fact]
    public void SoftmaxFamilyAlongEveryDim()
    {
        for (int d = 0; d < 3; d++)
        {
            int dim = d;
            Check(x => x[0].Softmax(dim), R(2, 3, 4));
            Check(x => x[0].LogSoftmax(dim), R(2, 3, 4));
            Check(x => x[0].LogSumExp(dim), R(2, 3, 4));
            Check(x => x[0].LogSumExp(dim, keepDim: true), R(2, 3, 4));
        }
        Check(x => x[0].Softmax(0), R(1));
        Check(x => x[0].LogSoftmax(-1), R(5));
    }

    [Fact]
    public void Reductions()
    {
        Check(x => x[0].Sum(), R(3, 4));
        Check(x => x[0].Sum(), R());
        Check(x => x[0].Sum(1), R(2, 3, 4));
        Check(x => x[0].Sum([0, 2], keepDim: true), R(2, 3, 4));
        Check(x => x[0].Mean(), R(3, 4));
        Check(x => x[0].Mean(-1, keepDim: true), R(3, 1, 4));
        Check(x => x[0].Var(1), R(3, 5));
        Check(x => x[0].Var(), R(4, 2));
        Check(x => x[0].Std(0), R(4, 3));
        // Max/Min: distinct values so the arg is unique and the function is smooth nearby.
        Check(x => x[0].Max(1), Tensor.Randn([3, 5], G).Add(Tensor.Arange(5).Mul(0.7f)).Detach().RequireGrad());
        Check(x => x[0].Min(0, keepDim: true), Tensor.Arange(12).Reshape(4, 3).Mul(0.37f).Sin().Detach().RequireGrad());
        Check(x => x[0].Max(), Tensor.Arange(6).Mul(1.3f).Cos().Detach().RequireGrad());
    }

    [Fact]
    public void LinearAlgebra()
    {
        Check(x => x[0].MatMul(x[1]), R(3, 4), R(4, 2));
        Check(x => x[0].MatMul(x[1]), R(2, 3, 4), R(4, 2));
        Check(x => x[0].MatMul(x[1]), R(2, 1, 3, 4), R(3, 4, 2));
        Check(x => x[0].MatMul(x[1]), R(4), R(4, 3));
        Check(x => x[0].MatMul(x[1]), R(3, 4), R(4));
        Check(x => x[0].MatMul(x[1]), R(5), R(5));
        Check(x => x[0].MatMul(x[1]), R(1, 1), R(1, 1));
        Check(x => x[0].Outer(x[1]), R(3), R(2));
        Check(x => Tensor.Linear(x[0], x[1], x[2]), R(2, 3, 4), R(5, 4), R(5));
        Check(x => Tensor.Linear(x[0], x[1]), R(4), R(2, 4));
        Check(x => x[0].T, R(3, 2));
    }

    [Fact]
    public void ShapeOps()
    {
        Check(x => x[0].Reshape(3, -1), R(2, 3, 2));
        Check(x => x[0].Flatten(), R(2, 3));
        Check(x => x[0].Permute(1, 2, 0), R(2, 3, 4));
        Check(x => x[0].Transpose(0, 1), R(2, 3));
        Check(x => x[0].Squeeze().Unsqueeze(1), R(3, 1));
        Check(x => x[0].Expand(4, 2, 3), R(2, 1));
        Check(x => Tensor.Cat([x[0], x[1], x[0]], 0), R(2, 3), R(1, 3));
        Check(x => Tensor.Stack([x[0], x[1]], 2), R(2, 3), R(2, 3));
        Check(x => x[0].Narrow(0, 1, 2), R(4, 3));
        Check(x => x[0].Slice(1, -3, -1), R(2, 5));
        Check(x => x[0].Select(1, 2), R(2, 4));
        Check(x => x[0].Split([1, 3], 1)[1] * x[0].Chunk(2, 1)[0].Sum(), R(2, 4));
        Check(x => x[0].IndexSelect(0, [1, 1, 0]), R(3, 2));
        Check(x => x[0].Gather(0, Tensor.FromArray(new float[,] { { 1, 0 }, { 1, 1 } })), R(2, 2));
        Check(x => x[0].Pad([2, 1], -1f), R(3, 2));
        Check(x => x[0].Pad([0, 1, 1, 1]), R(2, 2, 2));
        Check(x => x[0].Clone() * x[0], R(3));
        Check(x => Tensor.Stack([.. x[0].Unbind(1).Select((t, i) => t * (i + 1f))], 0), R(2, 3, 2));
        Check(x => x[0].Narrow(1, 1, 2) * x[0].Narrow(1, 0, 2), R(3, 4)); // two slices overlapping in the gradient
    }

    [Fact]
    public void SharedInputsAccumulate()
    {
        // f = x·x + sin(x)·x: the same tensor feeds several ops, so its gradient is a sum of paths.
        Check(x => x[0] * x[0] + x[0].Sin() * x[0], R(4));
    }
}
