using Pitts.Data;

namespace Pitts.Tests.Data;

public class DataLoaderTests
{
    private static TensorDataset Numbered(int n)
    {
        // input i = [i, 10 i], target i = i: every batch shows which examples it holds
        var x = new float[2 * n];
        var y = new float[n];
        for (int i = 0; i < n; i++) { x[2 * i] = i; x[2 * i + 1] = 10 * i; y[i] = i; }
        return new TensorDataset(Tensor.FromArray(x, n, 2), Tensor.FromArray(y, n));
    }

    [Fact]
    public void SequentialLoaderGivesBatchesInOrderWithAShortLastBatch()
    {
        var loader = new DataLoader(Numbered(10), batchSize: 4);
        var batches = loader.ToList();
        Assert.Equal(3, loader.Count);
        Assert.Equal([4, 4, 2], batches.Select(b => b.Inputs.Shape[0]));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), batches.SelectMany(b => b.Targets.ToArray()));
        Assert.Equal([8f, 80f, 9f, 90f], batches[2].Inputs.ToArray());
        Assert.Equal([2, 2], batches[2].Inputs.Shape);
    }

    [Fact]
    public void DropLastSkipsTheShortBatch()
    {
        var loader = new DataLoader(Numbered(10), batchSize: 4, dropLast: true);
        Assert.Equal(2, loader.Count);
        Assert.Equal(2, loader.Count());
        Assert.All(loader, b => Assert.Equal(4, b.Inputs.Shape[0]));
        Assert.Equal(3, new DataLoader(Numbered(12), batchSize: 4, dropLast: true).Count());
    }

    [Fact]
    public void ShuffledPassVisitsEveryExampleOnceAndInputsStayPairedWithTargets()
    {
        var loader = new DataLoader(Numbered(103), batchSize: 8, shuffle: true, generator: new Generator(1));
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var seen = new List<float>();
            foreach (var (x, y) in loader)
            {
                var xs = x.ToArray();
                var ys = y.ToArray();
                for (int i = 0; i < ys.Length; i++)
                {
                    Assert.Equal(ys[i], xs[2 * i]);
                    Assert.Equal(10 * ys[i], xs[2 * i + 1]);
                }
                seen.AddRange(ys);
            }
            Assert.Equal(Enumerable.Range(0, 103).Select(i => (float)i), seen.Order());
            Assert.NotEqual(Enumerable.Range(0, 103).Select(i => (float)i), seen);
        }
    }

    [Fact]
    public void SameSeedSameOrderAndEachEpochDrawsANewOrder()
    {
        float[] Order(DataLoader l) => l.SelectMany(b => b.Targets.ToArray()).ToArray();
        var a = new DataLoader(Numbered(50), 7, shuffle: true, generator: new Generator(99));
        var b = new DataLoader(Numbered(50), 7, shuffle: true, generator: new Generator(99));
        var a1 = Order(a);
        var a2 = Order(a);
        Assert.Equal(a1, Order(b));
        Assert.Equal(a2, Order(b));
        Assert.NotEqual(a1, a2);
        Assert.NotEqual(a1, Order(new DataLoader(Numbered(50), 7, shuffle: true, generator: new Generator(100))));
    }

    [Fact]
    public void ShuffleIsUniformOverPositions()
    {
        // Over 4000 epochs of 5 examples, each example lands first about 800 times (binomial sd about 25).
        var loader = new DataLoader(Numbered(5), 5, shuffle: true, generator: new Generator(5));
        var first = new int[5];
        for (int e = 0; e < 4000; e++) first[(int)loader.First().Targets.ToArray()[0]]++;
        Assert.All(first, c => Assert.InRange(c, 700, 900));
    }

    [Fact]
    public void ResumingMidEpochFromASavedOrderAndGeneratorStateSeesTheSameBatches()
    {
        float[] Flat(IEnumerable<Batch> bs) => bs.SelectMany(b => b.Targets.ToArray()).ToArray();
        var g = new Generator(77);
        var loader = new DataLoader(Numbered(30), 4, shuffle: true, generator: g);
        var state = g.GetState();
        var epoch1 = Flat(loader);
        var epoch2 = Flat(loader);
        // "New process": restore the generator state saved at the start of epoch 1, redraw its order, skip 3 batches.
        var g2 = new Generator(1);
        g2.SetState(state);
        var resumed = new DataLoader(Numbered(30), 4, shuffle: true, generator: g2);
        var order = resumed.NextOrder();
        Assert.Equal(epoch1[12..], Flat(resumed.Batches(order, skipBatches: 3)));
        Assert.Equal(epoch2, Flat(resumed));
        Assert.Throws<DatasetException>(() => resumed.Batches([0, 1], 0));
    }

    [Fact]
    public void TransformIsAppliedToEveryBatch()
    {
        var loader = new DataLoader(Numbered(6), 3, transform: b => b with { Inputs = b.Inputs * 2f });
        Assert.Equal([0f, 0, 2, 20, 4, 40], loader.First().Inputs.ToArray());
    }

    [Fact]
    public void BadArgumentsAreTypedErrors()
    {
        Assert.Throws<DatasetException>(() => new DataLoader(Numbered(3), 0));
        Assert.Throws<ShapeException>(() => new TensorDataset(Tensor.Zeros(3, 2), Tensor.Zeros(4)));
        Assert.Throws<DatasetException>(() => Numbered(3).Get(3));
        Assert.Throws<DatasetException>(() => Numbered(3).GetBatch([0, -1]));
        Assert.Throws<DatasetException>(() => new Subset(Numbered(3), [5]));
    }

    [Fact]
    public void SubsetMapsIndicesAndDefaultGetBatchStacks()
    {
        var s = new Subset(Numbered(10), [9, 2, 5]);
        Assert.Equal(3, s.Count);
        Assert.Equal([9f, 2, 5], s.GetBatch([0, 1, 2]).Targets.ToArray());
        Assert.Equal([5f, 50f], s.Get(2).Inputs.ToArray());
        // Subset of a Subset goes through the base class's stacking path too
        var ss = new Subset(s, [2, 0]);
        var b = ss.GetBatch([0, 1]);
        Assert.Equal([5f, 9f], b.Targets.ToArray());
        Assert.Equal([5f, 50, 9, 90], b.Inputs.ToArray());
        var t = s.ToTensorDataset();
        Assert.Equal([9f, 2, 5], t.Targets.ToArray());
    }
}

