using Pitts;
using Pitts.Kernels;
using Pitts.NN;

namespace Pitts.Tests.NN;

/// <summary>
/// The fused attention heads (Ops/Attention.cs) against the composed form, op by op (reshape, permute, batched
/// matmul, softmax), which the PyTorch golden cases hold: same outputs, same gradients of the inputs and of every
/// parameter, with and without masks, for self- and cross-attention; and the same bits on one thread or two.
/// </summary>
[Collection("GemmThreads")] // sets the process-wide GEMM thread count
public class FusedAttentionTests
{
    private sealed record Run(Tensor Output, Tensor[] Grads);

    /// <summary>
    /// Forward(q, k, v) with gradients on takes the composed path (its weights must carry gradients); Attend(q, k, v)
    /// takes the fused one. Both from the same seed, so with the same parameters.
    /// </summary>
    private static Run Train(bool fused, int n, int l, int s, int e, int heads, bool self, bool causal, bool pad, int seed)
    {
        var g = new Generator((ulong)seed);
        var mha = new MultiheadAttention(e, heads, batchFirst: true, generator: g);
        foreach (var p in mha.Parameters()) // non-zero biases, so that their gradients are exercised
            if (p.Rank == 1) p.AsSpan().Fill(0.1f);
        var q = Tensor.Randn([n, l, e], g).RequireGrad();
        var k = self ? q : Tensor.Randn([n, s, e], g).RequireGrad();
        var v = self ? q : Tensor.Randn([n, s, e], g).RequireGrad();
        Tensor? mask = causal ? MultiheadAttention.CausalMask(l) : null;
        Tensor? padding = null;
        if (pad)
        {
            padding = Tensor.Zeros(n, s);
            for (int b = 0; b < n; b++) padding.AsSpan()[b * s + s - 1 - b % 2] = 1f; // one padded key per sequence
        }
        var up = Tensor.Randn([n, l, e], g);
        var o = fused ? mha.Attend(q, k, v, padding, mask) : mha.Forward(q, k, v, padding, mask).Output;
        o.Mul(up).Sum().Backward();
        var leaves = new List<Tensor> { q };
        if (!self) { leaves.Add(k); leaves.Add(v); }
        leaves.AddRange(mha.Parameters());
        return new Run(o.Detach(), leaves.Select(t => t.Grad!).ToArray());
    }

    [Theory]
    [InlineData(2, 5, 5, 8, 2, true, false, false)]   // self-attention, one fused (N, L, 3E) projection
    [InlineData(3, 7, 7, 12, 3, true, true, true)]    // causal and key padding masks
    [InlineData(2, 4, 6, 8, 4, false, false, true)]   // cross-attention: L ≠ S, separate projections
    [InlineData(1, 17, 33, 16, 1, false, false, false)] // one head, odd lengths (edge tiles of the small GEMM)
    [InlineData(4, 64, 64, 128, 4, true, false, false)] // the benchmark's shape
    public void FusedHeadsMatchTheComposedForm(int n, int l, int s, int e, int heads, bool self, bool causal, bool pad)
    {
        var a = Train(fused: false, n, l, s, e, heads, self, causal, pad, seed: 11);
        var b = Train(fused: true, n, l, s, e, heads, self, causal, pad, seed: 11);
        Assert.True(a.Output.AllClose(b.Output, 1e-4f, 1e-5f), "outputs differ");
        Assert.Equal(a.Grads.Length, b.Grads.Length);
        for (int i = 0; i < a.Grads.Length; i++)
            Assert.True(a.Grads[i].AllClose(b.Grads[i], 1e-3f, 1e-4f), $"gradient {i} differs: max |Δ| = {a.Grads[i].Sub(b.Grads[i]).Abs().Max().Item()}");
    }

    [Fact]
    public void SequenceFirstLayoutGivesTheSameAttention()
    {
        // batchFirst: false takes (L, N, E); with the same parameters it must give the transposed batch-first result.
        var g = new Generator(12);
        var a = new MultiheadAttention(8, 2, batchFirst: true, generator: new Generator(1));
        var b = new MultiheadAttention(8, 2, batchFirst: false, generator: new Generator(1));
        var x = Tensor.Randn([3, 5, 8], g);
        var mask = MultiheadAttention.CausalMask(5);
        var ya = a.Attend(x, x, x, attnMask: mask);
        var xt = x.Transpose(0, 1);
        var yb = b.Attend(xt, xt, xt, attnMask: mask);
        Assert.Equal([5, 3, 8], yb.Shape);
        Assert.True(ya.AllClose(yb.Transpose(0, 1), 1e-5f, 1e-6f));
    }

