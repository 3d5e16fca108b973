namespace Pitts.Tests.Examples;

public class BeautifulMnistTests
{
    [Fact]
    public void TheExampleLearnsTheShippedDigitsOnASmallSlice()
    {
        // 2,000 training digits, 2 epochs: the held-out accuracy (2,004 real MNIST digits) must pass 85%.
        var log = new StringWriter();
        double accuracy = Mnist.Train(epochs: 2, trainLimit: 2000, log);
        Assert.True(accuracy > 0.85, $"test accuracy {accuracy:P2}\n{log}");
        Assert.Contains("epoch 2: test accuracy", log.ToString());
    }
}
