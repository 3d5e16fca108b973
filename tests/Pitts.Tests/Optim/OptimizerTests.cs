using Pitts;
using Pitts.Optim;

namespace Pitts.Tests.Optim;

public class OptimizerTests
{
    [Fact]
    public void SgdFollowsTheLecturesUpdateRule()
    {
        // The lecture's concrete example: w1 = 0.5 with dL/dw1 = -0.384, α = 0.1 → 0.5384.
        var w = Tensor.Scalar(0.5f).RequireGrad();
        w.Grad = Tensor.Scalar(-0.384f);
        new Sgd([w], lr: 0.1f).Step();
        Assert.Equal(0.5384f, w.Item(), 6);
    }

    [Fact]
    public void SgdMinimisesAQuadraticToItsAnalyticMinimum()
    {
        // f(w) = ½ wᵀAw - bᵀw with A = diag(1, 4): minimum at w = (b₀, b₁/4).
        var w = Tensor.Zeros(2).RequireGrad();
        var a = Tensor.FromArray([1f, 4f]);
        var b = Tensor.FromArray([2f, -1f]);
        var opt = new Sgd([w], lr: 0.1f, momentum: 0.5f);
        for (int i = 0; i < 300; i++)
        {
            (0.5f * a * w * w - b * w).Sum().Backward();
            opt.Step();
            opt.ZeroGrad();
        }
        Assert.Equal(2f, w[0], 4);
        Assert.Equal(-0.25f, w[1], 4);
    }

    [Fact]
    public void StepSkipsParametersWithoutGradientAndDoesNotRecordAGraph()
    {
        var a = Tensor.Ones(2).RequireGrad();
        var b = Tensor.Ones(2).RequireGrad();
        a.Grad = Tensor.Ones(2);
        new Adam([a, b], lr: 0.1f).Step();
        Assert.Equal([1f, 1f], b.ToArray());
        Assert.True(a.IsLeaf);
        Assert.All(a.ToArray(), v => Assert.Equal(0.9f, v, 5)); // Adam's first step moves by lr·sign(g)
    }

    [Fact]
    public void OptimizerStateRoundTripsSoResumedStepsAreBitIdentical()
    {
        float[] Run(int total, int saveAt)
        {
            var w = Tensor.FromArray([0.3f, -0.7f, 1.1f]).RequireGrad();
            var opt = new Adam([w], lr: 0.05f);
            var sched = new StepLr(opt, 2, 0.5f);
            for (int i = 0; i < total; i++)
            {
                if (i == saveAt)
                {
                    var sd = opt.StateDict();
                    var ss = sched.StateDict();
                    var wCopy = Tensor.FromArray(w.ToArray()).RequireGrad();
                    w = wCopy;
                    opt = new Adam([w], lr: 123f);
                    opt.LoadStateDict(sd);
                    sched = new StepLr(opt, 2, 0.5f);
                    sched.LoadStateDict(ss);
                }
                (w * w * w).Sum().Backward();
                opt.Step();
                opt.ZeroGrad();
                sched.Step();
            }
            return w.ToArray();
        }
        Assert.Equal(Run(7, -1), Run(7, 4));
    }

    [Fact]
    public void LoadStateDictRejectsWrongShapesAndUnknownParameters()
    {
        var w = Tensor.Zeros(3).RequireGrad();
        var opt = new Adam([w]);
        w.Grad = Tensor.Ones(3);
        opt.Step();
        var sd = opt.StateDict();
        var other = new Adam([Tensor.Zeros(4).RequireGrad()]);
        Assert.Contains("(3)", Assert.Throws<PittsException>(() => other.LoadStateDict(sd)).Message);
        sd["state.5.exp_avg"] = Tensor.Zeros(3);
        Assert.Contains("parameter 5", Assert.Throws<PittsException>(() => opt.LoadStateDict(sd)).Message);
    }

    [Fact]
    public void ConstructorsValidateHyperparameters()
    {
        var p = new[] { Tensor.Zeros(1).RequireGrad() };
        Assert.Throws<PittsException>(() => new Sgd(p, lr: -1f));
        Assert.Throws<PittsException>(() => new Sgd(p, lr: 0.1f, nesterov: true));
        Assert.Throws<PittsException>(() => new Adam(p, beta1: 1f));
        Assert.Throws<PittsException>(() => new Sgd([Tensor.Zeros(1)], lr: 0.1f));
        Assert.Throws<PittsException>(() => new Sgd(Array.Empty<Tensor>(), lr: 0.1f));
    }

    [Fact]
    public void GroupStateRoundTripsAndTheSingleRateSetterSetsEveryGroup()
    {
        var a = Tensor.Ones(2).RequireGrad();
        var b = Tensor.Ones(3).RequireGrad();
        var opt = new AdamW([new ParamGroup([a]), new ParamGroup([b], Lr: 0.5f, WeightDecay: 0f)], lr: 0.1f);
        Assert.Equal(2, opt.GroupCount);
        Assert.Equal(0.5f, opt.GetLearningRate(1));
        var sd = opt.StateDict();
        Assert.Equal(0.5f, sd["param_groups.1.lr"].Item());
        opt.LearningRate = 0.3f;
        Assert.Equal(0.3f, opt.GetLearningRate(1));
        opt.LoadStateDict(sd);
        Assert.Equal(0.1f, opt.GetLearningRate(0));
        Assert.Equal(0.5f, opt.GetLearningRate(1));
        sd.Remove("param_groups.1.lr");
        Assert.Contains("param_groups.1.lr", Assert.Throws<PittsException>(() => opt.LoadStateDict(sd)).Message);
    }

    [Fact]
    public void DocsExampleExemptsBiasesFromDecoupledDecay()
    {
        var net = new Pitts.NN.Sequential(new Pitts.NN.Linear(3, 2), new Pitts.NN.Relu(), new Pitts.NN.Linear(2, 1));
        var decay = net.NamedParameters().Where(p => p.Name.EndsWith(".weight")).Select(p => p.Parameter);
        var noDecay = net.NamedParameters().Where(p => !p.Name.EndsWith(".weight")).Select(p => p.Parameter);
        var optimizer = new AdamW([new ParamGroup(decay), new ParamGroup(noDecay, WeightDecay: 0f)], lr: 1e-3f);
        var before = net.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.ToArray());
        foreach (var p in net.Parameters()) p.Grad = Tensor.ZerosLike(p); // zero gradient: only the decay acts
        optimizer.Step();
        foreach (var (name, p) in net.NamedParameters())
        {
            float factor = name.EndsWith(".weight") ? 1f - 1e-3f * 1e-2f : 1f;
            Assert.Equal(before[name].Select(v => v * factor).ToArray(), p.ToArray());
        }
    }
}