    [Fact]
    public void FusedHeadsPassTheGradientCheck()
    {
        var g = new Generator(3);
        var qkv = Tensor.Randn([2, 3, 12], g).RequireGrad(); // q, k, v side by side, as the self-attention projection gives them
        var up = Tensor.Randn([2, 3, 4], g);
        var mask = MultiheadAttention.CausalMask(3);
        var r = GradCheck.Check(x => AttentionCore.Forward(x[0], 0, x[0], 4, x[0], 8, 2, 2, mask, null).Output.Mul(up).Sum(), [qkv]);
        Assert.True(r.Passed, r.ToString());
    }

    [Fact]
    public void FusedHeadsGradientsAreRightWhenBlocksOverlapOrLeaveColumnsOut()
    {
        // Keys and values from the same columns of one tensor (their gradients add up), and a packed input with two
        // columns that no head reads (their gradient is zero): the paths that start from zeros and accumulate.
        var g = new Generator(4);
        var q = Tensor.Randn([2, 3, 4], g).RequireGrad();
        var kv = Tensor.Randn([2, 5, 4], g).RequireGrad();
        var up = Tensor.Randn([2, 3, 4], g);
        var r = GradCheck.Check(x => AttentionCore.Forward(x[0], 0, x[1], 0, x[1], 0, 2, 2, null, null).Output.Mul(up).Sum(), [q, kv]);
        Assert.True(r.Passed, r.ToString());
        var wide = Tensor.Randn([2, 3, 14], g).RequireGrad();
        r = GradCheck.Check(x => AttentionCore.Forward(x[0], 0, x[0], 4, x[0], 8, 2, 2, null, null).Output.Mul(up).Sum(), [wide]);
        Assert.True(r.Passed, r.ToString());
        AttentionCore.Forward(wide, 0, wide, 4, wide, 8, 2, 2, null, null).Output.Mul(up).Sum().Backward();
        for (int i = 0; i < wide.Numel; i++)
            if (i % 14 >= 12) Assert.Equal(0f, wide.Grad!.ToArray()[i]);
    }

    [Fact]
    public void WeightsWithoutGradientsComeFromTheFusedHeadsAndMatch()
    {
        var g = new Generator(5);
        var mha = new MultiheadAttention(8, 2, batchFirst: true, generator: g);
        var x = Tensor.Randn([2, 6, 8], g);
        var mask = MultiheadAttention.CausalMask(6);
        var (o1, w1) = mha.Forward(x, x, x, attnMask: mask, averageAttnWeights: false); // gradients on: the composed form
        Tensor o2, w2;
        using (Autograd.NoGrad()) (o2, w2) = mha.Forward(x, x, x, attnMask: mask, averageAttnWeights: false);
        Assert.Equal([2, 2, 6, 6], w2.Shape);
        Assert.True(o1.AllClose(o2, 1e-5f, 1e-6f));
        Assert.True(w1.AllClose(w2, 1e-5f, 1e-6f));
    }

    [Fact]
    public void FusedHeadsGiveTheSameBitsOnOneThreadOrTwo()
    {
        int saved = Gemm.MaxThreads;
        try
        {
            Gemm.MaxThreads = 1;
            var one = Train(fused: true, 4, 16, 16, 32, 4, self: true, causal: true, pad: true, seed: 9);
            Gemm.MaxThreads = 2;
            var two = Train(fused: true, 4, 16, 16, 32, 4, self: true, causal: true, pad: true, seed: 9);
            Assert.Equal(one.Output.ToArray(), two.Output.ToArray());
            for (int i = 0; i < one.Grads.Length; i++) Assert.Equal(one.Grads[i].ToArray(), two.Grads[i].ToArray());
        }
        finally { Gemm.MaxThreads = saved; }
    }

    [Fact]
    public void TrainingWithAttentionDropoutTakesTheComposedFormAndDropsWeights()
    {
        var g = new Generator(8);
        var mha = new MultiheadAttention(8, 2, dropout: 0.5f, batchFirst: true, generator: g);
        var x = Tensor.Randn([2, 5, 8], g);
        Tensor w;
        using (Autograd.NoGrad()) w = mha.Forward(x, x, x, averageAttnWeights: false).Weights;
        // Dropout zeroes about half of the weights and scales the rest by 2: rows no longer sum to 1.
        int zeros = w.ToArray().Count(v => v == 0f);
        Assert.InRange(zeros, 20, 80);
        mha.Eval();
        using (Autograd.NoGrad()) w = mha.Forward(x, x, x, averageAttnWeights: false).Weights;
        Assert.True(w.Sum(-1).AllClose(Tensor.Ones(2, 2, 5), 1e-5f, 1e-6f));
    }
}
