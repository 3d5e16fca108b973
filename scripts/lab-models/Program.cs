using System.Diagnostics;
using System.Globalization;
using Pitts.Lab.Zoo;
using Pitts.Models;

// The recipe for the architecture zoo's shipped weights: each model is trained from a fixed seed for a fixed number of
// steps, evaluated on held-out data, and saved with its numbers in the safetensors metadata. Run it from the repository
// root:   dotnet run -c Release --project scripts/lab-models -- [cnn rnn lstm denoising-ae attention-reverse attention-sort mnist-pca denoising-figures] [--out DIR]
// (mnist-pca and denoising-figures are figure data: the PCA of the training digits, the shipped denoisers' test errors and latent codes,
// which the autoencoder page would otherwise compute in the browser).
var names = new List<string>();
string outDir = Path.Combine("src", "Pitts.Lab.Client", "Models");
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--out" && i + 1 < args.Length) outDir = args[++i];
    else if (args[i] is "linear-ae" or PcaCache.FileName or DenoisingFigures.FileName) names.Add(args[i]);
    else if (ZooWeights.Names.Contains(args[i])) names.Add(args[i]);
    else
    {
        Console.Error.WriteLine($"lab-models: unknown argument '{args[i]}'; models: {string.Join(", ", ZooWeights.Names)}; figure data: {PcaCache.FileName}, {DenoisingFigures.FileName}; report: linear-ae; option: --out DIR");
        return 2;
    }
}
if (names.Count == 0) names.AddRange([.. ZooWeights.Names, PcaCache.FileName, DenoisingFigures.FileName]);
Directory.CreateDirectory(outDir);
static string F(double v) => v.ToString("G5", CultureInfo.InvariantCulture);

