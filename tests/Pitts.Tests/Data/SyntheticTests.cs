using Pitts.Data;

namespace Pitts.Tests.Data;

public class SyntheticTests
{
    private static (float X, float Y)[] Points(TensorDataset d)
    {
        var a = d.Inputs.ToArray();
        return Enumerable.Range(0, d.Count).Select(i => (a[2 * i], a[2 * i + 1])).ToArray();
    }

    [Fact]
    public void NoiselessSinIsExactAndNoiseHasTheRequestedSpread()
    {
        var clean = Synthetic.Sin(500, noise: 0, generator: new Generator(1));
        var x = clean.Inputs.ToArray();
        var y = clean.Targets.ToArray();
        Assert.Equal([500, 1], clean.Inputs.Shape);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.InRange(x[i], -MathF.PI, MathF.PI);
            Assert.Equal((float)Math.Sin(x[i]), y[i]);
        }
        var noisy = Synthetic.Sin(40000, noise: 0.3, generator: new Generator(2));
        var nx = noisy.Inputs.ToArray();
        var r = noisy.Targets.ToArray().Select((v, i) => v - Math.Sin(nx[i])).ToArray();
        double mean = r.Average(), sd = Math.Sqrt(r.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(mean, -0.006, 0.006);   // 4 standard errors of 0.3 / sqrt(40000)
        Assert.InRange(sd, 0.294, 0.306);
    }

    [Fact]
    public void PolynomialUsesIncreasingPowersAndSortedOption()
    {
        var d = Synthetic.Polynomial([1, -2, 0, 0.5], 200, -2, 2, noise: 0, generator: new Generator(3), sorted: true);
        var x = d.Inputs.ToArray();
        var y = d.Targets.ToArray();
        for (int i = 0; i < x.Length; i++)
        {
            double xi = x[i];
            Assert.Equal(1 - 2 * xi + 0.5 * xi * xi * xi, y[i], 5);
            if (i > 0) Assert.True(x[i] >= x[i - 1]);
        }
    }

    [Fact]
    public void SameSeedSameDataDifferentSeedDifferentData()
    {
        Assert.Equal(Synthetic.Sin(50, generator: new Generator(9)).Targets.ToArray(), Synthetic.Sin(50, generator: new Generator(9)).Targets.ToArray());
        Assert.NotEqual(Synthetic.Sin(50, generator: new Generator(9)).Targets.ToArray(), Synthetic.Sin(50, generator: new Generator(10)).Targets.ToArray());
        Assert.Equal(Playground.Spiral(100, 0.2, new Generator(4)).Inputs.ToArray(), Playground.Spiral(100, 0.2, new Generator(4)).Inputs.ToArray());
    }

    [Fact]
    public void MoonsLieOnTheirTwoHalfCircles()
    {
        var d = Synthetic.Moons(301, noise: 0, generator: new Generator(5));
        var p = Points(d);
        var y = d.Targets.ToArray();
        Assert.Equal(150, y.Count(v => v == 0));
        Assert.Equal(151, y.Count(v => v == 1));
        for (int i = 0; i < p.Length; i++)
        {
            var (a, b) = p[i];
            double r = y[i] == 0 ? Math.Sqrt(a * a + b * b) : Math.Sqrt((a - 1) * (a - 1) + (b - 0.5) * (b - 0.5));
            Assert.Equal(1.0, r, 5);
            Assert.True(y[i] == 0 ? b >= -1e-6 : b <= 0.5 + 1e-6);
        }
        Assert.NotEqual(0f, y[0] + y[1] + y[2] + y[3] + y[4] + y[5] - 6 * y[0]); // shuffled, not sorted by class
    }

