using System.Diagnostics;
using Pitts.IO;
using Pitts.NN;
using Pitts.Optim;

namespace Pitts.Lab.Zoo;

/// <summary>
/// One model of the zoo with its optimizer and data: <see cref="TrainStep"/> runs one minibatch (the pages call it from a
/// <c>LiveTrainer</c>, the recipe in a plain loop), <see cref="Evaluate"/> measures the held-out quality.
/// </summary>
public abstract class ZooTrainer
{
    /// <summary>The model being trained.</summary>
    public abstract Module Model { get; }

    /// <summary>Optimizer steps taken.</summary>
    public int Steps { get; private set; }

    /// <summary>The training loss of every step.</summary>
    public List<double> Losses { get; } = [];

    /// <summary>One optimizer step on a fresh minibatch; returns the minibatch loss.</summary>
    public double TrainStep()
    {
        Model.Train();
        double loss = Step();
        Steps++;
        Losses.Add(loss);
        return loss;
    }

    /// <summary>The subclass's minibatch step.</summary>
    protected abstract double Step();

    /// <summary>The held-out metric (name, value), computed without gradients.</summary>
    public abstract (string Name, double Value) Evaluate();

    /// <summary>Mean of the last <paramref name="n"/> losses (NaN before the first step).</summary>
    public double RecentLoss(int n = 20) => Losses.Count == 0 ? double.NaN : Losses.Skip(Math.Max(0, Losses.Count - n)).Average();

    /// <summary>Losses averaged over windows, for a smooth curve: (step, loss) pairs.</summary>
    public (double[] X, double[] Y) LossCurve(int points = 200)
    {
        int n = Losses.Count;
        if (n == 0) return ([], []);
        int w = Math.Max(1, n / points);
        var xs = new List<double>();
        var ys = new List<double>();
        for (int i = 0; i + w <= n; i += w)
        {
            xs.Add(i + w);
            ys.Add(Losses.Skip(i).Take(w).Average());
        }
        return ([.. xs], [.. ys]);
    }

    /// <summary>Runs <paramref name="steps"/> steps; returns the seconds taken.</summary>
    public double Train(int steps, Action<int, double>? progress = null)
    {
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++)
        {
            double loss = TrainStep();
            if (!double.IsFinite(loss)) throw new PittsException($"{GetType().Name}: the loss became {loss} at step {Steps}");
            progress?.Invoke(Steps, loss);
        }
        return sw.Elapsed.TotalSeconds;
    }
}

/// <summary>The denoising autoencoder: noisy digit in, clean digit out, MSE, Adam.</summary>
public sealed class DenoisingTrainer : ZooTrainer
{
    private readonly Autoencoder _model;
    private readonly Adam _opt;
    private readonly Generator _g;
    private readonly MnistArrays _data = MnistArrays.Get();

    /// <summary>Noise level σ of the training corruption.</summary>
    public float Sigma { get; }

    /// <summary>Creates the trainer (a fresh model from <paramref name="seed"/>, or <paramref name="model"/>).</summary>
    public DenoisingTrainer(float sigma = 0.5f, ulong seed = 1, Autoencoder? model = null, int latent = 2)
    {
        Sigma = sigma;
        _g = new Generator(seed);
        _model = model ?? ZooModels.DenoisingAutoencoder(_g, latent);
        _opt = new Adam(_model.Parameters(), 2e-3f);
    }

    /// <inheritdoc/>
    public override Module Model => _model;

    /// <summary>The autoencoder.</summary>
    public Autoencoder Autoencoder => _model;

    /// <inheritdoc/>
    protected override double Step()
    {
        var idx = Enumerable.Range(0, 128).Select(_ => (int)_g.NextInt64(0, _data.TrainLabels.Length)).ToArray();
        var clean = MnistArrays.Rows(_data.TrainImages, idx);                    // (128, 784)
        var noisy = ZooData.AddNoise(clean, Sigma, _g);
        _opt.ZeroGrad();
        var loss = Functional.MseLoss(_model.Forward(noisy), clean);
        loss.Backward();
        _opt.Step();
        return loss.Item();
    }

