using System.Diagnostics;
using System.Globalization;
using Pitts.Lab.Zoo;

// The recipe for the architecture zoo's shipped weights: each model is trained from a fixed seed for a fixed number of
// steps, evaluated on held-out data, and saved with its numbers in the safetensors metadata. Run it from the repository
// root:   dotnet run -c Release --project scripts/lab-models -- [cnn rnn lstm denoising-ae attention-reverse attention-sort] [--out DIR]
var names = new List<string>();
string outDir = Path.Combine("src", "Pitts.Lab.Client", "Models");
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--out" && i + 1 < args.Length) outDir = args[++i];
    else if (args[i] == "linear-ae") names.Add(args[i]);
    else if (ZooWeights.Names.Contains(args[i])) names.Add(args[i]);
    else
    {
        Console.Error.WriteLine($"lab-models: unknown argument '{args[i]}'; models: {string.Join(", ", ZooWeights.Names)}; option: --out DIR");
        return 2;
    }
}
if (names.Count == 0) names.AddRange(ZooWeights.Names);
Directory.CreateDirectory(outDir);
static string F(double v) => v.ToString("G5", CultureInfo.InvariantCulture);

foreach (var name in names)
{
    if (name == "linear-ae")
    {
        // Trained live on the page, nothing shipped: report how fast it reaches PCA's subspace.
        var pcaWatch = Stopwatch.StartNew();
        double pcaError = PcaCache.Get().ErrorWith(2);
        Console.WriteLine($"linear-ae: PCA of the 7,996 training digits in {pcaWatch.Elapsed.TotalSeconds:0.0} s; rank-2 PCA MSE {F(pcaError)}");
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