foreach (var name in names)
{
    if (name == PcaCache.FileName)
    {
        // Figure data, not weights: the PCA the autoencoder page compares its linear autoencoder with.
        var pcaWatch = Stopwatch.StartNew();
        var fit = PcaCache.Compute();
        string pcaPath = Path.Combine(outDir, name + ".safetensors");
        fit.Save(pcaPath);
        Console.WriteLine($"{name}: PCA of the 7,996 training digits in {pcaWatch.Elapsed.TotalSeconds:0.0} s; eigenvalues {string.Join(", ", fit.Eigenvalues.Take(4).Select(F))}, ... -> {pcaPath}");
        continue;
    }
    if (name == DenoisingFigures.FileName)
    {
        // Figure data of the shipped denoisers (run after training them): test errors at every slider noise level, latent codes.
        var figWatch = Stopwatch.StartNew();
        var ae2 = ZooAutoencoders.Denoising();
        var ae32 = ZooAutoencoders.Denoising(latent: 32);
        if (!ZooWeights.TryLoadInto("denoising-ae", ae2) || !ZooWeights.TryLoadInto("denoising-ae-32", ae32))
            throw new InvalidOperationException("denoising-figures needs the shipped denoising-ae and denoising-ae-32 (train them first)");
        var figures = DenoisingFigures.Compute(ae2, ae32);
        string figPath = Path.Combine(outDir, name + ".safetensors");
        figures.Save(figPath);
        Console.WriteLine($"{name}: {DenoisingFigures.Sigmas.Length} noise levels x 2 models in {figWatch.Elapsed.TotalSeconds:0.0} s; at sigma 0.5: {F(figures.TestMse2[10])}, {F(figures.TestMse32[10])} (noisy {F(figures.Noisy[10])}) -> {figPath}");
        continue;
    }
    if (name == "linear-ae")
    {
        // Trained live on the page, nothing shipped: report how fast it reaches PCA's subspace.
        double pcaError = PcaCache.Get().ErrorWith(2);
        Console.WriteLine($"linear-ae: rank-2 PCA MSE {F(pcaError)}");
        var lin = new LinearAeTrainer(2, seed: 5);
        double linSeconds = 0;
        foreach (int upTo in new[] { 250, 500, 1000, 2000, 4000 })
        {
            linSeconds += lin.Train(upTo - lin.Steps);
            Console.WriteLine($"  linear-ae k=2 step {lin.Steps} ({linSeconds:0.0} s): largest angle to PCA {lin.AnglesToPca().Max():0.00} deg, MSE {F(lin.TrainError())} vs PCA {F(pcaError)}");
        }
        continue;
    }
    (ZooTrainer trainer, int steps) = name switch
    {
        "denoising-ae" => ((ZooTrainer)new DenoisingTrainer(0.5f, seed: 1), 3000),
        "denoising-ae-32" => (new DenoisingTrainer(0.5f, seed: 1, latent: 32), 3000),
        "cnn" => (new CnnTrainer(seed: 1), 1500),
        "rnn" => (new SequenceTrainer(CellKind.Rnn, seed: 1), 4000),
        "lstm" => (new SequenceTrainer(CellKind.Lstm, seed: 1), 4000),
        "rnn-hh" => (new SequenceTrainer(CellKind.Rnn, seed: 1, signal: "hh"), 4000),
        "lstm-hh" => (new SequenceTrainer(CellKind.Lstm, seed: 1, signal: "hh"), 4000),
        "attention-reverse" => (new AttentionTrainer("reverse", seed: 1), 1500),
        "attention-sort" => (new AttentionTrainer("sort", seed: 1), 3000),
        _ => throw new InvalidOperationException(name),
    };
    var sw = Stopwatch.StartNew();
    double seconds = trainer.Train(steps, (s, loss) =>
    {
        if (s % 250 == 0) Console.WriteLine($"  {name} step {s}: loss {F(trainer.RecentLoss(50))} ({sw.Elapsed.TotalSeconds:0.0} s)");
    });
    var meta = new Dictionary<string, string>
    {
        ["model"] = name,
        ["steps"] = steps.ToString(CultureInfo.InvariantCulture),
        ["seconds"] = seconds.ToString("0.0", CultureInfo.InvariantCulture),
        ["recipe"] = "dotnet run -c Release --project scripts/lab-models -- " + name,
    };
    string report = "";
    switch (trainer)
    {
        case DenoisingTrainer ae:
            var (rec, noisy) = DenoisingTrainer.TestError(ae.Autoencoder, ae.Sigma);
            meta["test_mse"] = F(rec); meta["noisy_mse"] = F(noisy);
            report = $"test MSE {F(rec)} (noisy input {F(noisy)})";
            break;
        case CnnTrainer cnn:
            double acc = CnnTrainer.TestAccuracy(cnn.Network);
            meta["test_accuracy"] = F(acc); meta["epochs"] = F(cnn.Epochs);
            report = $"test accuracy {acc:P2} after {cnn.Epochs:0.0} epochs";
            break;
        case SequenceTrainer seq:
            var (one, naive, free) = SequenceTrainer.TestError(seq.Predictor, seq.Signal);
            meta["one_step_mse"] = F(one); meta["naive_mse"] = F(naive); meta["free_run_mse"] = F(free);
            report = $"one-step MSE {F(one)} (naive x(t+1)=x(t): {F(naive)}), free-running MSE {F(free)}";
            break;
        case AttentionTrainer att:
            var (sq, dg) = AttentionTrainer.TestAccuracy(att.Transformer, att.Task);
            meta["sequence_accuracy"] = F(sq); meta["digit_accuracy"] = F(dg);
            report = $"sequence accuracy {sq:P1}, digit accuracy {dg:P2}";
            break;
    }
    string path = Path.Combine(outDir, name + ".safetensors");
    ZooWeights.Save(path, trainer.Model, meta);
    Console.WriteLine($"{name}: {steps} steps in {seconds:0.0} s, {trainer.Model.ParameterCount()} parameters: {report} -> {path}");
}
return 0;
