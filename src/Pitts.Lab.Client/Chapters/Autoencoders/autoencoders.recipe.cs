#:project ../../../Pitts/Pitts.csproj
#:project ../../../Pitts.Lab.Models.Autoencoders/Pitts.Lab.Models.Autoencoders.csproj
// Autoencoders on MNIST: the denoising autoencoder 784 → 256 → 64 → d → 64 → 256 → 784 (d = 2 or 32), trained on digits
// corrupted by noise x̃ = clip(x + σε, 0, 1) to give back the clean x; its test error at σ, the 2-D codes of held-out
// digits (the latent plane) and a decoded point; a fresh one trained as the page's Run does; and a linear autoencoder
// 784 → k → 784 on centred digits, which learns PCA's subspace. The lab's page runs this file; on its own, from the
// repository's root:
//   dotnet run -c Release src/Pitts.Lab.Client/Chapters/Autoencoders/autoencoders.recipe.cs
using Pitts;
using Pitts.Data;
using Pitts.IO;
using Pitts.Models;
using Pitts.NN;
using Pitts.Optim;
using Pitts.Training;

#if !PITTS_LAB // the lab compiles the classes below into itself and runs them in slices between repaints
var settings = new AutoencodersSettings(Sigma: 0.5, Code: 2, Z1: null, Z2: null, K: 2, Seed: 1, LiveSteps: 1000, LinearSteps: 1000);
var mnist = Datasets.Mnist();
var train = mnist.Train.Inputs.Reshape(mnist.Train.Count, 784);        // (7996, 784), pixels in [0, 1]
var test = mnist.Test.Inputs.Reshape(mnist.Test.Count, 784);           // (2004, 784)
var labels = mnist.Test.Targets.ToArray().Select(v => (int)v).ToArray();

// The shipped denoiser: scripts/lab-models trained it with DenoisingRun below (σ = 0.5, seed 1, 3,000 steps of 128 digits).
var ae = ZooAutoencoders.Denoising(latent: settings.Code);
using (var file = System.Reflection.Assembly.Load("Pitts.Lab.Models.Autoencoders")
    .GetManifestResourceStream($"Pitts.Lab.Models.{(settings.Code == 32 ? "denoising-ae-32" : "denoising-ae")}.safetensors")!)
    ae.LoadStateDict(Safetensors.Load(file).Tensors);
var (mse, noisyMse) = TestErrorRun.TestError(ae, test, (float)settings.Sigma);
Console.WriteLine($"shipped {settings.Code}-number denoiser at σ = {settings.Sigma}: test MSE {mse:0.00000} (noisy input {noisyMse:0.00000})");
if (settings.Code == 2)
{
    var plane = LatentPlane.Of(ae, test, labels);
    var z = (settings.Z1 ?? plane.Centre.Z1, settings.Z2 ?? plane.Centre.Z2);
    var image = plane.Decode(ae, z).ToArray();                           // (1, 784)
    Console.WriteLine($"latent plane [{plane.Box.X0}, {plane.Box.X1}] × [{plane.Box.Y0}, {plane.Box.Y1}]: g(z) at z = ({z.Item1}, {z.Item2}) "
        + $"has mean pixel {image.Average():0.0000}; the nearest codes are mostly {plane.Nearest(z)}s");
}

// A fresh denoiser trained as the page's Run does: batches of 16 from random weights.
var live = new DenoisingRun((float)settings.Sigma, settings.Seed, settings.Code, DenoisingRun.LiveBatch, train);
double loss = double.NaN;
for (int step = 0; step < settings.LiveSteps; step++)
    loss = live.Step();
Console.WriteLine($"live run (seed {settings.Seed}): loss {loss:0.00000} at step {settings.LiveSteps}");

// The linear autoencoder against PCA of the same digits (its top 8 directions, as the lab ships them: the page offers k ≤ 8).
var (components, eigenvalues, mean, total) = Pca.Fit(train, 8);
var linear = new LinearAutoencoderRun(settings.K, train, mean, components);
for (int step = 0; step < settings.LinearSteps; step++)
    linear.Step();
Console.WriteLine($"linear autoencoder k = {settings.K} after {settings.LinearSteps} steps: MSE {linear.TrainError():0.000000} "
    + $"(PCA {Pca.RankKError(total, eigenvalues, settings.K, 784):0.000000}), largest angle to PCA's subspace {linear.AnglesToPca().Max():0.00}°");
#endif

