// A CNN that learns the shipped MNIST digits in about 50 lines: data, model, loop, accuracy.
// dotnet run -c Release --project examples/BeautifulMnist [-- --epochs 5 --train-limit 8000]
using Pitts;
using Pitts.Data;
using Pitts.NN;
using Pitts.Optim;

int epochs = 5, limit = int.MaxValue;
for (int i = 0; i < args.Length; i += 2)
{
    if (args[i] is not ("--epochs" or "--train-limit") || i + 1 >= args.Length || !int.TryParse(args[i + 1], out int v) || v < 1)
    {
        Console.Error.WriteLine($"BeautifulMnist: bad argument '{args[i]}'; usage: [--epochs N] [--train-limit N], N a positive whole number");
        return 2;
    }
    if (args[i] == "--epochs") epochs = v; else limit = v;
}
double accuracy = Mnist.Train(epochs, limit, Console.Out);
return accuracy > 0.95 ? 0 : 1;

/// <summary>The example as a method, so a test can run it on a small slice.</summary>
public static class Mnist
{
    /// <summary>Trains the CNN and returns its accuracy on the 2,004 held-out digits.</summary>
    public static double Train(int epochs, int trainLimit, TextWriter log, ulong seed = 0)
    {
        Generator.ManualSeed(seed);
        var data = Datasets.Mnist();                                      // 7,996 train / 2,004 test, (N,1,28,28) in [0,1]
        var train = data.Train.Slice(0, Math.Min(trainLimit, data.Train.Count));
        var loader = new DataLoader(train, batchSize: 64, shuffle: true);

        var model = new Sequential(
            new Conv2d(1, 16, 5, padding: 2), new Relu(), new MaxPool2d(2),    // (N,16,14,14)
            new Conv2d(16, 32, 5, padding: 2), new Relu(), new MaxPool2d(2),   // (N,32,7,7)
            new Flatten(), new Linear(32 * 7 * 7, 10));                        // (N,10) logits
        var criterion = new CrossEntropyLoss();
        var optimizer = new Adam(model.Parameters(), lr: 2e-3f);
        var schedule = new CosineAnnealingLr(optimizer, tMax: epochs);       // large steps first, fine ones at the end

        double acc = 0;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            model.Train();
            foreach (var (x, y) in loader)
            {
                var loss = criterion.Forward(model.Forward(x), y);
                optimizer.ZeroGrad();
                loss.Backward();
                optimizer.Step();
            }
            schedule.Step();
            acc = Accuracy(model, data.Test);
            log.WriteLine($"epoch {epoch}: test accuracy {acc:P2}");
        }
        return acc;
    }

    private static double Accuracy(Module model, TensorDataset test)
    {
        model.Eval();
        using var _ = Autograd.NoGrad();
        var predicted = model.Forward(test.Inputs).Argmax(1);
        return predicted.Eq(test.Targets).Mean().Item();
    }
}
