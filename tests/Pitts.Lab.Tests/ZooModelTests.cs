using Pitts.Lab.Zoo;
using Pitts.Models;
using Pitts.NN;

namespace Pitts.Lab.Tests;

/// <summary>
/// The zoo's models, data and numerics against independent oracles: MNIST labels, hand-written loops, analytic
/// solutions, subspaces constructed with a known answer.
/// </summary>
public sealed class ZooModelTests
{
    [Fact]
    public void ShippedCnnClassifiesHeldOutDigitsAbove95Percent()
    {
        var net = new DigitCnn();
        Assert.True(ZooWeights.TryLoadInto("cnn", net), "shipped cnn weights are missing");
        double acc = CnnTrainer.TestAccuracy(net);
        Assert.True(acc > 0.95, $"held-out accuracy {acc:P2}");
        // The recipe's recorded number is reproduced exactly by the shipped weights.
        Assert.Equal(double.Parse(ZooWeights.Meta("cnn", "test_accuracy")!, System.Globalization.CultureInfo.InvariantCulture), acc, 4);
    }

    [Fact]
    public void Conv2dMatchesTheLecturesSumWrittenAsLoops()
    {
        var g = new Generator(3);
        var conv = new Conv2d(2, 3, 5, generator: g);
        var x = Tensor.Randn([2, 2, 9, 8], g);
        var y = conv.Forward(x).ToArray();                     // (2, 3, 5, 4)
        var w = conv.Weight.ToArray();
        var b = conv.Bias!.ToArray();
        var xa = x.ToArray();
        for (int n = 0; n < 2; n++)
            for (int o = 0; o < 3; o++)
                for (int i = 0; i < 5; i++)
                    for (int j = 0; j < 4; j++)
                    {
                        double s = b[o];
                        for (int c = 0; c < 2; c++)
                            for (int m = 0; m < 5; m++)
                                for (int k = 0; k < 5; k++)
                                    s += w[((o * 2 + c) * 5 + m) * 5 + k] * xa[((n * 2 + c) * 9 + i + m) * 8 + j + k];
                        Assert.Equal(s, y[((n * 3 + o) * 5 + i) * 4 + j], 4);
                    }
    }

    [Fact]
    public void DigitCnnHasTheHandCountedParametersAndShapes()
    {
        var net = new DigitCnn();
        Assert.Equal(8 * 25 + 8 + 16 * 8 * 25 + 16 + 256 * 10 + 10, net.ParameterCount());
        var f = net.Features(Tensor.Zeros(3, 1, 28, 28));
        Assert.Equal([3, 8, 24, 24], f.Conv1.Shape);
        Assert.Equal([3, 8, 12, 12], f.Pool1.Shape);
        Assert.Equal([3, 16, 8, 8], f.Conv2.Shape);
        Assert.Equal([3, 16, 4, 4], f.Pool2.Shape);
        Assert.Equal([3, 10], f.Logits.Shape);
    }

    [Fact]
    public void DrawingPreprocessingCentresAndScalesAsMnist()
    {
        // A vertical bar drawn off-centre on a 140x140 canvas: 20 pixels tall after scaling, centre of mass at the centre.
        var ink = new float[140 * 140];
        for (int y = 10; y < 60; y++) for (int x = 100; x < 108; x++) ink[y * 140 + x] = 1f;
        var img = DigitPreprocessing.ToMnist(ink, 140)!;
        int top = 28, bottom = -1;
        double mass = 0, cy = 0, cx = 0;
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
            {
                float v = img[y * 28 + x];
                if (v > 0) { top = Math.Min(top, y); bottom = Math.Max(bottom, y); }
                mass += v; cy += v * y; cx += v * x;
            }
        Assert.Equal(20, bottom - top + 1);
        Assert.InRange(cy / mass, 13, 14);
        Assert.InRange(cx / mass, 13, 14);
        Assert.Null(DigitPreprocessing.ToMnist(new float[140 * 140], 140));
    }

