using System.Diagnostics;
using System.Globalization;
using Pitts.Data;
using Pitts.Lab.Services;
using Pitts.Models;
using Pitts.NN;
using Pitts.Optim;
using Pitts.Training;

namespace Pitts.Lab.Zoo;

/// <summary>
/// One model of the zoo with its data: the library's <see cref="Training.Trainer"/> (model, loss, optimizer) takes each
/// optimisation step, this class draws the minibatches (<see cref="NextBatch"/>) and keeps the per-step losses for the
/// pages' curves. <see cref="TrainStep"/> is one step; a page's <c>LiveTrainer</c> calls <see cref="LiveStep"/> in time
/// slices and yields between them (the browser has one thread); scripts/lab-models calls <see cref="Train"/>.
/// </summary>
public abstract class ZooTrainer
{
    private readonly List<double> _losses = [];

    /// <summary>Sets up the library's trainer of <paramref name="model"/>; <paramref name="generator"/> draws the batches.</summary>
    protected ZooTrainer(Module model, Loss loss, Optimizer optimizer, Generator generator, float? maxGradNorm = null)
    {
        Generator = generator;
        Trainer = new Trainer(model, loss, optimizer) { Generator = generator, MaxGradNorm = maxGradNorm };
    }

    /// <summary>Wraps a recipe's run, whose <paramref name="trainer"/> (the library's) and <see cref="Step"/> take each step.</summary>
    protected ZooTrainer(Trainer trainer, Generator generator)
    {
        Generator = generator;
        Trainer = trainer;
    }

    /// <summary>The library's trainer: forward, loss, zero-grad, backward, clipping, step; a NaN loss stops it.</summary>
    public Trainer Trainer { get; }

    /// <summary>The model being trained.</summary>
    public Module Model => Trainer.Model;

    /// <summary>The generator of the minibatches (and the trainer's).</summary>
    protected Generator Generator { get; }

    /// <summary>Optimizer steps taken.</summary>
    public int Steps => _losses.Count;

    /// <summary>The training loss of every step.</summary>
    public IReadOnlyList<double> Losses => _losses;

    /// <summary>The next minibatch (input, target).</summary>
    protected abstract Batch NextBatch();

    /// <summary>One optimizer step on a fresh minibatch, its loss returned: the trainer on <see cref="NextBatch"/>, or a recipe's own step.</summary>
    protected virtual double Step() => Trainer.Step(NextBatch());

    /// <summary>One optimizer step of the library's trainer on a fresh minibatch; returns the minibatch loss.</summary>
    public double TrainStep()
    {
        Model.Train();   // the pages draw in evaluation mode between steps
        double loss = Step();
        _losses.Add(loss);
        return loss;
    }

    /// <summary>
    /// One step for a page's <c>LiveTrainer</c>: <see cref="StepOutcome.Finished"/> once <paramref name="maxSteps"/> are
    /// done, <see cref="StepOutcome.Diverged"/> when the loss is not finite (the trainer's <see cref="NonFiniteLossException"/>).
    /// </summary>
    public StepOutcome LiveStep(int maxSteps)
    {
        if (Steps >= maxSteps) return StepOutcome.Finished;
        try { TrainStep(); }
        catch (NonFiniteLossException) { return StepOutcome.Diverged; }
        return Steps >= maxSteps ? StepOutcome.Finished : StepOutcome.Continue;
    }

    /// <summary>
    /// A number that scripts/lab-models recorded in shipped file <paramref name="name"/>'s metadata when it trained the
    /// weights (the held-out metrics below, computed once natively; the tests check them against the weights), or null.
    /// </summary>
    public static double? Recorded(string name, string key) =>
        double.TryParse(ZooWeights.Meta(name, key), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null;

    /// <summary>Mean of the last <paramref name="n"/> losses (NaN before the first step).</summary>
    public double RecentLoss(int n = 20) => _losses.Count == 0 ? double.NaN : _losses.Skip(Math.Max(0, _losses.Count - n)).Average();

    /// <summary>Losses averaged over windows, for a smooth curve: (step, loss) pairs.</summary>
    public (double[] X, double[] Y) LossCurve(int points = 200)
    {
        int n = _losses.Count;
        if (n == 0) return ([], []);
        int w = Math.Max(1, n / points);
        var xs = new List<double>();
        var ys = new List<double>();
        for (int i = 0; i + w <= n; i += w)
        {
            xs.Add(i + w);
            ys.Add(_losses.Skip(i).Take(w).Average());
        }
        return ([.. xs], [.. ys]);
    }

    /// <summary>Takes <paramref name="steps"/> steps (scripts/lab-models' run), reporting each; returns the seconds taken.</summary>
    public double Train(int steps, Action<int, double>? progress = null)
    {
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++)
        {
            double loss = TrainStep();
            progress?.Invoke(Steps, loss);
        }
        return sw.Elapsed.TotalSeconds;
    }
}

