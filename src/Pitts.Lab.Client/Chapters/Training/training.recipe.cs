#:project ../../../Pitts/Pitts.csproj
// Training in practice: the lecture's network (1 → 20 → 15 → 1, ReLU), its MSE loss, its optimizer and its loop, in C#.
// The lab's page runs this file; on its own, from the repository's root:
//   dotnet run -c Release src/Pitts.Lab.Client/Chapters/Training/training.recipe.cs
using Pitts;
using Pitts.NN;
using Pitts.Optim;

#if !PITTS_LAB // the lab compiles the classes below into itself and runs the epochs a few per frame
var settings = new TrainingSettings(Optimizer: "adam", Lr: 0.01, Epochs: 5000, Seed: 0);
var training = new TrainingRecipe(settings);
for (int epoch = 0; epoch < settings.Epochs; epoch++)
    training.Epoch();
Console.WriteLine($"epoch {settings.Epochs}: loss {training.Loss:G6}");
#endif

/// <summary>What the page's controls change: the optimizer (adam or sgd), its learning rate, the epochs, the seed.</summary>
public sealed record TrainingSettings(string Optimizer, double Lr, int Epochs, ulong Seed);

/// <summary>The lecture's <c>Net</c>: fc1 = Linear(1, 20), fc2 = Linear(20, 15), fc3 = Linear(15, 1), ReLU between.</summary>
public sealed class LectureNet : Module
{
    private readonly Linear fc1, fc2, fc3;

    /// <summary>Creates the layers with PyTorch's default initialisation, drawn from <paramref name="generator"/>.</summary>
    public LectureNet(Generator generator)
    {
        fc1 = RegisterModule("fc1", new Linear(1, 20, generator: generator));
        fc2 = RegisterModule("fc2", new Linear(20, 15, generator: generator));
        fc3 = RegisterModule("fc3", new Linear(15, 1, generator: generator));
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x)
    {
        x = fc1.Forward(x).Relu();
        x = fc2.Forward(x).Relu();
        return fc3.Forward(x);
    }
}

/// <summary>The data, network, loss and optimizer of the lecture, one epoch of its loop per <see cref="Epoch"/>.</summary>
public sealed class TrainingRecipe
{
    private readonly MseLoss criterion = new();
    private readonly Optimizer optimizer;

    /// <summary>x_train: 30 points on [-3, 3], (30, 1).</summary>
    public Tensor XTrain { get; } = Tensor.Linspace(-3, 3, 30).Reshape(30, 1);

    /// <summary>y_train = sin(x_train), (30, 1).</summary>
    public Tensor YTrain { get; }

    /// <summary>The network.</summary>
    public LectureNet Net { get; }

    /// <summary>The loss of the latest epoch (NaN before the first).</summary>
    public double Loss { get; private set; } = double.NaN;

    /// <summary>Builds the data, the network and the optimizer for <paramref name="s"/>.</summary>
    public TrainingRecipe(TrainingSettings s)
    {
        YTrain = XTrain.Sin();
        Net = new LectureNet(new Generator(s.Seed));
        optimizer = s.Optimizer == "sgd" ? new Sgd(Net.Parameters(), lr: (float)s.Lr) : new Adam(Net.Parameters(), lr: (float)s.Lr);
    }

    /// <summary>One epoch of the lecture's loop, on all 30 points at once; returns the loss.</summary>
    public double Epoch()
    {
        var output = Net.Forward(XTrain);
        var loss = criterion.Forward(output, YTrain);
        loss.Backward();          // Backpropagation
        optimizer.Step();         // Update weights
        optimizer.ZeroGrad();     // Reset gradients
        Loss = loss.Item();
        return Loss;
    }
}