    [Fact]
    public void HeldOutDigitsRedrawnLargeAreStillRecognised()
    {
        // Each held-out digit blown up 5x onto a 140x140 canvas (as if drawn) and preprocessed back: the shipped CNN
        // still reads most of them as their label.
        var net = new DigitCnn();
        Assert.True(ZooWeights.TryLoadInto("cnn", net));
        var data = MnistArrays.Get();
        int ok = 0, n = 100;
        using var _ = Autograd.NoGrad();
        for (int i = 0; i < n; i++)
        {
            var px = data.TestImages.Narrow(0, i, 1).ToArray();
            var big = new float[140 * 140];
            for (int y = 0; y < 140; y++) for (int x = 0; x < 140; x++) big[y * 140 + x] = px[y / 5 * 28 + x / 5];
            var img = DigitPreprocessing.ToMnist(big, 140)!;
            if (net.Forward(Tensor.FromArray(img, 1, 1, 28, 28)).Argmax() == data.TestLabels[i]) ok++;
        }
        Assert.True(ok >= 90, $"{ok} of {n}");
    }

    [Fact]
    public void PcaRecoversAKnownSubspaceAndItsVariances()
    {
        // Data in a known 3-D subspace of R^20 with standard deviations 5, 3, 2, plus noise of 0.01.
        var g = new Generator(11);
        var basis = Pca.Orthonormalize(Tensor.Randn([20, 3], g));        // (20, 3)
        var z = Tensor.Randn([4000, 3], g) * Tensor.FromArray([5f, 3f, 2f]);
        var x = z.MatMul(basis.T) + Tensor.Randn([4000, 20], g) * 0.01f;
        var (comps, eig, _, _) = Pca.Fit(x, 3);
        Assert.Equal(25, eig[0], 25 * 0.1);
        Assert.Equal(9, eig[1], 9 * 0.1);
        Assert.Equal(4, eig[2], 4 * 0.1);
        var b = basis.ToArray();
        var known = new double[20, 3];
        for (int r = 0; r < 20; r++) for (int c = 0; c < 3; c++) known[r, c] = b[r * 3 + c];
        Assert.True(Pca.PrincipalAngles(comps, known).Max() < 0.5);
    }

    [Fact]
    public void PrincipalAnglesOfPlanesWithAKnownAngle()
    {
        // span(e1, e2) against span(e1, cos 30° e2 + sin 30° e3): angles 0° and 30°.
        var a = new double[4, 2];
        var b = new double[4, 2];
        a[0, 0] = 1; a[1, 1] = 1;
        b[0, 0] = 2; b[1, 1] = Math.Cos(Math.PI / 6); b[2, 1] = Math.Sin(Math.PI / 6);
        var angles = Pca.PrincipalAngles(a, b);
        Assert.Equal(0, angles[0], 3);
        Assert.Equal(30, angles[1], 3);
    }

    [Fact]
    public void LinearAutoencoderApproachesPcaOnMnist()
    {
        // Eckart-Young: no rank-2 linear map beats PCA's error, and a trained linear AE gets close to it.
        var t = new LinearAeTrainer(2, seed: 5);
        double start = t.AnglesToPca().Max();
        t.Train(1500);
        double angle = t.AnglesToPca().Max();
        Assert.True(angle < start / 4 && angle < 15, $"largest angle {start:0.0}° -> {angle:0.0}°");
        Assert.True(t.TrainError() >= t.PcaError() * 0.999, "beat the optimum: the PCA oracle is wrong");
        Assert.True(t.TrainError() < t.PcaError() * 1.05, $"AE {t.TrainError()} vs PCA {t.PcaError()}");
    }