public class SplitTests
{
    private static TensorDataset Range(int n) => new(Tensor.Arange(n).Reshape(n, 1), Tensor.Arange(n));

    [Theory]
    // Golden sizes from torch 1.13: [len(p) for p in random_split(range(n), fractions)]
    [InlineData(11, new[] { 0.7, 0.2, 0.1 }, new[] { 8, 2, 1 })]
    [InlineData(10, new[] { 0.5, 0.5 }, new[] { 5, 5 })]
    [InlineData(7, new[] { 0.34, 0.33, 0.33 }, new[] { 3, 2, 2 })]
    [InlineData(100, new[] { 0.15, 0.85 }, new[] { 15, 85 })]
    public void FractionLengthsMatchPyTorch(int n, double[] fractions, int[] expected) =>
        Assert.Equal(expected, Splits.Lengths(n, fractions));

    [Fact]
    public void RandomSplitPartsAreDisjointAndCoverTheDataset()
    {
        var parts = Splits.RandomSplit(Range(100), [60, 25, 15], new Generator(3));
        Assert.Equal([60, 25, 15], parts.Select(p => p.Count));
        var all = parts.SelectMany(p => p.Indices).ToList();
        Assert.Equal(Enumerable.Range(0, 100), all.Order());
        Assert.NotEqual(Enumerable.Range(0, 60), parts[0].Indices);
    }

