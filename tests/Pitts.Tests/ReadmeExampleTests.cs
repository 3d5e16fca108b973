using Pitts;

namespace Pitts.Tests;

/// <summary>The README's first example, verbatim, with the numbers its comments promise.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void TensorsAndAutogradInAFewLines()
    {
        var x = Tensor.FromArray([1f, 2f, 3f]);
        var w = Tensor.FromArray([0.5f, -1f, 2f]).RequireGrad();
        var loss = (w * x).Sum().Pow(2f);   // (w · x)² = 4.5² = 20.25
        loss.Backward();
        Console.WriteLine(w.Grad);          // 2 (w · x) x = [9, 18, 27]

        Assert.Equal(20.25f, loss.Item());
        Assert.Equal([9f, 18f, 27f], w.Grad!.ToArray());
        Assert.Equal("tensor([9.0000, 18.0000, 27.0000], shape=(3))", w.Grad.ToString());
    }
}