    /// <summary>Test MSE of the reconstruction against the clean digits, for inputs with noise σ (fixed noise seed), and of the noisy input itself.</summary>
    public static (double Reconstruction, double Noisy) TestError(Autoencoder model, float sigma)
    {
        using var _ = Autograd.NoGrad();
        model.Eval();
        var data = MnistArrays.Get();
        var noisy = ZooData.AddNoise(data.TestImages, sigma, new Generator(12345));
        double rec = Functional.MseLoss(model.Forward(noisy), data.TestImages).Item();
        double raw = Functional.MseLoss(noisy, data.TestImages).Item();
        return (rec, raw);
    }

    /// <inheritdoc/>
    public override (string Name, double Value) Evaluate() => ("test MSE", TestError(_model, Sigma).Reconstruction);
}

/// <summary>A linear autoencoder on centred digits, compared with PCA's subspace.</summary>
public sealed class LinearAeTrainer : ZooTrainer
{
    private readonly Autoencoder _model;
    private readonly Adam _opt;
    private readonly Generator _g;
    private readonly Tensor _centred;

    /// <summary>The code size k.</summary>
    public int K { get; }

    /// <summary>Creates the trainer for a k-dimensional code.</summary>
    public LinearAeTrainer(int k, ulong seed = 3)
    {
        K = k;
        _g = new Generator(seed);
        _model = ZooModels.LinearAutoencoder(k, _g);
        _opt = new Adam(_model.Parameters(), 3e-3f);
        var pca = PcaCache.Get();
        _centred = MnistArrays.Get().TrainImages - Tensor.FromArray(pca.Mean);
    }

    /// <inheritdoc/>
    public override Module Model => _model;

    /// <inheritdoc/>
    protected override double Step()
    {
        var idx = Enumerable.Range(0, 256).Select(_ => (int)_g.NextInt64(0, _centred.Shape[0])).ToArray();
        var x = _centred.IndexSelect(0, idx);
        _opt.ZeroGrad();
        var loss = Functional.MseLoss(_model.Forward(x), x);
        loss.Backward();
        _opt.Step();
        return loss.Item();
    }

    /// <summary>The decoder's columns (784×k): the subspace the reconstruction lives in.</summary>
    public double[,] DecoderBasis()
    {
        var w = ((Linear)_model.Decoder).Weight.ToArray(); // (784, k)
        var m = new double[784, K];
        for (int r = 0; r < 784; r++) for (int c = 0; c < K; c++) m[r, c] = w[r * K + c];
        return m;
    }

    /// <summary>Principal angles (degrees) between the decoder's subspace and PCA's top-k subspace.</summary>
    public double[] AnglesToPca()
    {
        var pca = PcaCache.Get();
        var top = new double[784, K];
        for (int r = 0; r < 784; r++) for (int c = 0; c < K; c++) top[r, c] = pca.Components[r, c];
        return Pca.PrincipalAngles(DecoderBasis(), top);
    }

    /// <summary>Training-set MSE per pixel of the linear AE.</summary>
    public double TrainError()
    {
        using var _ = Autograd.NoGrad();
        var diff = (_model.Forward(_centred) - _centred).ToArray();
        double sum = 0;                                  // in double: the gap to PCA is far below float32 summation error
        foreach (float d in diff) sum += (double)d * d;
        return sum / diff.Length;
    }

    /// <summary>PCA's MSE per pixel with k components: the sum of the discarded eigenvalues over 784 (the best any rank-k linear map can do).</summary>
    public double PcaError() => PcaCache.Get().ErrorWith(K);

    /// <inheritdoc/>
    public override (string Name, double Value) Evaluate() => ("largest angle to PCA (°)", AnglesToPca().Max());
}

/// <summary>PCA of the shipped training digits, computed once.</summary>
public sealed class PcaCache
{
    private static readonly Lazy<PcaCache> Shared = new(() => new PcaCache());

    /// <summary>The shared result.</summary>
    public static PcaCache Get() => Shared.Value;

    /// <summary>The largest code size offered.</summary>
    public const int MaxK = 8;

    private PcaCache()
    {
        var (c, e, m, total) = Pca.Fit(MnistArrays.Get().TrainImages, MaxK);
        (Components, Eigenvalues, Mean, TotalVariance) = (c, e, m, total);
    }

    /// <summary>Top principal directions (784×MaxK).</summary>
    public double[,] Components { get; }

    /// <summary>Their eigenvalues (variances), descending.</summary>
    public double[] Eigenvalues { get; }