    [Fact]
    public void TrainValidationTestIsSeededAndSized()
    {
        var (tr, va, te) = Splits.TrainValidationTest(Range(1000), 0.1, 0.2, new Generator(11));
        Assert.Equal((700, 100, 200), (tr.Count, va.Count, te.Count));
        var (tr2, _, _) = Splits.TrainValidationTest(Range(1000), 0.1, 0.2, new Generator(11));
        Assert.Equal(tr.Indices, tr2.Indices);
        Assert.Empty(tr.Indices.Intersect(te.Indices));
        Assert.Empty(va.Indices.Intersect(te.Indices));
    }

    [Fact]
    public void BadSplitsAreTypedErrors()
    {
        Assert.Contains("add up to 9", Assert.Throws<DatasetException>(() => Splits.RandomSplit(Range(10), [5, 4])).Message);
        Assert.Throws<DatasetException>(() => Splits.RandomSplit(Range(10), [0.5, 0.6]));
        Assert.Throws<DatasetException>(() => Splits.TrainValidationTest(Range(10), 0.6, 0.6));
    }
}

public class StandardizerTests
{
    [Fact]
    public void FitsPerFeatureMeanAndPopulationStdOnTrainingDataOnly()
    {
        // Feature 0: 1, 2, 3, 4 -> mean 2.5, std sqrt(1.25). Feature 1: constant 7 -> std replaced by 1.
        var train = Tensor.FromArray(new float[,] { { 1, 7 }, { 2, 7 }, { 3, 7 }, { 4, 7 } });
        var s = Standardizer.Fit(train);
        Assert.Equal([1, 2], s.Mean.Shape);
        Assert.Equal([2.5f, 7f], s.Mean.ToArray());
        Assert.Equal(MathF.Sqrt(1.25f), s.Std.ToArray()[0], 6);
        Assert.Equal(1f, s.Std.ToArray()[1]);
        var z = s.Transform(train);
        Assert.Equal(0f, z.Mean(0).ToArray()[0], 6);
        Assert.Equal(1f, z.Std(0, correction: 0).ToArray()[0], 5);
        Assert.Equal(0f, z.ToArray()[1]);
        // Test data uses the training statistics: 2.5 + sqrt(1.25) maps to exactly 1.
        var test = Tensor.FromArray(new float[,] { { 2.5f + MathF.Sqrt(1.25f), 8 } });
        Assert.All(s.Transform(test).ToArray(), v => Assert.Equal(1f, v, 6));
        var back = s.InverseTransform(s.Transform(test)).ToArray();
        for (int i = 0; i < 2; i++) Assert.Equal(test.ToArray()[i], back[i], 5);
    }

    [Fact]
    public void PerChannelStatisticsForImages()
    {
        // (N=2, C=2, H=1, W=2): channel 0 holds 0..3, channel 1 holds 10 everywhere except one 14.
        var x = Tensor.FromArray([0f, 1, 10, 10, 2, 3, 10, 14], 2, 2, 1, 2);
        var s = Standardizer.Fit(x, featureDim: 1);
        Assert.Equal([1, 2, 1, 1], s.Mean.Shape);
        Assert.Equal([1.5f, 11f], s.Mean.ToArray());
        Assert.Equal(MathF.Sqrt(1.25f), s.Std.ToArray()[0], 6);
        Assert.Equal(MathF.Sqrt(3f), s.Std.ToArray()[1], 6);
    }

    [Fact]
    public void MismatchedShapesAreTypedErrors()
    {
        var s = Standardizer.Fit(Tensor.Ones(4, 3));
        Assert.Throws<ShapeException>(() => s.Transform(Tensor.Ones(4, 2)));
        Assert.Throws<ShapeException>(() => Standardizer.Fit(Tensor.Zeros(0, 3)));
    }
}
