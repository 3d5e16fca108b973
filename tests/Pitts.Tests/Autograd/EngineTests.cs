using Pitts;
namespace Pitts.Tests.AutogradEngine;

public class EngineTests
{
    [Fact]
    public void GradientsAccumulateAcrossBackwardCalls()
    {
        var w = Tensor.FromArray([1f, 2f]).RequireGrad();
        (w * 3f).Sum().Backward();
        (w * 3f).Sum().Backward();
        Assert.Equal([6f, 6f], w.Grad!.ToArray());
    }

    [Fact]
    public void BackwardTwiceOverAFreedGraphThrowsNamingTheOp()
    {
        var w = Tensor.FromArray([1f, 2f]).RequireGrad();
        var y = (w * w).Sum();
        y.Backward();
        var e = Assert.Throws<AutogradException>(() => y.Backward());
        Assert.Contains("already freed", e.Message);
        Assert.Contains("Sum", e.Message);
    }

    [Fact]
    public void RetainGraphAllowsASecondBackward()
    {
        var w = Tensor.FromArray([1f, 2f]).RequireGrad();
        var y = (w * w).Sum();
        y.Backward(retainGraph: true);
        y.Backward();
        Assert.Equal([4f, 8f], w.Grad!.ToArray()); // 2 · 2w
    }

    [Fact]
    public void NonScalarBackwardNeedsAGradient()
    {
        var w = Tensor.Ones(2, 3).RequireGrad();
        var y = w * 2f;
        var e = Assert.Throws<AutogradException>(() => y.Backward());
        Assert.Equal("Backward: output of shape (2x3) is not a scalar; pass a gradient of the same shape", e.Message);
        y.Backward(Tensor.Full([2, 3], 0.5f));
        Assert.All(w.Grad!.ToArray(), g => Assert.Equal(1f, g));
    }

    [Fact]
    public void HundredThousandNodesDeepGraphDoesNotOverflowTheStack()
    {
        var x = Tensor.Scalar(1f).RequireGrad();
        var y = x;
        for (int i = 0; i < 100_000; i++) y = y * 1.00001f;
        y.Backward();
        Assert.Equal(Math.Pow(1.00001, 100_000), x.Grad!.Item(), 2);
    }

    [Fact]
    public void NoGradScopeRecordsNothingAndNests()
    {
        var w = Tensor.Ones(2).RequireGrad();
        using (Autograd.NoGrad())
        {
            using (Autograd.NoGrad()) { }
            var y = w * 2f;
            Assert.False(y.RequiresGrad);
            Assert.Null(y.GradFn);
        }
        Assert.True((w * 2f).RequiresGrad);
    }

    [Fact]
    public void DetachCutsTheGraph()
    {
        var w = Tensor.FromArray([3f]).RequireGrad();
        var y = (w.Detach() * w).Sum();
        y.Backward();
        Assert.Equal(3f, w.Grad!.Item()); // only the non-detached path
    }

    [Fact]
    public void NodesRecordTheirOpNames()
    {
        var w = Tensor.Ones(2, 2).RequireGrad();
        var y = w.MatMul(w).Relu().Sum();
        Assert.Equal("Sum", y.GradFn!.Op);
        Assert.Equal("Relu", y.GradFn.Inputs[0].GradFn!.Op);
        var graph = Autograd.PrintGraph(y);
        Assert.Contains("MatMul (2x2)", graph);
        Assert.Contains("Leaf (requires grad) (2x2)", graph);
    }

    [Fact]
    public void RequiresGradCannotBeSetOnAnOpOutput()
    {
        var y = Tensor.Ones(2).RequireGrad() * 2f;
        Assert.Throws<AutogradException>(() => y.RequiresGrad = false);
    }

    [Fact]
    public void IntermediateGradsAreReleasedUnlessRetained()
    {
        var w = Tensor.Ones(2).RequireGrad();
        var h = w * 2f;
        var k = (w * 3f).RetainGrad();
        (h.Sum() + k.Sum()).Backward();
        Assert.Null(h.Grad);
        Assert.Equal([1f, 1f], k.Grad!.ToArray());
    }

    [Fact]
    public void GradCheckLeavesTheCallersGradientsAlone()
    {
        var x = Tensor.FromArray([0.5f, 2f]).RequireGrad();
        (x * 3f).Sum().Backward();
        Assert.True(GradCheck.Check(t => t[0].Exp(), [x]).Passed);
        Assert.Equal([3f, 3f], x.Grad!.ToArray());
    }

    [Fact]
    public void GradCheckCatchesAWrongGradient()
    {
        // An oracle for the oracle: a deliberately wrong derivative (d/dx of x·|x| taken as x) must fail.
        var x = Tensor.FromArray([0.7f, -1.2f, 2f]).RequireGrad();
        var wrong = GradCheck.Check(t => t[0] * t[0].Detach().Abs(), [x]);
        Assert.False(wrong.Passed);
        var right = GradCheck.Check(t => t[0] * t[0].Abs(), [x]);
        Assert.True(right.Passed, right.ToString());
    }
}
