using Pitts;
using Pitts.NN;
using Pitts.Optim;

namespace Pitts.Tests.NN;

/// <summary>The lecture's "Training in Practice: PyTorch" example, as written in docs/NN.md and examples/LectureMlp.</summary>
public class LectureExampleTests
{
    private static float Train(float weightDecay, int epochs, ulong seed)
    {
        var xTrain = Tensor.Linspace(-3, 3, 30).Reshape(30, 1);
        var yTrain = xTrain.Sin();
        var net = new Net(new Generator(seed));
        var criterion = new MseLoss();
        var optimizer = new Adam(net.Parameters(), lr: 0.01f, weightDecay: weightDecay);
        float first = 0, last = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var output = net.Forward(xTrain);
            var loss = criterion.Forward(output, yTrain);
            loss.Backward();
            optimizer.Step();
            optimizer.ZeroGrad();
            if (epoch == 0) first = loss.Item();
            last = loss.Item();
        }
        Assert.True(first > 0.1f, $"initial loss {first}");
        return last;
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void TheLoopFitsSinWellWithinTwoThousandEpochs(ulong seed)
    {
        float loss = Train(0f, 2000, seed);
        Assert.True(loss < 2e-3f, $"MSE after 2000 epochs: {loss}");
    }

    [Fact]
    public void WeightDecayFromTheRegularisationSlideStillFits()
    {
        // optim.Adam(net.parameters(), lr=0.01, weight_decay=1e-3): a small L2 pull, the fit remains good.
        float loss = Train(1e-3f, 2000, 4);
        Assert.True(loss < 1e-2f, $"MSE after 2000 epochs with weight decay: {loss}");
    }
}
