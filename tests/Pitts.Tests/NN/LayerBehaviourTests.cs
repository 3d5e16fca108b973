using Pitts;
using Pitts.NN;

namespace Pitts.Tests.NN;

public class LayerBehaviourTests
{
    [Fact]
    public void RnnMatchesTheLecturesRecurrenceWrittenOutByHand()
    {
        // h_(t+1) = tanh(W_h h_t + W_x x_t + b), computed step by step with core ops only.
        var g = new Generator(1);
        var rnn = new Rnn(2, 3, batchFirst: true, generator: g);
        var x = Tensor.Randn([1, 4, 2], g).RequireGrad();
        var h0 = Tensor.Randn([1, 1, 3], g);
        var (output, hn) = rnn.Forward(x, h0);
        var sd = rnn.StateDict();
        var h = h0.Reshape(1, 3);
        var x2 = Tensor.FromArray(x.ToArray(), 1, 4, 2).RequireGrad();
        var outs = new List<Tensor>();
        for (int t = 0; t < 4; t++)
        {
            var xt = x2.Select(1, t); // (1, 2)
            h = (h.MatMul(sd["weight_hh_l0"].T) + xt.MatMul(sd["weight_ih_l0"].T) + sd["bias_ih_l0"] + sd["bias_hh_l0"]).Tanh();
            outs.Add(h);
        }
        var manual = Tensor.Stack(outs, 1);
        Assert.True(manual.AllClose(output, 1e-5f, 1e-6f));
        Assert.True(h.AllClose(hn.Reshape(1, 3), 1e-5f, 1e-6f));
        var up = Tensor.Randn([1, 4, 3], g);
        output.Mul(up).Sum().Backward();
        manual.Mul(up).Sum().Backward();
        Assert.True(x2.Grad!.AllClose(x.Grad!, 1e-5f, 1e-6f));
    }

    [Fact]
    public void LongSequencesTrainWithoutStackOverflow()
    {
        var g = new Generator(2);
        var lstm = new Lstm(1, 4, batchFirst: true, generator: g);
        var x = Tensor.Randn([2, 3000, 1], g).RequireGrad();
        var (o, _) = lstm.Forward(x, null);
        o.Select(1, -1).Sum().Backward();
        Assert.All(lstm.Parameters(), p => Assert.True(p.Grad!.ToArray().All(float.IsFinite)));
        Assert.Equal([2, 3000, 1], x.Grad!.Shape);
    }

    [Fact]
    public void TimeFirstLayoutGivesTheSameResultTransposed()
    {
        var a = new Gru(3, 5, batchFirst: true, generator: new Generator(3));
        var b = new Gru(3, 5, batchFirst: false, generator: new Generator(4));
        b.LoadStateDict(a.StateDict());
        var x = Tensor.Randn([2, 6, 3], new Generator(5));
        var (oa, ha) = a.Forward(x, null);
        var (ob, hb) = b.Forward(x.Transpose(0, 1), null);
        Assert.True(oa.AllClose(ob.Transpose(0, 1)));
        Assert.True(ha.AllClose(hb));
    }

    [Fact]
    public void RecurrentAndAttentionLayersAreSequenceFirstByDefaultAsInPyTorch()
    {
        // A literal port of nn.LSTM(3, 8) etc.: the default reads (T, N, F), here T = 6 steps of N = 2 sequences, and
        // gives what the batch-first layer with the same weights gives on the (N, T, F) transpose.
        var x = Tensor.Randn([6, 2, 4], new Generator(5)); // (T, N, F)
        var xb = x.Transpose(0, 1); // (N, T, F)
        Module[] defaults = [new Rnn(4, 3), new Lstm(4, 3), new Gru(4, 3), new MultiheadAttention(4, 2), new TransformerEncoderLayer(4, 2, 8, dropout: 0f)];
        Module[] batchFirst = [new Rnn(4, 3, batchFirst: true), new Lstm(4, 3, batchFirst: true), new Gru(4, 3, batchFirst: true),
            new MultiheadAttention(4, 2, batchFirst: true), new TransformerEncoderLayer(4, 2, 8, dropout: 0f, batchFirst: true)];
        for (int i = 0; i < defaults.Length; i++)
        {
            var (d, b) = (defaults[i], batchFirst[i]);
            Assert.False(d switch { RecurrentLayer r => r.BatchFirst, MultiheadAttention m => m.BatchFirst, _ => ((TransformerEncoderLayer)d).SelfAttn.BatchFirst });
            b.LoadStateDict(d.StateDict());
            d.Eval();
            b.Eval();
            var yd = d.Forward(x);
            var yb = b.Forward(xb);
            Assert.Equal(6, yd.Size(0));
            Assert.True(yd.AllClose(yb.Transpose(0, 1), 1e-5f, 1e-6f), d.GetType().Name);
        }
    }

