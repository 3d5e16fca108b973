using Pitts;
using Pitts.NN;

namespace Pitts.Tests.NN;

/// <summary>The lecture's Net (fc1 1→20, fc2 20→15, fc3 15→1, ReLU), shared by the NN tests.</summary>
internal sealed class Net : Module
{
    private readonly Linear fc1, fc2, fc3;

    public Net(Generator g)
    {
        fc1 = RegisterModule("fc1", new Linear(1, 20, generator: g));
        fc2 = RegisterModule("fc2", new Linear(20, 15, generator: g));
        fc3 = RegisterModule("fc3", new Linear(15, 1, generator: g));
    }

    public override Tensor Forward(Tensor x)
    {
        x = fc1.Forward(x).Relu();
        x = fc2.Forward(x).Relu();
        return fc3.Forward(x);
    }
}