/// <summary>Cross-entropy per position: logits (N, L, C) against class indices (N, L), averaged over all N·L positions.</summary>
public sealed class PositionwiseCrossEntropy() : Loss(Reduction.Mean)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        int n = input.Shape[0], l = input.Shape[1], c = input.Shape[2];
        return Functional.CrossEntropy(input.Reshape(n * l, c), target.Reshape(n * l)); // (N·L, C) against (N·L)
    }
}

/// <summary>The denoising autoencoder (the autoencoders recipe's <see cref="DenoisingRun"/>) on the shipped digits, for the page and scripts/lab-models.</summary>
public sealed class DenoisingTrainer : ZooTrainer
{
    /// <summary>Creates the trainer (a fresh model from <paramref name="seed"/>), minibatches of <paramref name="batchSize"/> digits.</summary>
    public DenoisingTrainer(float sigma = 0.5f, ulong seed = 1, int latent = 2, int batchSize = 128)
        : this(new DenoisingRun(sigma, seed, latent, batchSize, MnistArrays.Get().TrainImages)) { }

    private DenoisingTrainer(DenoisingRun run) : base(run.Trainer, run.Generator) => Run = run;

    /// <summary>The recipe's run: model, data, loss, optimizer and step.</summary>
    public DenoisingRun Run { get; }

    /// <summary>Noise level σ of the training corruption.</summary>
    public float Sigma => Run.Sigma;

    /// <summary>The autoencoder.</summary>
    public Autoencoder Autoencoder => Run.Autoencoder;

    /// <inheritdoc />
    protected override Batch NextBatch() => Run.NextBatch();

    /// <inheritdoc />
    protected override double Step() => Run.Step();

    /// <summary>The recipe's test MSE (<see cref="TestErrorRun"/>) on the 2,004 shipped held-out digits: the reconstruction's and the noisy input's.</summary>
    public static (double Reconstruction, double Noisy) TestError(Autoencoder model, float sigma) =>
        TestErrorRun.TestError(model, MnistArrays.Get().TestImages, sigma);
}

/// <summary>The linear autoencoder (the autoencoders recipe's <see cref="LinearAutoencoderRun"/>) on the shipped digits, against the shipped PCA.</summary>
public sealed class LinearAeTrainer : ZooTrainer
{
    /// <summary>Creates the trainer for a k-dimensional code.</summary>
    public LinearAeTrainer(int k, ulong seed = 3)
        : this(new LinearAutoencoderRun(k, MnistArrays.Get().TrainImages, PcaCache.Get().Mean, PcaCache.Get().Components, seed)) { }

    private LinearAeTrainer(LinearAutoencoderRun run) : base(run.Trainer, run.Generator) => Run = run;

    /// <summary>The recipe's run.</summary>
    public LinearAutoencoderRun Run { get; }

    /// <summary>The code size k.</summary>
    public int K => Run.K;

    /// <inheritdoc />
    protected override Batch NextBatch() => Run.NextBatch();

    /// <inheritdoc />
    protected override double Step() => Run.Step();

    /// <summary>Principal angles (degrees) between the decoder's subspace and PCA's top-k subspace.</summary>
    public double[] AnglesToPca() => Run.AnglesToPca();

    /// <summary>Training-set MSE per pixel of the linear AE (all at once; the page spreads it over slices with <see cref="LinearAutoencoderRun.SquaredError"/>).</summary>
    public double TrainError() => Run.TrainError();

    /// <summary>PCA's MSE per pixel with k components: the best any rank-k linear map can do.</summary>
    public double PcaError() => PcaCache.Get().ErrorWith(K);
}

/// <summary>The digit CNN with cross-entropy and Adam.</summary>
public sealed class CnnTrainer : ZooTrainer
{
    private readonly DataLoader _loader;
    private IEnumerator<Batch>? _epoch;

    /// <summary>Creates the trainer with a fresh network from <paramref name="seed"/>, minibatches of <paramref name="batchSize"/>.</summary>
    public CnnTrainer(ulong seed = 1, float lr = 2e-3f, int batchSize = 64) : this(new Generator(seed), lr, batchSize) { }

    private CnnTrainer(Generator g, float lr, int batchSize) : this(g, new DigitCnn(g), lr, batchSize) { }

    private CnnTrainer(Generator g, DigitCnn net, float lr, int batchSize) : base(net, new CrossEntropyLoss(), new Adam(net.Parameters(), lr), g)
    {
        Network = net;
        var data = MnistArrays.Get();
        var images = new TensorDataset(data.TrainImages.Reshape(-1, 1, 28, 28), Tensor.FromArray(data.TrainLabels.Select(v => (float)v).ToArray()));
        _loader = new DataLoader(images, batchSize, shuffle: true, dropLast: true, generator: g);  // (B, 1, 28, 28), (B)
    }

    /// <summary>The network.</summary>
    public DigitCnn Network { get; }

    /// <summary>Passes over the training set so far.</summary>
    public double Epochs => Steps * (double)_loader.BatchSize / _loader.Dataset.Count;

    /// <summary>The next batch of a shuffled pass over the training digits (a new pass, a new order, when one ends).</summary>
    protected override Batch NextBatch()
    {
        if (_epoch is null || !_epoch.MoveNext())
        {
            _epoch = _loader.GetEnumerator();
            _epoch.MoveNext();
        }
        return _epoch.Current;
    }

