using Pitts;
using Pitts.Models;
using Pitts.NN;

namespace Pitts.Tests.Models;

/// <summary>The figure data the CLI's plots and the lab's pages share, against the computations written out by hand.</summary>
public class FigureDataTests
{
    [Fact]
    public void CorruptionIsClippedGaussianNoiseAndNoneAtSigmaZero()
    {
        var x = Tensor.FromArray([0f, 0.5f, 1f, 0.25f, 0.75f, 0.1f], 2, 3);
        Assert.Same(x, FigureData.Corrupt(x, 0f, new Generator(1)));
        var noisy = FigureData.Corrupt(x, 0.3f, new Generator(7)).ToArray();
        var e = new float[6];
        new Generator(7).FillNormal(e, 0f, 0.3f);                                   // the same draws, by hand
        var clean = x.ToArray();
        for (int i = 0; i < 6; i++) Assert.Equal(Math.Clamp(clean[i] + e[i], 0f, 1f), noisy[i]);
    }

    [Fact]
    public void ReconstructionsAndCodesAreTheAutoencodersOwn()
    {
        var g = new Generator(3);
        var ae = ZooAutoencoders.Denoising(g);
        var clean = Tensor.Rand([4, 784], g);
        var (noisy, output) = FigureData.Reconstructions(ae, clean, 0.5f, new Generator(11));
        Assert.Equal(FigureData.Corrupt(clean, 0.5f, new Generator(11)).ToArray(), noisy.ToArray());
        using (Autograd.NoGrad())
        {
            Assert.Equal(ae.Decoder.Forward(ae.Encoder.Forward(noisy)).ToArray(), output.ToArray());
            Assert.Equal(ae.Encoder.Forward(clean).ToArray(), FigureData.LatentCodes(ae, clean).ToArray());
        }
        Assert.False(output.RequiresGrad);
        Assert.Equal([4, 2], FigureData.LatentCodes(ae, clean).Shape.ToArray());
    }

    [Fact]
    public void FeatureMapsFollowEachConvolutionsActivation()
    {
        var g = new Generator(5);
        var image = Tensor.Rand([2, 1, 28, 28], g);
        // The lab's digit CNN: ReLU(conv1(x)) and ReLU(conv2(pool(ReLU(conv1(x))))), as written out here.
        var cnn = new DigitCnn(g);
        var maps = FigureData.FeatureMaps(cnn, image);
        using (Autograd.NoGrad())
        {
            var a1 = cnn.Conv1.Forward(image).Relu();
            Assert.Equal(a1.ToArray(), maps[0].ToArray());
            Assert.Equal(cnn.Conv2.Forward(a1.MaxPool2d(2)).Relu().ToArray(), maps[1].ToArray());
        }
        // A Sequential: the output of the layer after each convolution.
        var conv = new Conv2d(1, 3, 3, generator: g);
        var seq = new Sequential(conv, new Tanh(), new Flatten(), new Linear(3 * 26 * 26, 2, generator: g));
        var one = Assert.Single(FigureData.FeatureMaps(seq, image));
        using (Autograd.NoGrad()) Assert.Equal(conv.Forward(image).Tanh().ToArray(), one.ToArray());
        var ex = Assert.Throws<ShapeException>(() => FigureData.FeatureMaps(new Sequential(new Linear(2, 2, generator: g)), Tensor.Zeros(1, 2)));
        Assert.Contains("no convolution layer", ex.Message);
    }
}