/// <summary>
/// What the page's controls change: the noise σ, the code size (2 or 32), the clicked point (Z1, Z2) of the latent plane
/// (null: its centre), the linear autoencoder's code size k, and the live runs: the seed and steps of the denoiser
/// trained from scratch, and the steps of the linear autoencoder.
/// </summary>
public sealed record AutoencodersSettings(double Sigma, int Code, double? Z1, double? Z2, int K, ulong Seed, int LiveSteps, int LinearSteps);

/// <summary>
/// The denoising autoencoder's training: random minibatches of training digits, corrupted (input) and clean (target),
/// MSE and Adam, one step of the library's <see cref="Pitts.Training.Trainer"/> (forward, loss, zero_grad, backward, step)
/// per <see cref="Step"/>. scripts/lab-models trains the shipped weights with it, the page's Run a fresh model.
/// </summary>
public sealed class DenoisingRun
{
    /// <summary>The page's live minibatch (a step of it is tens of milliseconds in the browser's interpreter; scripts/lab-models uses 128).</summary>
    public const int LiveBatch = 16;

    private readonly Tensor train;

    /// <summary>Builds a fresh model from <paramref name="seed"/> with a code of <paramref name="latent"/> numbers, on <paramref name="trainImages"/> (N, 784).</summary>
    public DenoisingRun(float sigma, ulong seed, int latent, int batchSize, Tensor trainImages)
    {
        Sigma = sigma;
        BatchSize = batchSize;
        train = trainImages;
        Generator = new Generator(seed);
        Autoencoder = ZooAutoencoders.Denoising(Generator, latent);
        Trainer = new Trainer(Autoencoder, new MseLoss(), new Adam(Autoencoder.Parameters(), 2e-3f)) { Generator = Generator };
    }

    /// <summary>Noise level σ of the corruption.</summary>
    public float Sigma { get; }

    /// <summary>Digits per minibatch.</summary>
    public int BatchSize { get; }

    /// <summary>The generator of the weights, the minibatches and the noise.</summary>
    public Generator Generator { get; }

    /// <summary>The autoencoder.</summary>
    public Autoencoder Autoencoder { get; }

    /// <summary>The library's trainer: model, loss, optimizer.</summary>
    public Trainer Trainer { get; }

    /// <summary><see cref="BatchSize"/> random training digits with noise σ (input) and clean (target), (B, 784) each.</summary>
    public Batch NextBatch()
    {
        var idx = Enumerable.Range(0, BatchSize).Select(_ => (int)Generator.NextInt64(0, train.Shape[0])).ToArray();
        var clean = train.IndexSelect(0, idx);                                 // (B, 784)
        return new Batch(FigureData.Corrupt(clean, Sigma, Generator), clean);
    }

    /// <summary>One optimizer step on a fresh minibatch; returns its loss (a NaN loss throws NonFiniteLossException).</summary>
    public double Step()
    {
        Autoencoder.Train();
        return Trainer.Step(NextBatch());
    }
}

/// <summary>
/// The test MSE of a denoiser at noise σ (fixed noise seed) over the held-out digits, and of the noisy input itself, one
/// block of <see cref="Block"/> digits per <see cref="Advance"/>, so that a page can spread it over time slices; each
/// block's squared errors are summed in float32 and the blocks' sums in double.
/// </summary>
public sealed class TestErrorRun
{
    /// <summary>Digits per block.</summary>
    public const int Block = 50;

    private readonly Autoencoder model;
    private readonly Tensor test;
    private readonly float sigma;
    private readonly Generator noise = new(12345);
    private double reconstruction, raw;

    /// <summary>Starts the evaluation of <paramref name="model"/> on <paramref name="testImages"/> (N, 784) at noise σ = <paramref name="sigma"/>.</summary>
    public TestErrorRun(Autoencoder model, Tensor testImages, float sigma) => (this.model, test, this.sigma) = (model, testImages, sigma);

    /// <summary>Digits evaluated so far.</summary>
    public int Done { get; private set; }

    /// <summary>Digits in all.</summary>
    public int Count => test.Shape[0];

    /// <summary>The (reconstruction, noisy input) MSE per pixel over the digits done so far.</summary>
    public (double Reconstruction, double Noisy) Result => Done == 0 ? (double.NaN, double.NaN) : (reconstruction / ((double)Done * 784), raw / ((double)Done * 784));