    /// <summary>Accuracy of <paramref name="model"/> on the first <paramref name="count"/> held-out digits (all when null).</summary>
    public static double TestAccuracy(DigitCnn model, int? count = null)
    {
        int n = Math.Min(count ?? MnistArrays.Get().TestLabels.Length, MnistArrays.Get().TestLabels.Length);
        return (double)CountCorrect(model, 0, n) / n;
    }

    /// <summary>How many of the held-out digits [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) <paramref name="model"/> classifies right.</summary>
    public static int CountCorrect(DigitCnn model, int start, int count)
    {
        using var _ = Autograd.NoGrad();
        model.Eval();
        var data = MnistArrays.Get();
        int end = Math.Min(start + count, data.TestLabels.Length), correct = 0;
        for (int s = start; s < end; s += 256)
        {
            int m = Math.Min(256, end - s);
            var pred = model.Forward(data.TestImages.Narrow(0, s, m).Reshape(m, 1, 28, 28)).Argmax(1).ToArray(); // (m, 10) -> (m)
            for (int i = 0; i < m; i++) if ((int)pred[i] == data.TestLabels[s + i]) correct++;
        }
        return correct;
    }
}

/// <summary>An RNN or LSTM trained to predict the damped oscillator one step ahead.</summary>
public sealed class SequenceTrainer : ZooTrainer
{

    /// <summary>Steps per training sequence.</summary>
    public const int SeqLength = 60;

    /// <summary>The signal learned: "oscillator" or "hh" (see <see cref="ZooData.Signals"/>).</summary>
    public string Signal { get; }

    /// <summary>Creates the trainer with a fresh model.</summary>
    public SequenceTrainer(CellKind kind, ulong seed = 1, int hidden = 32, string signal = "oscillator") : this(signal, new Generator(seed), kind, hidden) { }

    private SequenceTrainer(string signal, Generator g, CellKind kind, int hidden) : this(signal, g, new SequencePredictor(kind, hidden, g)) { }

    // Gradients clipped to norm 1: the unrolled recurrence's gradients can explode early in training.
    private SequenceTrainer(string signal, Generator g, SequencePredictor model)
        : base(model, new MseLoss(), new Adam(model.Parameters(), 5e-3f), g, maxGradNorm: 1f)
    {
        Signal = signal;
        Predictor = model;
    }

    /// <summary>The predictor.</summary>
    public SequencePredictor Predictor { get; }

    /// <summary>32 windows of the signal, (32, T, 1), and the same windows one step later.</summary>
    protected override Batch NextBatch()
    {
        var (x, y) = ZooData.SignalBatch(Signal, 32, SeqLength, Generator);
        return new Batch(x, y);
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
}

/// <summary>The tiny transformer on a digit-sequence task (reverse or sort), cross-entropy per position.</summary>
public sealed class AttentionTrainer : ZooTrainer
{

    /// <summary>The task ("reverse" or "sort").</summary>
    public string Task { get; }

    /// <summary>Sequence length.</summary>
    public const int Length = 6;

    /// <summary>Creates the trainer with a fresh model.</summary>
    public AttentionTrainer(string task, ulong seed = 1, int batchSize = 64) : this(task, new Generator(seed), batchSize) { }

    private AttentionTrainer(string task, Generator g, int batchSize) : this(task, g, new TinyTransformer(Length, 32, 2, g), batchSize) { }

    private AttentionTrainer(string task, Generator g, TinyTransformer model, int batchSize)
        : base(model, new PositionwiseCrossEntropy(), new Adam(model.Parameters(), 3e-3f), g)
    {
        Task = task;
        BatchSize = batchSize;
        Transformer = model;
    }

    /// <summary>The transformer.</summary>
    public TinyTransformer Transformer { get; }

    /// <summary>Sequences per minibatch.</summary>
    public int BatchSize { get; }

    /// <summary>Random digit sequences (B, L) and their task's targets (B, L); the model's logits are (B, L, 10).</summary>
    protected override Batch NextBatch()
    {
        var (tokens, targets, _) = ZooData.SequenceBatch(Task, BatchSize, Length, Generator);
        return new Batch(tokens, targets);
    }

    /// <summary>Whole-sequence and per-digit accuracy on <paramref name="count"/> random held-out sequences (fixed seed).</summary>
    public static (double Sequence, double Digit) TestAccuracy(TinyTransformer model, string task, int count = 1000)
    {
        using var _ = Autograd.NoGrad();
        model.Eval();
        var (tokens, targets, _) = ZooData.SequenceBatch(task, count, Length, new Generator(777));
        var pred = model.Forward(tokens).Argmax(2).ToArray();
        var t = targets.ToArray();
        int seqOk = 0, digitOk = 0;
        for (int b = 0; b < count; b++)
        {
            bool all = true;
            for (int i = 0; i < Length; i++)
            {
                bool ok = pred[b * Length + i] == t[b * Length + i];
                if (ok) digitOk++; else all = false;
            }
            if (all) seqOk++;
        }
        return ((double)seqOk / count, digitOk / ((double)count * Length));
    }
}
