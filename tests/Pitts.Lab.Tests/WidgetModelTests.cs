using Pitts.Lab.Widgets;
using Xunit.Abstractions;

namespace Pitts.Lab.Tests;

/// <summary>The widgets' library-side models, without a browser.</summary>
public sealed class WidgetModelTests(ITestOutputHelper output)
{
    [Fact]
    public void TrainingCurvesKeepAnEvenlySpacedBoundedHistory()
    {
        // 10,000 epochs into 1,000 points: the stride doubles at epochs 1000, 2000, 4000 and 8000 (each time the
        // 1,001st point arrives), ending at 16, so exactly the multiples of 16 below 10,000 remain: 625 points.
        var curve = new TrainingCurve<(int Epoch, double Loss)>(1000, p => p.Epoch);
        for (int e = 0; e < 10000; e++) curve.Record((e, 1.0 / (e + 1)));
        Assert.Equal(Enumerable.Range(0, 625).Select(i => 16 * i), curve.Select(p => p.Epoch));
        Assert.Equal(1.0 / 9985, curve[^1].Loss);
        // Short runs keep every epoch.
        var small = new TrainingCurve<(int Epoch, double Loss)>(1000, p => p.Epoch);
        for (int e = 0; e < 1000; e++) small.Record((e, e));
        Assert.Equal(1000, small.Count);
    }

    /// <summary>
    /// The 1 → N → 1 sigmoid network trained by per-sample SGD (lr 0.005, 800 epochs, 30 points on [-3, 3]) in plain
    /// double-precision loops; the initial weights and the visiting orders come from the same generator calls as the
    /// widget's (two Linear layers, then one permutation per epoch).
    /// </summary>
    private static double HandWrittenSgdMse(int n, Func<double, double> f, ulong seed)
    {
        var g = new Pitts.Generator(seed);
        var l1 = new Pitts.NN.Linear(1, n, generator: g);
        var l2 = new Pitts.NN.Linear(n, 1, generator: g);
        double[] w = l1.Weight.ToArray().Select(v => (double)v).ToArray(), b = l1.Bias!.ToArray().Select(v => (double)v).ToArray();
        double[] a = l2.Weight.ToArray().Select(v => (double)v).ToArray();
        double c = l2.Bias!.Item();
        // The widget's points and targets, rounded to float as its tensors hold them.
        var xd = Enumerable.Range(0, 30).Select(i => -3 + 6.0 * i / 29).ToArray();
        var xs = xd.Select(v => (double)(float)v).ToArray();
        var ys = xd.Select(v => (double)(float)f(v)).ToArray();
        var h = new double[n];
        double Forward(double x)
        {
            double y = c;
            for (int j = 0; j < n; j++) { h[j] = 1 / (1 + Math.Exp(-(w[j] * x + b[j]))); y += a[j] * h[j]; }
            return y;
        }
        const double lr = 0.005;
        for (int epoch = 0; epoch < 800; epoch++)
            foreach (int i in g.Permutation(30))
            {
                double x = xs[i], e = 2 * (Forward(x) - ys[i]); // d(ŷ − y)²/dŷ
                for (int j = 0; j < n; j++)
                {
                    double dz = e * a[j] * h[j] * (1 - h[j]);
                    a[j] -= lr * e * h[j];
                    w[j] -= lr * dz * x;
                    b[j] -= lr * dz;
                }
                c -= lr * e;
            }
        return Enumerable.Range(0, 30).Average(i => Math.Pow(Forward(xs[i]) - ys[i], 2));
    }