    [Fact]
    public void ShippedDenoiserRecurrentNetsAndTransformersReachTheirStatedQuality()
    {
        var ae = ZooAutoencoders.Denoising();
        Assert.True(ZooWeights.TryLoadInto("denoising-ae", ae));
        var (rec, noisy) = DenoisingTrainer.TestError(ae, 0.5f);
        Assert.True(rec < noisy / 2, $"reconstruction {rec} vs noisy {noisy}");
        var ae32 = ZooAutoencoders.Denoising(latent: 32);
        Assert.True(ZooWeights.TryLoadInto("denoising-ae-32", ae32));
        double rec32 = DenoisingTrainer.TestError(ae32, 0.5f).Reconstruction;
        Assert.True(rec32 < rec * 0.75 && rec32 < noisy / 4, $"32-number code {rec32} vs 2-number code {rec}");

        foreach (var (name, kind, signal) in new[] { ("rnn", CellKind.Rnn, "oscillator"), ("lstm", CellKind.Lstm, "oscillator"), ("rnn-hh", CellKind.Rnn, "hh"), ("lstm-hh", CellKind.Lstm, "hh") })
        {
            var m = new SequencePredictor(kind);
            Assert.True(ZooWeights.TryLoadInto(name, m));
            var (one, naive, _) = SequenceTrainer.TestError(m, signal);
            Assert.True(one < naive / 5, $"{name}: one-step {one} vs naive {naive}");
        }

        foreach (var task in ZooData.Tasks)
        {
            var tr = new TinyTransformer();
            Assert.True(ZooWeights.TryLoadInto("attention-" + task, tr));
            var (seq, _) = AttentionTrainer.TestAccuracy(tr, task);
            Assert.True(seq > 0.95, $"{task}: {seq:P1}");
        }
    }

    [Fact]
    public void ShippedFigureDataIsWhatTheModelsCompute()
    {
        // The autoencoder page looks these up instead of computing them in the browser: they must be what the shipped
        // weights give here. PCA: the shipped file against a fresh fit of the digits.
        var fresh = PcaCache.Compute();
        var shipped = PcaCache.FromFile(ZooWeights.Load(PcaCache.FileName) ?? throw new InvalidOperationException("mnist-pca is not shipped"));
        Assert.Equal(fresh.Eigenvalues, shipped.Eigenvalues);
        Assert.Equal(fresh.TotalVariance, shipped.TotalVariance);
        Assert.Equal(fresh.Mean, shipped.Mean);
        // Stored in float32; angles this small are computed in float32 too (acos near 1): a few hundredths of a degree.
        Assert.True(Pca.PrincipalAngles(fresh.Components, shipped.Components).Max() < 0.1);

        var fig = DenoisingFigures.Shipped ?? throw new InvalidOperationException("denoising-figures is not shipped");
        var ae2 = ZooAutoencoders.Denoising();
        var ae32 = ZooAutoencoders.Denoising(latent: 32);
        Assert.True(ZooWeights.TryLoadInto("denoising-ae", ae2) && ZooWeights.TryLoadInto("denoising-ae-32", ae32));
        foreach (double sigma in new[] { 0.0, 0.25, 0.5, 1.0 })
        {
            var (rec, noisy) = DenoisingTrainer.TestError(ae2, (float)sigma);
            Assert.Equal(rec, fig.TestError(2, sigma)!.Value.Reconstruction, 6);
            Assert.Equal(noisy, fig.TestError(2, sigma)!.Value.Noisy, 6);
            Assert.Equal(DenoisingTrainer.TestError(ae32, (float)sigma).Reconstruction, fig.TestError(32, sigma)!.Value.Reconstruction, 6);
        }
        Assert.Null(fig.TestError(2, 0.33));
        // The block-wise evaluation (the page runs one block per slice) against one float64 pass written out here.
        var run = new TestErrorRun(ae2, MnistArrays.Get().TestImages, 0.5f);
        int blocks = 0;
        while (!run.Advance()) blocks++;
        Assert.Equal(2004 / TestErrorRun.Block, blocks);
        using (Autograd.NoGrad())
        {
            var clean = MnistArrays.Get().TestImages;
            var noisyX = Pitts.Data.Augment.GaussianNoise(clean, 0.5f, new Generator(12345), clampMin: 0f, clampMax: 1f);
            var r = ae2.Forward(noisyX).ToArray();
            var c = clean.ToArray();
            double sum = 0;
            for (int i = 0; i < c.Length; i++) sum += ((double)r[i] - c[i]) * ((double)r[i] - c[i]);
            Assert.Equal(sum / c.Length, run.Result.Reconstruction, 6);
        }
        using (Autograd.NoGrad())
        {
            var data = MnistArrays.Get();
            var codes = ae2.Encode(MnistArrays.Rows(data.TestImages, LatentPlane.Sample(data.TestLabels, DenoisingFigures.PerClass))).ToArray();
            Assert.Equal(codes, fig.Codes);
        }
        // The recurrent and attention pages show the metrics recorded with their shipped weights.
        var lstm = new SequencePredictor(CellKind.Lstm);
        Assert.True(ZooWeights.TryLoadInto("lstm", lstm));
        Assert.Equal(SequenceTrainer.TestError(lstm).OneStep, ZooTrainer.Recorded("lstm", "one_step_mse")!.Value, 4);
        var tr = new TinyTransformer();
        Assert.True(ZooWeights.TryLoadInto("attention-sort", tr));
        Assert.Equal(AttentionTrainer.TestAccuracy(tr, "sort").Sequence, ZooTrainer.Recorded("attention-sort", "sequence_accuracy")!.Value, 4);
    }