    /// <summary>The mean digit.</summary>
    public float[] Mean { get; }

    /// <summary>Total variance (trace of the covariance).</summary>
    public double TotalVariance { get; }

    /// <summary>MSE per pixel of the best rank-k reconstruction: (total − Σ top-k eigenvalues) / 784.</summary>
    public double ErrorWith(int k) => (TotalVariance - Eigenvalues.Take(k).Sum()) / 784;
}

/// <summary>The digit CNN with cross-entropy and Adam.</summary>
public sealed class CnnTrainer : ZooTrainer
{
    private readonly DigitCnn _model;
    private readonly Adam _opt;
    private readonly Generator _g;
    private readonly MnistArrays _data = MnistArrays.Get();
    private int[] _order = [];
    private int _cursor;

    /// <summary>Creates the trainer with a fresh network from <paramref name="seed"/>.</summary>
    public CnnTrainer(ulong seed = 1, float lr = 2e-3f)
    {
        _g = new Generator(seed);
        _model = new DigitCnn(_g);
        _opt = new Adam(_model.Parameters(), lr);
    }

    /// <inheritdoc/>
    public override Module Model => _model;

    /// <summary>The network.</summary>
    public DigitCnn Network => _model;

    /// <summary>Passes over the training set so far.</summary>
    public double Epochs => Steps * 64.0 / _data.TrainLabels.Length;

    /// <inheritdoc/>
    protected override double Step()
    {
        if (_cursor + 64 > _order.Length) { _order = _g.Permutation(_data.TrainLabels.Length); _cursor = 0; }
        var idx = _order.AsSpan(_cursor, 64).ToArray();
        _cursor += 64;
        var x = MnistArrays.Rows(_data.TrainImages, idx).Reshape(64, 1, 28, 28);
        var y = Tensor.FromArray(idx.Select(i => (float)_data.TrainLabels[i]).ToArray());
        _opt.ZeroGrad();
        var loss = Functional.CrossEntropy(_model.Forward(x), y);
        loss.Backward();
        _opt.Step();
        return loss.Item();
    }

    /// <summary>Accuracy of <paramref name="model"/> on the first <paramref name="count"/> held-out digits (all when null).</summary>
    public static double TestAccuracy(DigitCnn model, int? count = null)
    {
        using var _ = Autograd.NoGrad();
        var data = MnistArrays.Get();
        int n = Math.Min(count ?? data.TestLabels.Length, data.TestLabels.Length), correct = 0;
        for (int s = 0; s < n; s += 256)
        {
            int m = Math.Min(256, n - s);
            var logits = model.Forward(data.TestImages.Narrow(0, s, m).Reshape(m, 1, 28, 28));
            var pred = logits.Argmax(1).ToArray();
            for (int i = 0; i < m; i++) if ((int)pred[i] == data.TestLabels[s + i]) correct++;
        }
        return (double)correct / n;
    }

    /// <inheritdoc/>
    public override (string Name, double Value) Evaluate() => ("test accuracy", TestAccuracy(_model));
}

/// <summary>An RNN or LSTM trained to predict the damped oscillator one step ahead.</summary>
public sealed class SequenceTrainer : ZooTrainer
{
    private readonly SequencePredictor _model;
    private readonly Adam _opt;
    private readonly Generator _g;

    /// <summary>Steps per training sequence.</summary>
    public const int SeqLength = 60;

    /// <summary>The signal learned: "oscillator" or "hh" (see <see cref="ZooData.Signals"/>).</summary>
    public string Signal { get; }

    /// <summary>Creates the trainer with a fresh model.</summary>
    public SequenceTrainer(CellKind kind, ulong seed = 1, int hidden = 32, string signal = "oscillator")
    {
        Signal = signal;
        _g = new Generator(seed);
        _model = new SequencePredictor(kind, hidden, _g);
        _opt = new Adam(_model.Parameters(), 5e-3f);
    }

    /// <inheritdoc/>
    public override Module Model => _model;

    /// <summary>The predictor.</summary>
    public SequencePredictor Predictor => _model;