    [Fact]
    public void CircleWithoutNoiseSeparatesByRadius()
    {
        var d = Playground.Circle(400, 0, new Generator(6));
        var p = Points(d);
        var y = d.Targets.ToArray();
        Assert.Equal(200, y.Count(v => v == 1));
        for (int i = 0; i < p.Length; i++)
        {
            double r = Math.Sqrt(p[i].X * p[i].X + p[i].Y * p[i].Y);
            if (i < 200) { Assert.InRange(r, 0, 2.5); Assert.Equal(1f, y[i]); }
            else { Assert.InRange(r, 3.5, 5.0001); Assert.Equal(0f, y[i]); }
        }
        // With noise the label is computed at a displaced point, so some labels disagree with the radius.
        var noisy = Playground.Circle(2000, 0.5, new Generator(7));
        var q = Points(noisy);
        var ny = noisy.Targets.ToArray();
        int flipped = Enumerable.Range(0, q.Length).Count(i => (Math.Sqrt(q[i].X * q[i].X + q[i].Y * q[i].Y) < 2.5 ? 1f : 0f) != ny[i]);
        Assert.InRange(flipped, 100, 1000);
    }

    [Fact]
    public void XorLabelsAreTheSignOfTheProductAndPointsKeepClearOfTheAxes()
    {
        var d = Playground.Xor(1000, 0, new Generator(8), signedLabels: true);
        var p = Points(d);
        var y = d.Targets.ToArray();
        for (int i = 0; i < p.Length; i++)
        {
            Assert.InRange(Math.Abs(p[i].X), 0.3, 5.3);
            Assert.InRange(Math.Abs(p[i].Y), 0.3, 5.3);
            Assert.Equal(p[i].X * p[i].Y >= 0 ? 1f : -1f, y[i]);
        }
    }

    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(0.5, 4.0)]
    [InlineData(0.25, 2.25)]
    public void GaussClustersHaveThePlaygroundsVariance(double noise, double variance)
    {
        var d = Playground.Gauss(20000, noise, new Generator(9));
        var p = Points(d);
        var pos = p.Take(10000).ToArray();
        double mx = pos.Average(q => q.X), my = pos.Average(q => q.Y);
        double vx = pos.Average(q => (q.X - mx) * (q.X - mx));
        Assert.Equal(2.0, mx, 1);
        Assert.Equal(2.0, my, 1);
        Assert.InRange(vx / variance, 0.95, 1.05);
        Assert.Equal(-2.0, p.Skip(10000).Average(q => q.X), 1);
    }

    [Fact]
    public void SpiralArmsAreRotationsOfEachOther()
    {
        var d = Playground.Spiral(200, 0, new Generator(10));
        var p = Points(d);
        for (int i = 0; i < 100; i++)
        {
            double r = i / 100.0 * 5;
            Assert.Equal(r, Math.Sqrt(p[i].X * p[i].X + p[i].Y * p[i].Y), 5);
            Assert.Equal(-p[i].X, p[100 + i].X, 5);   // sin(t + π) = -sin t
            Assert.Equal(-p[i].Y, p[100 + i].Y, 5);
        }
        Assert.Equal(Enumerable.Repeat(1f, 100).Concat(Enumerable.Repeat(0f, 100)), d.Targets.ToArray());
    }

    [Fact]
    public void RegressPlaneWithoutNoiseIsTheSumOverTen()
    {
        var d = Playground.RegressPlane(100, 0, new Generator(11));
        var p = Points(d);
        var y = d.Targets.ToArray();
        for (int i = 0; i < p.Length; i++) Assert.Equal((p[i].X + p[i].Y) / 10, y[i], 5);
    }

    [Fact]
    public void BadArgumentsAreTypedErrors()
    {
        Assert.Throws<DatasetException>(() => Synthetic.Sin(0));
        Assert.Throws<DatasetException>(() => Synthetic.Function(Math.Sin, 5, 1, 1));
        Assert.Throws<DatasetException>(() => Playground.Circle(10, -0.1));
        Assert.Throws<DatasetException>(() => Synthetic.Polynomial([], 3));
    }
}

public class TrajectoryTests
{
    [Fact]
    public void Rk4OscillatorMatchesTheClosedFormSolution()
    {
        const double dt = 0.01, omega = 2, zeta = 0.15;
        var traj = Trajectories.DampedOscillator(1000, dt, omega, zeta, x0: 1, v0: 0.5).ToArray();
        for (int s = 0; s <= 1000; s += 50)
            Assert.InRange(traj[2 * s] - Trajectories.DampedOscillatorExact(s * dt, omega, zeta, 1, 0.5), -1e-6, 1e-6);
    }