    [Fact]
    public void TheZooTrainersStepsAreTheLecturesLoop()
    {
        // Oracle: the plain loop written out (forward, loss, zero_grad, backward, step) on the batches the DataLoader draws
        // from the same seed; the trainer (the library's Trainer.Step on a shuffled DataLoader) must reach the same weights.
        var trainer = new CnnTrainer(seed: 21, lr: 5e-3f, batchSize: 8);
        trainer.Train(3);
        var g = new Generator(21);
        var net = new DigitCnn(g);
        var opt = new Pitts.Optim.Adam(net.Parameters(), 5e-3f);
        var data = MnistArrays.Get();
        var order = g.Permutation(data.TrainLabels.Length);   // the loader's first pass
        for (int step = 0, cursor = 0; step < 3; step++, cursor += 8)
        {
            var idx = order[cursor..(cursor + 8)];
            var x = MnistArrays.Rows(data.TrainImages, idx).Reshape(8, 1, 28, 28);
            var y = Tensor.FromArray(idx.Select(i => (float)data.TrainLabels[i]).ToArray());
            var loss = Functional.CrossEntropy(net.Forward(x), y);
            opt.ZeroGrad();
            loss.Backward();
            opt.Step();
            Assert.Equal(loss.Item(), trainer.Losses[step], 5);
        }
        Assert.Equal(net.Fc.Weight.ToArray(), trainer.Network.Fc.Weight.ToArray());
        Assert.Equal(3, trainer.Trainer.State.Step);
    }

    [Fact]
    public void EulerConvergesToTheExactOscillatorAtFirstOrder()
    {
        double v0 = ZooData.OscillatorVelocity0(1, 0);
        var exact = ZooData.Oscillator(1, 0, 2);                // x(0), x(0.2)
        Assert.Equal(1.0, exact[0], 6);
        double Err(double h)
        {
            var (_, x) = ZooData.Euler(1, v0, h, 5);
            double wd = Math.Sqrt(1 - 0.01);
            return Math.Abs(x[^1] - Math.Exp(-0.1 * 5) * Math.Cos(wd * 5));
        }
        double e1 = Err(0.01), e2 = Err(0.005);
        Assert.True(e1 < 0.05);
        Assert.InRange(e1 / e2, 1.8, 2.2);                     // halving h halves the error
        // The one-step map is W = I + hA.
        var w = ZooData.EulerWeights(0.3);
        Assert.Equal(1 - 2 * 0.3 * 0.1, w[1, 1], 12);
        Assert.Equal(-0.3, w[1, 0], 12);
    }

