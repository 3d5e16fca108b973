// The lecture's "Training in Practice: PyTorch" example, line for line in C#:
// a 1 → 20 → 15 → 1 ReLU network fitted to 30 points of sin(x) on [-3, 3] with Adam and MSE.
using System.Globalization;
using Pitts;
using Pitts.NN;
using Pitts.Optim;

Generator.ManualSeed(0);
var xTrain = Tensor.Linspace(-3, 3, 30).Reshape(30, 1);
var yTrain = xTrain.Sin();

var net = new Net();
var criterion = new MseLoss();
var optimizer = new Adam(net.Parameters(), lr: 0.01f);

for (int epoch = 0; epoch < 5000; epoch++)
{
    var output = net.Forward(xTrain);
    var loss = criterion.Forward(output, yTrain);
    loss.Backward();          // Backpropagation
    optimizer.Step();         // Update weights
    optimizer.ZeroGrad();     // Reset gradients

    if (epoch % 500 == 0 || epoch == 4999)
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch,4}  loss {loss.Item():F6}"));
}

class Net : Module
{
    private readonly Linear fc1, fc2, fc3;

    public Net()
    {
        fc1 = RegisterModule("fc1", new Linear(1, 20));
        fc2 = RegisterModule("fc2", new Linear(20, 15));
        fc3 = RegisterModule("fc3", new Linear(15, 1));
    }

    public override Tensor Forward(Tensor x)
    {
        x = fc1.Forward(x).Relu();
        x = fc2.Forward(x).Relu();
        return fc3.Forward(x);
    }
}