    [Fact]
    public void Rk4IsFourthOrder()
    {
        // Halving dt divides the global error at t = 5 by about 2^4 = 16.
        Trajectories.Derivative f = (_, y, dy) => { dy[0] = y[1]; dy[1] = -0.2 * y[1] - y[0]; };
        double exact = Trajectories.DampedOscillatorExact(5, 1, 0.1, 1, 0);
        double e1 = Math.Abs(Trajectories.Rk4Final(f, [1, 0], 0.1, 50)[0] - exact);
        double e2 = Math.Abs(Trajectories.Rk4Final(f, [1, 0], 0.05, 100)[0] - exact);
        Assert.InRange(e1 / e2, 14, 18);
    }

    [Fact]
    public void LorenzFixedPointsStayFixedAndTheAttractorIsBounded()
    {
        double c = Math.Sqrt(8.0 / 3.0 * 27);
        var fixedTraj = Trajectories.Lorenz(500, y0: [c, c, 27]).ToArray();
        Assert.Equal((float)c, fixedTraj[^3], 4);
        Assert.Equal(27f, fixedTraj[^1], 4);
        var t = Trajectories.Lorenz(5000, 0.01);
        Assert.Equal([5001, 3], t.Shape);
        var a = t.ToArray();
        for (int i = 0; i < 5001; i++)
        {
            Assert.InRange(a[3 * i], -25, 25);
            Assert.InRange(a[3 * i + 2], 0, 55);
        }
        // After the transient it visits both wings (x changes sign).
        Assert.Contains(a.Where((_, i) => i % 3 == 0 && i > 3000), v => v < -5);
        Assert.Contains(a.Where((_, i) => i % 3 == 0 && i > 3000), v => v > 5);
    }

    [Fact]
    public void LorenzConvergesUnderStepRefinementOverAShortHorizon()
    {
        Trajectories.Derivative f = (_, y, dy) =>
        {
            dy[0] = 10 * (y[1] - y[0]);
            dy[1] = y[0] * (28 - y[2]) - y[1];
            dy[2] = y[0] * y[1] - 8.0 / 3.0 * y[2];
        };
        // Error norms at t = 1 against dt = 1e-4 (numpy's RK4 gives 7.68e-8 and 5.80e-9, ratio 13.2, approaching 16).
        var reference = Trajectories.Rk4Final(f, [1, 1, 1], 0.0001, 10000);
        double Err(double dt, int n)
        {
            var y = Trajectories.Rk4Final(f, [1, 1, 1], dt, n);
            return Math.Sqrt(y.Select((v, i) => (v - reference[i]) * (v - reference[i])).Sum());
        }
        double e1 = Err(0.002, 500), e2 = Err(0.001, 1000);
        Assert.InRange(e1, 6e-8, 9e-8);
        Assert.InRange(e1 / e2, 11, 18);
    }

    [Fact]
    public void WindowsPairPastAndFuture()
    {
        var traj = Tensor.FromArray(Enumerable.Range(0, 20).Select(i => (float)i).ToArray(), 10, 2); // row t = [2t, 2t+1]
        var d = Trajectories.Windows(traj, window: 3, horizon: 2, stride: 2);
        Assert.Equal([3, 3, 2], d.Inputs.Shape);   // starts 0, 2, 4 (start 6 would need rows up to 10)
        Assert.Equal([3, 2, 2], d.Targets.Shape);
        Assert.Equal([4f, 5, 6, 7, 8, 9], d.Inputs.Select(0, 1).ToArray());
        Assert.Equal([10f, 11, 12, 13], d.Targets.Select(0, 1).ToArray());
        Assert.Throws<DatasetException>(() => Trajectories.Windows(traj, 9, 2));
    }

    [Fact]
    public void OscillatorBatchIsSeeded()
    {
        var a = Trajectories.DampedOscillatorBatch(4, 100, noise: 0.01, generator: new Generator(1));
        var b = Trajectories.DampedOscillatorBatch(4, 100, noise: 0.01, generator: new Generator(1));
        Assert.Equal([4, 101, 2], a.Shape);
        Assert.Equal(a.ToArray(), b.ToArray());
        var clean = Trajectories.DampedOscillatorBatch(3, 10, generator: new Generator(2)).ToArray();
        Assert.All(Enumerable.Range(0, 3), c => Assert.InRange(clean[c * 22], -1f, 1f));
    }
}
