using Pitts.NN;
using Pitts.Optim;

namespace Pitts.Lab.Widgets;

/// <summary>The lecture's <c>Net</c>: fc1 = Linear(1, 20), fc2 = Linear(20, 15), fc3 = Linear(15, 1), ReLU between.</summary>
public sealed class LectureNet : Module
{
    private readonly Linear _fc1, _fc2, _fc3;

    /// <summary>Creates the network with PyTorch's default initialisation from <paramref name="generator"/>.</summary>
    public LectureNet(Generator generator)
    {
        _fc1 = RegisterModule("fc1", new Linear(1, 20, generator: generator));
        _fc2 = RegisterModule("fc2", new Linear(20, 15, generator: generator));
        _fc3 = RegisterModule("fc3", new Linear(15, 1, generator: generator));
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x)
    {
        x = _fc1.Forward(x).Relu();
        x = _fc2.Forward(x).Relu();
        return _fc3.Forward(x);
    }
}

/// <summary>The lecture's training loop, one epoch per <see cref="Epoch"/> call, with its history for live plots.</summary>
public sealed class LectureTraining
{
    private readonly Optimizer _optimizer;
    private readonly MseLoss _criterion = new();

    /// <summary>The network.</summary>
    public LectureNet Net { get; }

    /// <summary>x_train: 30 points on [-3, 3], shape (30, 1).</summary>
    public Tensor XTrain { get; } = Tensor.Linspace(-3, 3, 30).Reshape(30, 1);

    /// <summary>y_train = sin(x_train).</summary>
    public Tensor YTrain { get; }

    /// <summary>Epochs run.</summary>
    public int EpochsDone { get; private set; }

    /// <summary>Epochs wanted.</summary>
    public int Epochs { get; }

    /// <summary>(epoch, loss) samples, thinned to at most about 2000 points so memory stays bounded.</summary>
    public TrainingCurve<(int Epoch, double Loss)> History { get; } = new(2000, h => h.Epoch);

    /// <summary>The last loss.</summary>
    public double LastLoss { get; private set; } = double.NaN;

    /// <summary>Builds the net, data and optimizer (adam or sgd) as in the lecture.</summary>
    public LectureTraining(string optimizer, double lr, int epochs, ulong seed)
    {
        Net = new LectureNet(new Generator(seed));
        YTrain = XTrain.Sin();
        Epochs = epochs;
        _optimizer = optimizer == "sgd" ? new Sgd(Net.Parameters(), (float)lr) : new Adam(Net.Parameters(), (float)lr);
    }

    /// <summary>One epoch: output = net(x), loss, backward, step, zero_grad (the lecture's order).</summary>
    public double Epoch()
    {
        var output = Net.Forward(XTrain);
        var loss = _criterion.Forward(output, YTrain);
        loss.Backward();          // Backpropagation
        _optimizer.Step();        // Update weights
        _optimizer.ZeroGrad();    // Reset gradients
        LastLoss = loss.Item();
        History.Record((EpochsDone, LastLoss));
        EpochsDone++;
        return LastLoss;
    }

    /// <summary>The network's prediction on a grid.</summary>
    public double[] Predict(double[] x)
    {
        using var _ = Autograd.NoGrad();
        return Net.Forward(Tensor.FromArray(x.Select(v => (float)v).ToArray(), x.Length, 1)).ToArray().Select(v => (double)v).ToArray();
    }
}