    [Fact]
    public void RecurrentStateShapesAreChecked()
    {
        var lstm = new Lstm(2, 3, numLayers: 2, batchFirst: true);
        var e = Assert.Throws<ShapeException>(() => lstm.Forward(Tensor.Zeros(4, 5, 2), (Tensor.Zeros(1, 4, 3), Tensor.Zeros(2, 4, 3))));
        Assert.Contains("(2 x 4 x 3)", e.Message);
        Assert.Throws<ShapeException>(() => lstm.Forward(Tensor.Zeros(4, 5, 7)));
    }

    [Fact]
    public void CausalAttentionNeverLooksAhead()
    {
        var g = new Generator(6);
        var mha = new MultiheadAttention(8, 2, batchFirst: true, generator: g);
        var x = Tensor.Randn([1, 5, 8], g);
        var mask = MultiheadAttention.CausalMask(5);
        var (o1, w) = mha.Forward(x, x, x, attnMask: mask);
        var x2 = Tensor.FromArray(x.ToArray(), 1, 5, 8);
        x2.AsSpan()[4 * 8] += 10f; // change the last token only
        var (o2, _) = mha.Forward(x2, x2, x2, attnMask: mask);
        Assert.True(o1.Narrow(1, 0, 4).AllClose(o2.Narrow(1, 0, 4)));
        Assert.False(o1.Narrow(1, 4, 1).AllClose(o2.Narrow(1, 4, 1)));
        for (int i = 0; i < 5; i++)
        {
            float rowSum = 0;
            for (int j = 0; j < 5; j++)
            {
                rowSum += w[0, i, j];
                if (j > i) Assert.Equal(0f, w[0, i, j]);
            }
            Assert.Equal(1f, rowSum, 5);
        }
    }

    [Fact]
    public void KeyPaddingGetsNoAttentionAndHeadsAverageToTheMean()
    {
        var g = new Generator(7);
        var mha = new MultiheadAttention(6, 3, batchFirst: true, generator: g);
        var x = Tensor.Randn([2, 4, 6], g);
        var pad = Tensor.FromArray(new float[,] { { 0, 0, 1, 1 }, { 0, 0, 0, 0 } });
        var (_, perHead) = mha.Forward(x, x, x, keyPaddingMask: pad, averageAttnWeights: false);
        var (_, avg) = mha.Forward(x, x, x, keyPaddingMask: pad);
        Assert.Equal([2, 3, 4, 4], perHead.Shape);
        Assert.True(perHead.Mean(1).AllClose(avg));
        for (int h = 0; h < 3; h++)
            for (int i = 0; i < 4; i++)
            {
                Assert.Equal(0f, perHead[0, h, i, 2]);
                Assert.Equal(0f, perHead[0, h, i, 3]);
            }
    }

    [Fact]
    public void AutoencoderExposesEncodeDecodeAndPrefixedNames()
    {
        var g = new Generator(8);
        var ae = new Autoencoder(new Sequential(new Linear(6, 2, generator: g), new Tanh()), new Sequential(new Linear(2, 6, generator: g)));
        Assert.Equal(["encoder.0.weight", "encoder.0.bias", "decoder.0.weight", "decoder.0.bias"], ae.NamedParameters().Select(p => p.Name).ToArray());
        var x = Tensor.Randn([3, 6], g);
        var z = ae.Encode(x);
        Assert.Equal([3, 2], z.Shape);
        Assert.True(ae.Decode(z).AllClose(ae.Forward(x)));
    }

    [Fact]
    public void LinearAutoencoderLearnsThePrincipalSubspace()
    {
        // The lecture: a linear AE learns the same subspace as PCA. Data lie near the plane spanned by two directions
        // in R^4; after training, the reconstruction error is at the noise level.
        var g = new Generator(9);
        var basis = Tensor.FromArray(new float[,] { { 1, 0, 1, 0 }, { 0, 1, 0, -1 } }); // (2, 4)
        var x = Tensor.Randn([256, 2], g).MatMul(basis) + 0.01f * Tensor.Randn([256, 4], g);
        var ae = new Autoencoder(new Linear(4, 2, generator: g), new Linear(2, 4, generator: g));
        var opt = new Pitts.Optim.Adam(ae.Parameters(), lr: 0.02f);
        var mse = new MseLoss();
        float loss = 0;
        for (int i = 0; i < 1500; i++)
        {
            var l = mse.Forward(ae.Forward(x), x);
            l.Backward();
            opt.Step();
            opt.ZeroGrad();
            loss = l.Item();
        }
        Assert.True(loss < 1e-3f, $"reconstruction MSE {loss}");
    }

