using Pitts;

namespace Pitts.Tests.AutogradEngine;

/// <summary>Runs alone: these tests read the process-wide buffer pool, which other tests' backward passes fill.</summary>
[CollectionDefinition("BufferPool", DisableParallelization = true)]
public class BufferPoolCollection;

/// <summary>
/// The pool of gradient buffers (BufferPool) and how backward feeds it: a dead intermediate gradient is
/// recycled, a kept one (retained, adopted by a pass-through op, or set by the caller) never is, and gradients of
/// large graphs stay exact when their buffers are reused step after step.
/// </summary>
[Collection("BufferPool")]
public class BufferPoolTests
{
    private const int Big = BufferPool.MinLength + 123; // pooled (odd, so no other test shares the length)

    [Fact]
    public void ReturnedArraysAreRentedAgainByLengthAndSmallOnesAreNotKept()
    {
        BufferPool.Clear();
        var a = new float[Big];
        BufferPool.Return(a);
        Assert.Null(BufferPool.Rent(Big + 1));
        Assert.Same(a, BufferPool.Rent(Big));
        Assert.Null(BufferPool.Rent(Big));
        BufferPool.Return(new float[BufferPool.MinLength - 1]);
        Assert.Equal(0, BufferPool.HeldBytes);
    }

    [Fact]
    public void TheCapDropsTheLengthUnusedForLongest()
    {
        BufferPool.Clear();
        long saved = BufferPool.MaxBytes;
        try
        {
            BufferPool.MaxBytes = 4L * 3 * Big; // room for three arrays of length Big
            var old1 = new float[Big + 1];
            BufferPool.Return(old1);                 // the oldest length
            BufferPool.Return(new float[Big]);
            BufferPool.Return(new float[Big]);
            BufferPool.Return(new float[Big]);        // full: Big + 1 is evicted to make room
            Assert.Null(BufferPool.Rent(Big + 1));
            Assert.NotNull(BufferPool.Rent(Big));
            Assert.True(BufferPool.HeldBytes <= BufferPool.MaxBytes);
        }
        finally { BufferPool.MaxBytes = saved; BufferPool.Clear(); }
    }

    [Fact]
    public void BackwardRecyclesDeadIntermediateGradients()
    {
        BufferPool.Clear();
        var x = Tensor.Randn([Big], new Generator(1)).RequireGrad();
        var y = x.Mul(3f).Exp().Mul(x).Sum(); // intermediates of length Big with gradients of their own
        y.Backward();
        Assert.True(BufferPool.HeldBytes >= 4L * Big);
        Assert.NotNull(BufferPool.Rent(Big));
    }

    [Fact]
    public void SmallDeadGradientsAreKeptByTheThreadAndComeBackZeroed()
    {
        const int small = 701; // kept by the thread (at least MinSmallLength, below MinLength), odd so no other test shares it
        BufferPool.Clear();
        var x = Tensor.Randn([small], new Generator(3)).RequireGrad();
        x.Mul(3f).Exp().Mul(x).Sum().Backward();
        Assert.Equal(0, BufferPool.HeldBytes); // not in the shared pool
        var recycled = BufferPool.Rent(small);
        Assert.NotNull(recycled);
        // Under 1024 floats a new tensor's array is zeroed, recycled or not.
        recycled.AsSpan().Fill(float.NaN);
        BufferPool.Return(recycled);
        var again = ShapeUtil.Alloc(small);
        Assert.Same(recycled, again);
        Assert.All(again, v => Assert.Equal(0f, v));
        // At most SmallSlots arrays are kept; shorter than MinSmallLength, none.
        BufferPool.Clear();
        for (int i = 0; i <= BufferPool.SmallSlots; i++) BufferPool.Return(new float[small]);
        BufferPool.Return(new float[BufferPool.MinSmallLength - 1]);
        int kept = 0;
        while (BufferPool.Rent(small) is not null) kept++;
        Assert.Equal(BufferPool.SmallSlots, kept);
        Assert.Null(BufferPool.Rent(BufferPool.MinSmallLength - 1));
        BufferPool.Clear();
    }