    /// <inheritdoc/>
    protected override double Step()
    {
        var (x, y) = ZooData.SignalBatch(Signal, 32, SeqLength, _g);
        _opt.ZeroGrad();
        var loss = Functional.MseLoss(_model.Forward(x), y);
        loss.Backward();
        GradClip.ClipGradNorm(_model.Parameters(), 1f);
        _opt.Step();
        return loss.Item();
    }

    /// <summary>
    /// One-step MSE on 100 held-out sequences (fixed seed; for "hh", currents between the training ones), the naive
    /// "x(t+1) = x(t)" baseline's MSE, and the free-running MSE after 20 teacher-forced steps.
    /// </summary>
    public static (double OneStep, double Naive, double FreeRun) TestError(SequencePredictor model, string signal = "oscillator")
    {
        using var _ = Autograd.NoGrad();
        model.Eval();
        var (x, y) = ZooData.SignalBatch(signal, 100, SeqLength, new Generator(999), heldOut: true);
        double one = Functional.MseLoss(model.Forward(x), y).Item();
        double naive = Functional.MseLoss(x, y).Item();
        var g = new Generator(4242);
        double free = 0;
        for (int i = 0; i < 10; i++)
        {
            var truth = signal == "hh"
                ? ZooData.HodgkinHuxleyTrace(ZooData.HhTrainCurrents[i * 2] + 0.25).AsSpan(100 + 7 * i, SeqLength + 1).ToArray()
                : ZooData.Oscillator(0.5 + g.NextDouble(), 2 * Math.PI * g.NextDouble(), SeqLength + 1);
            var p = model.FreeRun(truth, 20);
            for (int t = 20; t < p.Length; t++) free += (p[t] - truth[t + 1]) * (p[t] - truth[t + 1]);
        }
        free /= 10 * (SeqLength - 20);
        return (one, naive, free);
    }

    /// <inheritdoc/>
    public override (string Name, double Value) Evaluate() => ("one-step test MSE", TestError(_model, Signal).OneStep);
}

/// <summary>The tiny transformer on a digit-sequence task (reverse or sort), cross-entropy per position.</summary>
public sealed class AttentionTrainer : ZooTrainer
{
    private readonly TinyTransformer _model;
    private readonly Adam _opt;
    private readonly Generator _g;

    /// <summary>The task ("reverse" or "sort").</summary>
    public string Task { get; }

    /// <summary>Sequence length.</summary>
    public const int Length = 6;

    /// <summary>Creates the trainer with a fresh model.</summary>
    public AttentionTrainer(string task, ulong seed = 1)
    {
        Task = task;
        _g = new Generator(seed);
        _model = new TinyTransformer(Length, 32, 2, _g);
        _opt = new Adam(_model.Parameters(), 3e-3f);
    }

    /// <inheritdoc/>
    public override Module Model => _model;

    /// <summary>The transformer.</summary>
    public TinyTransformer Transformer => _model;

    /// <inheritdoc/>
    protected override double Step()
    {
        var (tokens, targets, _) = ZooData.SequenceBatch(Task, 64, Length, _g);
        _opt.ZeroGrad();
        var logits = _model.Forward(tokens);                                      // (64, L, 10)
        var loss = Functional.CrossEntropy(logits.Reshape(64 * Length, 10), targets.Reshape(64 * Length));
        loss.Backward();
        _opt.Step();
        return loss.Item();
    }

    /// <summary>Whole-sequence and per-digit accuracy on 1,000 random held-out sequences (fixed seed).</summary>
    public static (double Sequence, double Digit) TestAccuracy(TinyTransformer model, string task)
    {
        using var _ = Autograd.NoGrad();
        model.Eval();
        var (tokens, targets, _) = ZooData.SequenceBatch(task, 1000, Length, new Generator(777));
        var pred = model.Forward(tokens).Argmax(2).ToArray();
        var t = targets.ToArray();
        int seqOk = 0, digitOk = 0;
        for (int b = 0; b < 1000; b++)
        {
            bool all = true;
            for (int i = 0; i < Length; i++)
            {
                bool ok = pred[b * Length + i] == t[b * Length + i];
                if (ok) digitOk++; else all = false;
            }
            if (all) seqOk++;
        }
        return (seqOk / 1000.0, digitOk / (1000.0 * Length));
    }

    /// <inheritdoc/>
    public override (string Name, double Value) Evaluate() => ("sequence accuracy", TestAccuracy(_model, Task).Sequence);
}