    [Fact]
    public void UniversalApproximationIsTheLecturesSgdAndImprovesWithUnits()
    {
        var target = TargetFunction.Get("sin");
        _ = new UniversalApproximation(50, target, 1, epochs: 50); // warm up the JIT
        var results = new Dictionary<int, UniversalApproximation>();
        foreach (int n in new[] { 1, 3, 10, 50 }) results[n] = new UniversalApproximation(n, target, 1);
        foreach (var (n, r) in results) output.WriteLine($"N={n}: MSE {r.Mse:0.00000} in {r.TrainMs:0.0} ms");
        // The widget is the lecture's plain SGD, one point per step: the same 24,000 steps written out by hand in
        // double precision (σ, its derivative and the chain rule, no autograd) from the same initial weights and
        // the same orders end at the same MSE, to float precision (1.4e-6 relative apart at N = 10, after 24,000 steps;
        // the mini-batches of 5 it used before were asserted to match one-point SGD to 3 decimals only).
        foreach (int n in new[] { 3, 10 })
        {
            double hand = HandWrittenSgdMse(n, target.F, 1);
            output.WriteLine($"N={n}: hand-written double-precision SGD {hand:0.0000000}, widget {results[n].Mse:0.0000000}");
            Assert.True(Math.Abs(hand - results[n].Mse) <= 1e-5 * hand, $"N={n}: widget {results[n].Mse} against {hand} by hand");
        }
        // The page's prerender and its interactive render share one training of the same settings.
        var kept = UniversalApproximation.Trained(3, target, 1);
        Assert.Same(kept, UniversalApproximation.Trained(3, target, 1));
        Assert.Equal(results[3].Mse, kept.Mse);
        Assert.NotSame(kept, UniversalApproximation.Trained(3, target, 2));
        Assert.True(results[1].Mse > results[3].Mse, "3 units beat 1");
        Assert.True(results[3].Mse > results[50].Mse, "50 units beat 3");
        // The sum of the basis functions plus the output bias is the network's output.
        var x = new[] { -2.0, 0.3, 2.5 };
        var basis = results[10].Basis(x);
        var bias = ((Pitts.NN.Linear)results[10].Net[2]).Bias!.Item();
        var yhat = results[10].Predict(x);
        for (int j = 0; j < x.Length; j++) Assert.Equal(yhat[j], basis.Sum(b => b[j]) + bias, 4);
    }

    [Fact]
    public void EveryLandscapeStartsWithALearningRateAtWhichNoOptimizerDiverges()
    {
        // The page opens each landscape at its own α: all three optimizers must stay finite from its start for the
        // page's whole run and end lower than they began (Rosenbrock's steep walls threw SGD and momentum out at 0.1).
        foreach (var land in Landscape.All)
            foreach (var kind in new[] { "sgd", "momentum", "adam" })
            {
                var path = new OptimizerPath(kind, land, land.Start, land.Lr);
                for (int i = 0; i < Pitts.Lab.Pages.GradientDescent.GradientDescent.MaxSteps; i++) path.Step();
                Assert.False(path.Diverged, $"{kind} diverges on {land.Key} at α = {land.Lr}");
                Assert.True(path.Loss[^1] < path.Loss[0], $"{kind} ends higher than it started on {land.Key}");
            }
        Assert.True(new OptimizerPath("momentum", Landscape.Get("banana"), Landscape.Get("banana").Start, 0.1).Diverges(300),
            "the banana's walls should throw momentum out at α = 0.1 (why it has its own α)");
        // What the local-minimum note says: at its α momentum crosses into the lower valley, SGD and Adam stay.
        var local = Landscape.Get("local");
        double EndW1(string kind)
        {
            var p = new OptimizerPath(kind, local, local.Start, local.Lr);
            for (int i = 0; i < Pitts.Lab.Pages.GradientDescent.GradientDescent.MaxSteps; i++) p.Step();
            return p.W1[^1];
        }
        Assert.InRange(EndW1("momentum"), -1.1, -1.0);
        Assert.InRange(EndW1("sgd"), 0.9, 1.0);
        Assert.InRange(EndW1("adam"), 0.9, 1.0);
    }