    [Fact]
    public void SummaryOfASmallCnnListsShapesAndCounts()
    {
        var g = new Generator(10);
        var cnn = new Sequential(
            new Conv2d(1, 8, 3, padding: 1, generator: g), new Relu(), new MaxPool2d(2),
            new Conv2d(8, 16, 3, padding: 1, generator: g), new Relu(), new MaxPool2d(2),
            new Flatten(), new Linear(16 * 7 * 7, 10, generator: g));
        string s = cnn.Summary(1, 1, 28, 28);
        Assert.Matches(@"0 \(Conv2d\)\s+\(1x8x28x28\)\s+80\b", s);
        Assert.Matches(@"2 \(MaxPool2d\)\s+\(1x8x14x14\)\s+0\b", s);
        Assert.Matches(@"3 \(Conv2d\)\s+\(1x16x14x14\)\s+1,168\b", s);
        Assert.Matches(@"6 \(Flatten\)\s+\(1x784\)", s);
        Assert.Matches(@"7 \(Linear\)\s+\(1x10\)\s+7,850\b", s);
        Assert.Contains("Total params: 9,098", s);
    }

    [Fact]
    public void Conv2dInitStaysInsidePyTorchsBound()
    {
        var c = new Conv2d(3, 4, 5, generator: new Generator(11));
        float bound = 1f / MathF.Sqrt(3 * 5 * 5);
        Assert.All(c.Weight.ToArray(), v => Assert.InRange(v, -bound, bound));
        Assert.All(c.Bias!.ToArray(), v => Assert.InRange(v, -bound, bound));
        Assert.True(c.Weight.ToArray().Max() > 0.9f * bound);
    }

    [Fact]
    public void BatchNormUsesBatchStatisticsInTrainingAndRunningOnesInEval()
    {
        var bn = new BatchNorm1d(2);
        var x = Tensor.FromArray(new float[,] { { 1, 10 }, { 3, 20 }, { 5, 30 } });
        var y = bn.Forward(x);
        Assert.Equal(0f, y.Mean(0)[0], 5);
        // Running mean after one batch: 0.9·0 + 0.1·3 = 0.3; running var: 0.9·1 + 0.1·4 (unbiased) = 1.3.
        Assert.Equal(0.3f, bn.RunningMean[0], 6);
        Assert.Equal(1.3f, bn.RunningVar[0], 5);
        Assert.Equal(1f, bn.NumBatchesTracked.Item());
        bn.Eval();
        var ye = bn.Forward(x);
        Assert.Equal((1f - 0.3f) / MathF.Sqrt(1.3f + 1e-5f), ye[0, 0], 5);
        bn.Train();
        Assert.Throws<PittsException>(() => bn.Forward(Tensor.Ones(1, 2)));
        Assert.Throws<ShapeException>(() => bn.Forward(Tensor.Ones(4, 3)));
    }

    [Fact]
    public void LayerNormGradientMatchesFiniteDifferences()
    {
        var ln = new LayerNorm(4);
        var r = GradCheck.Check(a => ln.Forward(a[0]).Mul(Tensor.FromArray([1f, -2f, 0.5f, 3f])).Sum(), [Tensor.Randn([3, 4], new Generator(12))]);
        Assert.True(r.Passed, r.ToString());
    }

    [Fact]
    public void FusedLayerNormGradientsOfInputWeightAndBiasMatchFiniteDifferences()
    {
        var g = new Generator(15);
        var up = Tensor.Randn([2, 3, 5], g);
        var r = GradCheck.Check(a => Tensor.LayerNormOp(a[0], 5, a[1], a[2], 1e-5f).Mul(up).Sum(),
            [Tensor.Randn([2, 3, 5], g), Tensor.Randn([5], g), Tensor.Randn([5], g)]);
        Assert.True(r.Passed, r.ToString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FusedBatchNormGradientsMatchFiniteDifferences(bool batchStatistics)
    {
        var g = new Generator(16);
        var up = Tensor.Randn([4, 3, 2, 2], g);
        float[]? mean = batchStatistics ? null : [0.1f, -0.2f, 0.3f];
        float[]? variance = batchStatistics ? null : [1.5f, 0.5f, 2f];
        var r = GradCheck.Check(a => Tensor.BatchNormOp(a[0], 3, a[1], a[2], 1e-5f, mean, variance, out _, out _).Mul(up).Sum(),
            [Tensor.Randn([4, 3, 2, 2], g), Tensor.Randn([3], g), Tensor.Randn([3], g)]);
        Assert.True(r.Passed, r.ToString());
    }

    [Fact]
    public void EmbeddingRejectsIndicesOutOfRange()
    {
        var e = new Embedding(5, 2);
        Assert.Contains("[0, 5)", Assert.Throws<PittsException>(() => e.Forward(Tensor.FromArray([1f, 5f]))).Message);
        Assert.Throws<PittsException>(() => e.Forward(Tensor.FromArray([0.5f])));
    }

    [Fact]
    public void TransformerEncoderLayerDropoutIsOffInEval()
    {
        var layer = new TransformerEncoderLayer(8, 2, 16, dropout: 0.5f, batchFirst: true, generator: new Generator(13));
        var x = Tensor.Randn([2, 3, 8], new Generator(14));
        layer.Eval();
        Assert.True(layer.Forward(x).AllClose(layer.Forward(x)));
        layer.Train();
        Assert.False(layer.Forward(x).AllClose(layer.Forward(x)));
    }
}
