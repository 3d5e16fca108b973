using System.Text.Json;
using Pitts;
using Pitts.Tests.Support;

namespace Pitts.Tests.Ops;

/// <summary>Forward and backward of every op family against PyTorch (Golden/make_core_golden.py).</summary>
public class CoreGoldenTests
{
    private static readonly Dictionary<string, Func<Tensor[], Tensor>> Ops = new()
    {
        ["add"] = x => x[0] + x[1],
        ["add_rank0"] = x => x[0] + x[1],
        ["sub"] = x => x[0] - x[1],
        ["mul"] = x => x[0] * x[1],
        ["div"] = x => x[0] / x[1],
        ["pow"] = x => x[0].Pow(x[1]),
        ["pow_scalar"] = x => x[0].Pow(3f),
        ["pow_half"] = x => x[0].Pow(0.5f),
        ["neg"] = x => -x[0],
        ["exp"] = x => x[0].Exp(),
        ["log"] = x => x[0].Log(),
        ["sqrt"] = x => x[0].Sqrt(),
        ["abs"] = x => x[0].Abs(),
        ["sin"] = x => x[0].Sin(),
        ["cos"] = x => x[0].Cos(),
        ["clamp"] = x => x[0].Clamp(-0.5f, 0.7f),
        ["maximum"] = x => x[0].Maximum(x[1]),
        ["minimum"] = x => x[0].Minimum(x[1]),
        ["where"] = x => Tensor.Where(x[0], x[1], x[2]),
        ["relu"] = x => x[0].Relu(),
        ["leaky_relu"] = x => x[0].LeakyRelu(0.1f),
        ["sigmoid"] = x => x[0].Sigmoid(),
        ["tanh"] = x => x[0].Tanh(),
        ["gelu"] = x => x[0].Gelu(),
        ["softplus"] = x => x[0].Softplus(),
        ["elu"] = x => x[0].Elu(0.7f),
        ["softmax_last"] = x => x[0].Softmax(-1),
        ["softmax_dim0"] = x => x[0].Softmax(0),
        ["log_softmax_last"] = x => x[0].LogSoftmax(-1),
        ["log_softmax_dim1"] = x => x[0].LogSoftmax(1),
        ["logsumexp"] = x => x[0].LogSumExp(1),
        ["sum_all"] = x => x[0].Sum(),
        ["sum_dim"] = x => x[0].Sum(1),
        ["sum_dims_keep"] = x => x[0].Sum([0, 2], keepDim: true),
        ["mean_all"] = x => x[0].Mean(),
        ["mean_dim"] = x => x[0].Mean(-1, keepDim: true),
        ["max_dim"] = x => x[0].Max(1),
        ["min_dim"] = x => x[0].Min(0),
        ["max_all"] = x => x[0].Max(),
        ["var_dim"] = x => x[0].Var(1),
        ["var_all"] = x => x[0].Var(),
        ["std_dim"] = x => x[0].Std(0, keepDim: true),
        ["matmul_2d"] = x => x[0].MatMul(x[1]),
        ["matmul_batched"] = x => x[0].MatMul(x[1]),
        ["matmul_broadcast"] = x => x[0].MatMul(x[1]),
        ["matmul_vec_mat"] = x => x[0].MatMul(x[1]),
        ["matmul_mat_vec"] = x => x[0].MatMul(x[1]),
        ["matmul_dot"] = x => x[0].MatMul(x[1]),
        ["outer"] = x => x[0].Outer(x[1]),
        ["linear"] = x => Tensor.Linear(x[0], x[1], x[2]),
        ["transpose"] = x => x[0].Transpose(0, 2),
        ["reshape"] = x => x[0].Reshape(4, -1),
        ["permute"] = x => x[0].Permute(2, 0, 1),
        ["expand"] = x => x[0].Expand(2, 3, 4),
        ["cat"] = x => Tensor.Cat([x[0], x[1]], 1),
        ["stack"] = x => Tensor.Stack([x[0], x[1]], 1),
        ["narrow"] = x => x[0].Narrow(1, 1, 2),
        ["index_select"] = x => x[0].IndexSelect(1, [2, 0, 2]),
        ["gather"] = x => x[0].Gather(1, Tensor.FromArray(new float[,] { { 0, 3 }, { 1, 1 }, { 2, 0 } })),
        ["pad"] = x => x[0].Pad([1, 2, 0, 1], 0.5f),
        ["squeeze_unsqueeze"] = x => x[0].Squeeze(1).Unsqueeze(0),
        ["flatten"] = x => x[0].Flatten(1),
        ["split_second"] = x => x[0].Split(2, 1)[1],
        ["chunk_last"] = x => x[0].Chunk(3, 0)[2],
        ["composite_mlp"] = x => x[0].MatMul(x[1]).Relu().Tanh().MatMul(x[2]) * x[0].Sum(),
    };

    public static IEnumerable<object[]> Cases() =>
        Golden.Load("core_ops.json").GetProperty("cases").EnumerateArray().Select(c => new object[] { c.GetProperty("name").GetString()! });

    [Fact]
    public void EveryGoldenCaseHasAnOp()
    {
        var names = Cases().Select(c => (string)c[0]).ToList();
        Assert.True(names.Count >= 60);
        Assert.DoesNotContain(names, n => !Ops.ContainsKey(n));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackwardMatchPyTorch(string name)
    {
        var c = Golden.Load("core_ops.json").GetProperty("cases").EnumerateArray().First(e => e.GetProperty("name").GetString() == name);
        var inputs = c.GetProperty("inputs").EnumerateArray().Select(e => Golden.ToTensor(e).RequireGrad()).ToArray();
        var output = Ops[name](inputs);
        Golden.AssertClose(Golden.ToTensor(c.GetProperty("output")), output, $"{name} output");
        output.Backward(Golden.ToTensor(c.GetProperty("upstream")));
        var grads = c.GetProperty("grads").EnumerateArray().Select(Golden.ToTensor).ToArray();
        for (int i = 0; i < inputs.Length; i++)
            Golden.AssertClose(grads[i], inputs[i].Grad ?? Tensor.ZerosLike(inputs[i]), $"{name} grad of input {i}");
    }
}