    /// <summary>Evaluates the next block of digits; true when all are done.</summary>
    public bool Advance()
    {
        int m = Math.Min(Block, Count - Done);
        if (m > 0)
        {
            var clean = test.Narrow(0, Done, m);                               // (m, 784)
            // The noise block by block from one generator: the same values as for all digits at once (normals come in
            // pairs, and every block holds an even number of pixels).
            var (noisy, output) = FigureData.Reconstructions(model, clean, sigma, noise);
            using (Autograd.NoGrad())
            {
                reconstruction += Functional.MseLoss(output, clean, Reduction.Sum).Item();
                raw += Functional.MseLoss(noisy, clean, Reduction.Sum).Item();
            }
            Done += m;
        }
        return Done >= Count;
    }

    /// <summary>The whole evaluation at once: (reconstruction, noisy input) test MSE per pixel.</summary>
    public static (double Reconstruction, double Noisy) TestError(Autoencoder model, Tensor testImages, float sigma)
    {
        var run = new TestErrorRun(model, testImages, sigma);
        while (!run.Advance()) { }
        return run.Result;
    }
}

/// <summary>The 2-D codes of held-out digits, the box the plane shows, and the decoder at a point of it.</summary>
public sealed class LatentPlane
{
    /// <summary>Digits per class drawn in the plane (the first of each class in the held-out set).</summary>
    public const int PerClass = 100;

    /// <summary>The plane of <paramref name="codes"/> (x, y) with the <paramref name="labels"/> of their digits.</summary>
    public LatentPlane(IReadOnlyList<(double X, double Y)> codes, IReadOnlyList<int> labels)
    {
        Codes = codes;
        Labels = labels;
        // The 1st to 99th percentile of each coordinate, padded: a few far-out codes do not squeeze the clusters.
        var xs = codes.Select(c => c.X).Order().ToArray();
        var ys = codes.Select(c => c.Y).Order().ToArray();
        double x0 = xs[xs.Length / 100], x1 = xs[xs.Length - 1 - xs.Length / 100], y0 = ys[ys.Length / 100], y1 = ys[ys.Length - 1 - ys.Length / 100];
        double px = Math.Max((x1 - x0) * 0.08, 1e-3), py = Math.Max((y1 - y0) * 0.08, 1e-3);
        Box = (Round(x0 - px, false), Round(x1 + px, true), Round(y0 - py, false), Round(y1 + py, true));
    }

    /// <summary>The indices of the first <paramref name="perClass"/> digits of each class among <paramref name="labels"/>, digit by digit.</summary>
    public static int[] Sample(IReadOnlyList<int> labels, int perClass = PerClass) =>
        [.. Enumerable.Range(0, 10).SelectMany(d => Enumerable.Range(0, labels.Count).Where(i => labels[i] == d).Take(perClass))];

    /// <summary>The plane of <paramref name="model"/>'s codes z = f(x) of the <see cref="Sample"/> of the held-out digits.</summary>
    public static LatentPlane Of(Autoencoder model, Tensor test, IReadOnlyList<int> labels)
    {
        var sample = Sample(labels);
        var z = FigureData.LatentCodes(model, test.IndexSelect(0, sample)).ToArray();   // (1000, 2)
        return new LatentPlane([.. sample.Select((_, i) => ((double)z[2 * i], (double)z[2 * i + 1]))], [.. sample.Select(i => labels[i])]);
    }

    /// <summary>The codes.</summary>
    public IReadOnlyList<(double X, double Y)> Codes { get; }

    /// <summary>Their digits' labels.</summary>
    public IReadOnlyList<int> Labels { get; }

    /// <summary>The plane shown: [X0, X1] × [Y0, Y1], rounded outwards.</summary>
    public (double X0, double X1, double Y0, double Y1) Box { get; }

    /// <summary>The centre of the box.</summary>
    public (double Z1, double Z2) Centre => ((Box.X0 + Box.X1) / 2, (Box.Y0 + Box.Y1) / 2);

    /// <summary>The label most of the 15 codes nearest to <paramref name="z"/> have.</summary>
    public int Nearest((double Z1, double Z2) z) =>
        Codes.Select((c, i) => (D: (c.X - z.Z1) * (c.X - z.Z1) + (c.Y - z.Z2) * (c.Y - z.Z2), Label: Labels[i])).OrderBy(c => c.D).Take(15)
            .GroupBy(c => c.Label).OrderByDescending(g => g.Count()).First().Key;