    [Fact]
    public void HodgkinHuxleyTracesSpikeAndHeldOutCurrentsAreNotTrainedOn()
    {
        // At 10 µA/cm² the squid axon fires repetitively: peaks near +40 mV (x ≈ 1.05), troughs near −75 mV (x ≈ −0.1).
        var x = ZooData.HodgkinHuxleyTrace(10);
        Assert.InRange(x.Max(), 0.9, 1.2);
        Assert.InRange(x.Min(), -0.2, 0.0);
        int spikes = 0;
        for (int i = 1; i < x.Length; i++) if (x[i - 1] < 0.5 && x[i] >= 0.5) spikes++;
        Assert.InRange(spikes, 15, 25);                         // about 68 Hz over 300 ms
        // Held-out sequences are windows of traces at currents between the training ones, and of no training trace.
        static bool Contains(float[] trace, float[] window)
        {
            for (int s = 0; s + window.Length <= trace.Length; s++)
                if (trace.AsSpan(s, window.Length).SequenceEqual(window)) return true;
            return false;
        }
        var (inputs, _) = ZooData.SignalBatch("hh", 8, 40, new Pitts.Generator(5), heldOut: true);
        var all = inputs.ToArray();
        for (int b = 0; b < 8; b++)
        {
            var window = all.AsSpan(b * 40, 40).ToArray();
            Assert.DoesNotContain(ZooData.HhTrainCurrents, c => Contains(ZooData.HodgkinHuxleyTrace(c), window));
            Assert.Contains(ZooData.HhTrainCurrents, c => Contains(ZooData.HodgkinHuxleyTrace(c + 0.25), window));
        }
    }

    [Theory]
    [InlineData("385120", "3,8,5,1,2,0", null)]
    [InlineData("3 8 5,1 2 0", "3,8,5,1,2,0", null)]
    [InlineData("38512", null, "5 digits given")]
    [InlineData("38512x", null, "'x' is not a digit")]
    [InlineData("", null, "0 digits given")]
    public void TypedDigitsAreValidated(string text, string? digits, string? error)
    {
        var d = ZooData.ParseDigits(text, 6, out string? message);
        Assert.Equal(digits, d is null ? null : string.Join(',', d));
        if (error is null) Assert.Null(message); else Assert.Contains(error, message);
    }
}

/// <summary>The lab's PCA of the shipped MNIST digits against numpy's (scripts/lab-models/pca_reference.py).</summary>
public sealed class ZooPcaGoldenTests
{
    private static string SourceDir([System.Runtime.CompilerServices.CallerFilePath] string file = "") => Path.GetDirectoryName(file)!;

    [Fact]
    public void EigenvaluesAndSubspaceMatchNumpy()
    {
        string path = Path.Combine(SourceDir(), "Golden", "mnist_pca.json");
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var pca = PcaCache.Get();
        Assert.Equal(root.GetProperty("total_variance").GetDouble(), pca.TotalVariance, 2);
        var eig = root.GetProperty("eigenvalues").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (int i = 0; i < PcaCache.MaxK; i++)
            Assert.True(Math.Abs(eig[i] - pca.Eigenvalues[i]) < 1e-3 * eig[i], $"eigenvalue {i}: numpy {eig[i]}, lab {pca.Eigenvalues[i]}");
        var comps = root.GetProperty("components").EnumerateArray().Select(c => c.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        var numpy = new double[784, 4];
        var lab = new double[784, 4];
        for (int r = 0; r < 784; r++)
            for (int c = 0; c < 4; c++) { numpy[r, c] = comps[c][r]; lab[r, c] = pca.Components[r, c]; }
        Assert.True(Pca.PrincipalAngles(lab, numpy).Max() < 0.5, "top-4 subspaces differ");
    }
}
