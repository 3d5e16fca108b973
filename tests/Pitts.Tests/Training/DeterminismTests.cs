using Pitts;
using Pitts.Data;
using Pitts.Kernels;
using Pitts.NN;
using Pitts.Optim;

namespace Pitts.Tests.Training;

/// <summary>Same seed, same weights after training, bit for bit, whether GEMM runs on one thread or two.</summary>
[Collection("GemmThreads")] // changes the process-wide GEMM thread count: not in parallel with other classes that read it
public class DeterminismTests
{
    private static float[] TrainAndFlatten(int threads)
    {
        int saved = Gemm.MaxThreads;
        Gemm.MaxThreads = threads;
        try
        {
            var g = new Generator(42);
            // Big enough that the products take the parallel GEMM path (more than 96³ multiply-adds).
            var model = new Sequential(new Linear(784, 256, generator: g), new Relu(), new Linear(256, 10, generator: g));
            var data = Datasets.Mnist().Train.Slice(0, 512);
            var loader = new DataLoader(data, batchSize: 128, shuffle: true, generator: g);
            var opt = new Sgd(model.Parameters(), lr: 0.05f, momentum: 0.9f);
            var loss = new CrossEntropyLoss();
            for (int epoch = 0; epoch < 2; epoch++)
                foreach (var (x, y) in loader)
                {
                    var l = loss.Forward(model.Forward(x.Flatten(1)), y);
                    opt.ZeroGrad();
                    l.Backward();
                    opt.Step();
                }
            return model.Parameters().SelectMany(p => p.ToArray()).ToArray();
        }
        finally { Gemm.MaxThreads = saved; }
    }

    [Fact]
    public void WeightsAreBitIdenticalWhateverTheThreadCount()
    {
        var one = TrainAndFlatten(1);
        var two = TrainAndFlatten(2);
        var again = TrainAndFlatten(2);
        Assert.Equal(one.Length, two.Length);
        for (int i = 0; i < one.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(one[i]), BitConverter.SingleToInt32Bits(two[i]));
            Assert.Equal(BitConverter.SingleToInt32Bits(two[i]), BitConverter.SingleToInt32Bits(again[i]));
        }
        Assert.Contains(one, v => v != 0f);
    }
}