    /// <summary>The decoder's digit g(z) at <paramref name="z"/>: (1, 784).</summary>
    public Tensor Decode(Autoencoder model, (double Z1, double Z2) z)
    {
        model.Eval();
        using var _ = Autograd.NoGrad();
        return model.Decode(Tensor.FromArray([(float)z.Z1, (float)z.Z2], 1, 2));
    }

    private static double Round(double v, bool up)
    {
        double step = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(Math.Abs(v), 1e-3)))) / 2;
        return up ? Math.Ceiling(v / step) * step : Math.Floor(v / step) * step;
    }
}

/// <summary>
/// A linear autoencoder without biases, 784 → k → 784, on centred digits, trained with MSE and Adam on minibatches of
/// 256, and compared with PCA: on centred data the best rank-k reconstruction is the projection onto the top k principal
/// directions (Eckart-Young), so its decoder's columns come to span PCA's subspace.
/// </summary>
public sealed class LinearAutoencoderRun
{
    /// <summary>Rows per block of <see cref="SquaredError"/> (a page spreads <see cref="TrainError"/> over time slices with it).</summary>
    public const int Block = 500;

    private readonly Tensor centred;
    private readonly double[,] pca;

    /// <summary>The code size k.</summary>
    public int K { get; }

    /// <summary>The generator of the weights and the minibatches.</summary>
    public Generator Generator { get; }

    /// <summary>The autoencoder.</summary>
    public Autoencoder Autoencoder { get; }

    /// <summary>The library's trainer: model, loss, optimizer.</summary>
    public Trainer Trainer { get; }

    /// <summary>
    /// Builds the model (weights from <paramref name="seed"/>) on <paramref name="trainImages"/> (N, 784) less their
    /// <paramref name="mean"/>, compared with the first k columns of <paramref name="pcaComponents"/> (784 × ≥ k).
    /// </summary>
    public LinearAutoencoderRun(int k, Tensor trainImages, float[] mean, double[,] pcaComponents, ulong seed = 3)
    {
        K = k;
        Generator = new Generator(seed);
        Autoencoder = ZooAutoencoders.Linear(k, Generator);
        Trainer = new Trainer(Autoencoder, new MseLoss(), new Adam(Autoencoder.Parameters(), 3e-3f)) { Generator = Generator };
        centred = trainImages - Tensor.FromArray(mean);                      // (N, 784)
        pca = new double[784, k];
        for (int r = 0; r < 784; r++) for (int c = 0; c < k; c++) pca[r, c] = pcaComponents[r, c];
    }

    /// <summary>Centred training digits in all.</summary>
    public int Count => centred.Shape[0];

    /// <summary>256 random centred training digits, input and target alike.</summary>
    public Batch NextBatch()
    {
        var idx = Enumerable.Range(0, 256).Select(_ => (int)Generator.NextInt64(0, centred.Shape[0])).ToArray();
        var x = centred.IndexSelect(0, idx);                                   // (256, 784)
        return new Batch(x, x);
    }

    /// <summary>One optimizer step on a fresh minibatch; returns its loss.</summary>
    public double Step() => Trainer.Step(NextBatch());

    /// <summary>The decoder's columns (784 × k): the subspace the reconstructions live in.</summary>
    public double[,] DecoderBasis()
    {
        var w = ((Linear)Autoencoder.Decoder).Weight.ToArray();              // (784, k)
        var m = new double[784, K];
        for (int r = 0; r < 784; r++) for (int c = 0; c < K; c++) m[r, c] = w[r * K + c];
        return m;
    }

    /// <summary>Principal angles (degrees) between the decoder's subspace and PCA's top-k subspace.</summary>
    public double[] AnglesToPca() => Pca.PrincipalAngles(DecoderBasis(), pca);

    /// <summary>The sum of squared reconstruction errors of centred digits [start, start + count), in double (the gap to PCA is far below float32 summation error).</summary>
    public double SquaredError(int start, int count)
    {
        using var _ = Autograd.NoGrad();
        var x = centred.Narrow(0, start, Math.Min(count, Count - start));     // (count, 784)
        var diff = (Autoencoder.Forward(x) - x).ToArray();
        double sum = 0;
        foreach (float d in diff) sum += (double)d * d;
        return sum;
    }

    /// <summary>Training-set MSE per pixel.</summary>
    public double TrainError()
    {
        double sum = 0;
        for (int start = 0; start < Count; start += Block) sum += SquaredError(start, Block);
        return sum / ((double)Count * 784);
    }
}
