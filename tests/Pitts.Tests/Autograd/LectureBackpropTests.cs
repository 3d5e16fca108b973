using Pitts;

namespace Pitts.Tests.AutogradEngine;

/// <summary>The lecture's "Backpropagation: Concrete Example", digit for digit (oracle: the lecture's own numbers).</summary>
public class LectureBackpropTests
{
    [Fact]
    public void ConcreteExampleMatchesTheLecture()
    {
        var x = Tensor.Scalar(2f);
        var y = Tensor.Scalar(1f);
        var w1 = Tensor.Scalar(0.5f).RequireGrad();
        var b1 = Tensor.Scalar(0.1f).RequireGrad();
        var w2 = Tensor.Scalar(0.8f).RequireGrad();
        var b2 = Tensor.Scalar(0f).RequireGrad();

        var z1 = w1 * x + b1;
        var v = z1.Relu().RetainGrad();
        var yHat = (w2 * v + b2).RetainGrad();
        var loss = (yHat - y).Pow(2f);

        Assert.Equal(1.1f, z1.Item(), 6);
        Assert.Equal(1.1f, v.Item(), 6);
        Assert.Equal(0.88f, yHat.Item(), 6);
        Assert.Equal(0.0144f, loss.Item(), 6);

        loss.Backward();
        Assert.Equal(-0.24f, yHat.Grad!.Item(), 6);
        Assert.Equal(-0.264f, w2.Grad!.Item(), 6);
        Assert.Equal(-0.192f, v.Grad!.Item(), 6);
        Assert.Equal(-0.384f, w1.Grad!.Item(), 6);

        // SGD update with α = 0.1: the lecture rounds to 0.538 and 0.826.
        float w1New = w1.Item() - 0.1f * w1.Grad.Item();
        float w2New = w2.Item() - 0.1f * w2.Grad.Item();
        Assert.Equal(0.5384f, w1New, 6);
        Assert.Equal(0.8264f, w2New, 6);
        Assert.Equal("0.538", w1New.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("0.826", w2New.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture));
    }
}
