using Pitts;
using Pitts.NN;

namespace Pitts.Tests.NN;

public class ModuleTests
{
    [Fact]
    public void NamedParametersUseDottedNamesInPyTorchOrder()
    {
        var net = new Net(new Generator(1));
        Assert.Equal(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"],
            net.NamedParameters().Select(p => p.Name).ToArray());
        // PyTorch: sum(p.numel() for p in Net().parameters()) == 20+20 + 300+15 + 15+1
        Assert.Equal(371, net.ParameterCount());
        Assert.All(net.Parameters(), p => Assert.True(p.RequiresGrad));
    }

    [Fact]
    public void SequentialNamesLayersByPositionAndNestedNamesAreDotted()
    {
        var g = new Generator(2);
        var m = new Sequential(new Linear(4, 3, generator: g), new Relu(), new Sequential(new Linear(3, 2, generator: g), new Tanh()));
        Assert.Equal(["0.weight", "0.bias", "2.0.weight", "2.0.bias"], m.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal([2, 2], m.Forward(Tensor.Ones(2, 4)).Shape);
    }

    [Fact]
    public void LinearInitStaysInsidePyTorchsBound()
    {
        var l = new Linear(100, 50, generator: new Generator(3));
        float bound = 1f / MathF.Sqrt(100);
        Assert.All(l.Weight.ToArray(), v => Assert.InRange(v, -bound, bound));
        Assert.All(l.Bias!.ToArray(), v => Assert.InRange(v, -bound, bound));
        // U(-b, b) has variance b²/3: with 5000 draws the sample variance is within a few percent.
        var w = l.Weight.ToArray();
        double mean = w.Average(), variance = w.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(variance, 0.9 * bound * bound / 3, 1.1 * bound * bound / 3);
        Assert.InRange(Math.Abs(mean), 0, 0.01);
    }

    [Fact]
    public void StateDictRoundTripsAndLoadCopiesInPlace()
    {
        var a = new Net(new Generator(4));
        var b = new Net(new Generator(5));
        var x = Tensor.Linspace(-1, 1, 7).Reshape(7, 1);
        Assert.False(a.Forward(x).AllClose(b.Forward(x)));
        var wBefore = b.Parameters().First();
        b.LoadStateDict(a.StateDict());
        Assert.Same(wBefore, b.Parameters().First());
        Assert.Equal(a.Forward(x).ToArray(), b.Forward(x).ToArray());
    }

    [Fact]
    public void LoadStateDictNamesMissingUnexpectedAndMisShapedEntries()
    {
        var net = new Net(new Generator(6));
        var sd = net.StateDict();
        sd.Remove("fc2.bias");
        sd["fc9.weight"] = Tensor.Zeros(1);
        sd["fc1.weight"] = Tensor.Zeros(3, 3);
        var before = net.StateDict()["fc3.weight"].ToArray();
        var e = Assert.Throws<StateDictException>(() => net.LoadStateDict(sd));
        Assert.Contains("missing keys: 'fc2.bias'", e.Message);
        Assert.Contains("unexpected keys: 'fc9.weight'", e.Message);
        Assert.Contains("'fc1.weight': checkpoint has (3x3), model has (20x1)", e.Message);
        Assert.Equal(before, net.StateDict()["fc3.weight"].ToArray()); // nothing copied
    }

    [Fact]
    public void ZeroGradClearsGradients()
    {
        var net = new Net(new Generator(7));
        net.Forward(Tensor.Ones(3, 1)).Sum().Backward();
        Assert.All(net.Parameters(), p => Assert.NotNull(p.Grad));
        net.ZeroGrad();
        Assert.All(net.Parameters(), p => Assert.All(p.Grad!.ToArray(), g => Assert.Equal(0f, g)));
        net.ZeroGrad(setToNone: true);
        Assert.All(net.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void SummaryListsEveryLayerWithShapesAndCounts()
    {
        var net = new Net(new Generator(8));
        string s = net.Summary(30, 1);
        Assert.Contains("fc1 (Linear)", s);
        Assert.Matches(@"fc2 \(Linear\)\s+\(30x15\)\s+315", s);
        Assert.Matches(@"fc3 \(Linear\)\s+\(30x1\)\s+16", s);
        Assert.Contains("Total params: 371", s);
    }

    [Fact]
    public void DropoutZeroesAboutPAndKeepsTheMeanAndEvalIsIdentity()
    {
        var d = new Dropout(0.25f, new Generator(9));
        var x = Tensor.Ones(100_000);
        var y = d.Forward(x).ToArray();
        double zeroFraction = y.Count(v => v == 0) / (double)y.Length;
        Assert.InRange(zeroFraction, 0.245, 0.255);
        Assert.All(y, v => Assert.True(v == 0 || Math.Abs(v - 1 / 0.75f) < 1e-6));
        d.Eval();
        Assert.Same(x, d.Forward(x));
    }

    [Fact]
    public void TrainAndEvalPropagateToChildren()
    {
        var m = new Sequential(new Dropout(), new Sequential(new Dropout()));
        m.Eval();
        Assert.All(m.NamedModules(), x => Assert.False(x.Module.Training));
        m.Train();
        Assert.All(m.NamedModules(), x => Assert.True(x.Module.Training));
    }

    [Fact]
    public void ModuleListRegistersItsItemsAndHasNoForward()
    {
        var list = new ModuleList(new Linear(2, 3), new Linear(3, 1));
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias"], list.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal(2, list.Count);
        Assert.Throws<PittsException>(() => list.Forward(Tensor.Zeros(1, 2)));
    }

    [Fact]
    public void ApplyVisitsChildrenBeforeParentsAndCanReinitialise()
    {
        var inner = new Sequential(new Linear(2, 2));
        var net = new Sequential(new Linear(3, 2), inner);
        var order = new List<Module>();
        net.Apply(order.Add);
        Assert.Equal(4, order.Count);
        Assert.Same(net, order[^1]);
        Assert.True(order.IndexOf(inner[0]) < order.IndexOf(inner));
        net.Apply(m => { if (m is Linear l) Init.Constant(l.Weight, 0.5f); });
        Assert.All(net.NamedParameters().Where(p => p.Name.EndsWith("weight")), p => Assert.All(p.Parameter.ToArray(), v => Assert.Equal(0.5f, v)));
    }
}