    [Fact]
    public void RetainedAndCallerSetGradientsAreNeverRecycled()
    {
        BufferPool.Clear();
        var x = Tensor.Randn([Big], new Generator(2)).RequireGrad();
        var h = x.Mul(2f).RetainGrad();
        var z = h.Exp();
        z.Sum().Backward();
        var kept = h.Grad!.ToArray();
        // Take every pooled buffer of that length and scribble on it: h.Grad must not be among them.
        float[]? r;
        while ((r = BufferPool.Rent(Big)) is not null) r.AsSpan().Fill(float.NaN);
        Assert.Equal(kept, h.Grad.ToArray());
        Assert.Equal(z.ToArray(), h.Grad.ToArray()); // d(Σ exp(h))/dh = exp(h)
    }

    [Fact]
    public void PassThroughGradientsAreAdoptedOnceAndStayExact()
    {
        // x + x and a reshape: Add hands the incoming gradient to both inputs (adopted once, copied once),
        // Reshape passes it on unchanged. Two steps, so the second runs on recycled buffers.
        var g = new Generator(3);
        var x = Tensor.Randn([Big], g).RequireGrad();
        var w = Tensor.Randn([Big], g);
        for (int step = 0; step < 2; step++)
        {
            x.Grad = null;
            var s = x.Add(x).Reshape(1, Big).Mul(w.Reshape(1, Big)); // 2x ⊙ w
            var t = x.Sub(x.Mul(0.5f));                                // x/2
            s.Sum().Add(t.Sum()).Backward();
            var expected = w.Mul(2f).Add(0.5f).ToArray();                // d/dx = 2w + 1/2
            var got = x.Grad!.ToArray();
            for (int i = 0; i < Big; i++) Assert.True(Math.Abs(expected[i] - got[i]) <= 1e-5f * (1 + Math.Abs(expected[i])), $"step {step}, element {i}: {got[i]} vs {expected[i]}");
        }
    }

    [Fact]
    public void OneFreshGradientReturnedForTwoInputsIsAdoptedByOnlyOne()
    {
        // A closure may return the same tensor for two inputs; the engine must not make both gradients one buffer.
        var g = new Generator(5);
        var a = Tensor.Randn([Big], g).RequireGrad();
        var b = Tensor.Randn([Big], g).RequireGrad();
        var y = a.Detach().Add(b.Detach());
        var shared = Tensor.Randn([Big], g);
        var expected = shared.ToArray();
        Graph.Record(y, "Shared", a, b, _ => (shared, shared));
        y.Backward(Tensor.OnesLike(y));
        a.Grad!.AsSpan().Fill(7f); // writing one gradient must leave the other as it was
        Assert.Equal(expected, b.Grad!.ToArray());
        Assert.False(ReferenceEquals(a.Grad.Storage, b.Grad.Storage));
    }

    [Fact]
    public void ALargeNetworkTrainsTheSameWithOrWithoutRecycling()
    {
        float[] Train(bool pool)
        {
            long saved = BufferPool.MaxBytes;
            BufferPool.Clear();
            BufferPool.MaxBytes = pool ? saved : 0;
            try
            {
                var g = new Generator(4);
                var net = new Pitts.NN.Sequential(new Pitts.NN.Linear(64, 512, generator: g), new Pitts.NN.Relu(), new Pitts.NN.Linear(512, 64, generator: g));
                var opt = new Pitts.Optim.Adam(net.Parameters(), lr: 1e-3f);
                var x = Tensor.Randn([128, 64], g);
                for (int i = 0; i < 5; i++)
                {
                    var h = net.Forward(x);
                    var loss = h.Add(x).Square().Mean(); // a residual, so Add's pass-through is in the graph
                    opt.ZeroGrad();
                    loss.Backward();
                    opt.Step();
                }
                return net.Parameters().SelectMany(p => p.ToArray()).ToArray();
            }
            finally { BufferPool.MaxBytes = saved; BufferPool.Clear(); }
        }
        Assert.Equal(Train(pool: false), Train(pool: true));
    }
}
