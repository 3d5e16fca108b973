using Pitts;
using Pitts.Models;

namespace Pitts.Tests.Models;

public class LinearModelTests
{
    [Fact]
    public void RecoversAnExactPolynomial()
    {
        // y = 1 - 2x + 0.5x³ exactly: least squares must return these coefficients (the oracle is the generator).
        var x = Tensor.Linspace(-3f, 3f, 25);
        var y = Tensor.FromArray(x.ToArray().Select(v => (float)(1 - 2 * v + 0.5 * v * v * v)).ToArray());
        var m = LinearModel.Fit(FeatureMap.Polynomial(3), x, y);
        double[] expected = [1, -2, 0, 0.5];
        for (int j = 0; j < 4; j++) Assert.Equal(expected[j], m.Weights[j], 4);
        Assert.True(m.Mse(x, y) < 1e-9);
    }

    [Fact]
    public void RecoversTheLectureCustomMap()
    {
        var x = Tensor.Linspace(-2f, 2f, 40);
        var y = Tensor.FromArray(x.ToArray().Select(v => (float)(0.3 + 1.5 * v - 2 * Math.Sin(3 * v))).ToArray());
        var m = LinearModel.Fit(FeatureMap.LectureCustom, x, y);
        Assert.Equal(0.3, m.Weights[0], 4);
        Assert.Equal(1.5, m.Weights[1], 4);
        Assert.Equal(-2.0, m.Weights[2], 4);
        Assert.Equal(["1", "x", "sin(3x)"], m.Features.FeatureNames);
    }

    [Fact]
    public void MatchesTheNormalEquationsOnNoisyData()
    {
        // Independent oracle: the closed form of simple linear regression, slope = cov(x, y) / var(x).
        var g = new Generator(3);
        var x = Tensor.Uniform([50], -1f, 1f, g);
        var y = x * 2f + 0.5f + Tensor.Randn([50], g) * 0.1f;
        var xs = x.ToArray().Select(v => (double)v).ToArray();
        var ys = y.ToArray().Select(v => (double)v).ToArray();
        double mx = xs.Average(), my = ys.Average();
        double slope = xs.Zip(ys).Sum(p => (p.First - mx) * (p.Second - my)) / xs.Sum(v => (v - mx) * (v - mx));
        var m = LinearModel.Fit(FeatureMap.Linear, x, y);
        Assert.Equal(slope, m.Weights[1], 5);
        Assert.Equal(my - slope * mx, m.Weights[0], 5);
    }

    [Fact]
    public void RidgeShrinksWeightsTowardZero()
    {
        var x = Tensor.Linspace(-1f, 1f, 10);
        var y = x * 3f;
        var plain = LinearModel.Fit(FeatureMap.Linear, x, y);
        var ridge = LinearModel.Fit(FeatureMap.Linear, x, y, ridge: 5);
        // With Σx² = s and λ: slope = 3s / (s + λ) (the intercept column is orthogonal to x here).
        double s = x.ToArray().Sum(v => (double)v * v);
        Assert.Equal(3.0, plain.Weights[1], 5);
        Assert.Equal(3 * s / (s + 5), ridge.Weights[1], 5);
    }

    [Fact]
    public void HighDegreeOverfitsTrainingPointsAndMissesValidation()
    {
        var g = new Generator(11);
        var xTrain = Tensor.Uniform([12], -3f, 3f, g);
        var yTrain = xTrain.Sin() + Tensor.Randn([12], g) * 0.2f;
        var xVal = Tensor.Uniform([50], -3f, 3f, g);
        var yVal = xVal.Sin();
        var low = LinearModel.Fit(FeatureMap.Polynomial(3), xTrain, yTrain);
        var high = LinearModel.Fit(FeatureMap.Polynomial(11), xTrain, yTrain);
        Assert.True(high.Mse(xTrain, yTrain) < low.Mse(xTrain, yTrain));
        Assert.True(high.Mse(xVal, yVal) > low.Mse(xVal, yVal));
    }

    [Fact]
    public void BadInputsGiveClearErrors()
    {
        var x = Tensor.Linspace(0f, 1f, 3);
        Assert.Contains("cannot determine", Assert.Throws<PittsException>(() => LinearModel.Fit(FeatureMap.Polynomial(5), x, x)).Message);
        Assert.Throws<ShapeException>(() => LinearModel.Fit(FeatureMap.Linear, x, Tensor.Ones(4)));
        Assert.Throws<PittsException>(() => FeatureMap.Polynomial(-1));
        var dup = new FeatureMap("dup", [("x", v => v), ("2x", v => 2 * v)]);
        Assert.Contains("rank-deficient", Assert.Throws<PittsException>(() => LinearModel.Fit(dup, x, x)).Message);
        Assert.Equal([3, 2], FeatureMap.Linear.Transform(x).Shape);
    }
}