    [Fact]
    public void TheBigNetworkOverfitsAndTheRegularizersHelp()
    {
        static OverfittingRun Train(Regularization r)
        {
            var run = new OverfittingRun(new OverfittingSettings(r.WeightDecay, r.Dropout, r.EarlyStopping, r.Patience, r.Augment, Epochs: 3000, Seed: 1));
            while (run.Epoch()) { }
            return run;
        }
        var plain = Train(new Regularization(0, 0, false, 200, 0));
        // Overfitting: the training loss ends far below the noise variance 0.09 while validation has risen from its best.
        output.WriteLine($"plain: train {plain.Last.Train:0.0000}, val {plain.Last.Val:0.0000}, best val {plain.Best.Val:0.0000} at {plain.Best.Epoch}");
        Assert.True(plain.Last.Train < 0.05, "memorised the training set");
        Assert.True(plain.Last.Val > 1.2 * plain.Best.Val, "validation turned up");
        // Last is the final epoch's loss, recomputed here from the trained network; the curve keeps every 2nd epoch
        // past 2,000, so its last point is epoch 2998 (the page's status and divergence check used to read that).
        using (Pitts.Autograd.NoGrad())
            Assert.Equal(Pitts.NN.Functional.MseLoss(plain.Net.Forward(plain.Train.Inputs), plain.Train.Targets).Item(), plain.Last.Train);
        Assert.Equal(2998, plain.History[^1].Epoch);

        var early = Train(new Regularization(0, 0, true, 200, 0));
        output.WriteLine($"early stopping: stopped at {early.StoppedAt}, best {early.Best.Val:0.0000} at {early.Best.Epoch}, restored {early.CurrentValidation():0.0000}");
        Assert.NotNull(early.StoppedAt);
        Assert.Equal(early.Best.Epoch + 200, early.StoppedAt);
        Assert.Equal(early.Best.Val, early.CurrentValidation(), 6);   // the best weights were restored

        foreach (var r in new[] { new Regularization(1e-2, 0, false, 200, 0), new Regularization(0, 0.2, false, 200, 0), new Regularization(0, 0, false, 200, 0.3) })
        {
            var run = Train(r);
            output.WriteLine($"{r}: train {run.Last.Train:0.0000}, val {run.Last.Val:0.0000}");
            Assert.True(run.Last.Val < plain.Last.Val, $"{r} lowers the final validation loss");
        }
    }

    [Fact]
    public void TheShippedFiCurveIsTheRecipesFiCurve()
    {
        // The Hodgkin-Huxley page draws ShippedFiCurve at once instead of spending ~20 s of the browser's one thread on
        // it; the recipe recomputes it here (61 runs of 1 s). Spike counts exact; rates to 1e-9 (libm's exp may differ
        // in the last bits from the machine that wrote the table).
        var fi = HodgkinHuxleyRecipe.FiCurve(new Pitts.Neuro.HodgkinHuxley.HodgkinHuxleyModel());
        var shipped = ShippedFiCurve.Points;
        Assert.Equal(fi.Length, shipped.Count);
        for (int k = 0; k < fi.Length; k++)
        {
            Assert.Equal(fi[k].CurrentUaCm2, shipped[k].CurrentUaCm2);
            Assert.Equal(fi[k].SpikeCount, shipped[k].SpikeCount);
            Assert.True(Math.Abs(fi[k].RateHz - shipped[k].RateHz) <= 1e-9 * Math.Max(1, fi[k].RateHz), $"{fi[k]} vs {shipped[k]}");
        }
        // Published: repetitive firing from about 6.3 µA/cm² (Rinzel and Miller 6.26), about 68 Hz at 10 µA/cm².
        Assert.Equal(6.5, shipped.First(p => p.RateHz > 0).CurrentUaCm2);
        Assert.InRange(shipped.Single(p => p.CurrentUaCm2 == 10).RateHz, 66, 70);
    }
}

/// <summary>The regularisation switches of one overfitting run in <see cref="WidgetModelTests"/>.</summary>
internal sealed record Regularization(double WeightDecay, double Dropout, bool EarlyStopping, int Patience, double Augment);

internal static class PathExtensions
{
    /// <summary>Runs up to <paramref name="steps"/> steps; true when the path diverged.</summary>
    public static bool Diverges(this OptimizerPath path, int steps)
    {
        for (int i = 0; i < steps && !path.Diverged; i++) path.Step();
        return path.Diverged;
    }
}
