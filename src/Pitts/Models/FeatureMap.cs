namespace Pitts.Models;

/// <summary>
/// A feature map φ(x) for the linear hypothesis ŷ = w · φ(x) = Σ_j w_j φ_j(x): a named list of functions of a
/// scalar input, such as [1, x] (linear), [1, x, x², x³] (polynomial) or [1, x, sin 3x] (the lecture's custom map).
/// </summary>
public sealed class FeatureMap
{
    private readonly Func<double, double>[] _functions;

    /// <summary>A short name, e.g. "polynomial(3)".</summary>
    public string Name { get; }

    /// <summary>The features' names, e.g. ["1", "x", "x^2"].</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The number of features p.</summary>
    public int Count => _functions.Length;

    /// <summary>Creates a feature map from named functions.</summary>
    public FeatureMap(string name, IReadOnlyList<(string Name, Func<double, double> Function)> features)
    {
        if (features.Count == 0) throw new PittsException($"FeatureMap '{name}': needs at least one feature");
        Name = name;
        FeatureNames = features.Select(f => f.Name).ToArray();
        _functions = features.Select(f => f.Function).ToArray();
    }

    /// <summary>φ(x) = [1, x].</summary>
    public static FeatureMap Linear { get; } = new("linear", [("1", _ => 1), ("x", x => x)]);

    /// <summary>φ(x) = [1, x, sin 3x], the lecture's custom feature map.</summary>
    public static FeatureMap LectureCustom { get; } = new("custom", [("1", _ => 1), ("x", x => x), ("sin(3x)", x => Math.Sin(3 * x))]);

    /// <summary>φ(x) = [1, x, x², ..., x^degree].</summary>
    public static FeatureMap Polynomial(int degree)
    {
        if (degree < 0 || degree > 30) throw new PittsException($"FeatureMap.Polynomial: degree must be between 0 and 30, got {degree}");
        var features = new List<(string, Func<double, double>)>();
        for (int k = 0; k <= degree; k++)
        {
            int power = k;
            features.Add((k == 0 ? "1" : k == 1 ? "x" : $"x^{k}", x => Math.Pow(x, power)));
        }
        return new FeatureMap($"polynomial({degree})", features);
    }

    /// <summary>φ_j(x) for one input, as doubles.</summary>
    public double[] Apply(double x)
    {
        var r = new double[Count];
        for (int j = 0; j < Count; j++) r[j] = _functions[j](x);
        return r;
    }

    /// <summary>The design matrix Φ with rows φ(x_i): (n) or (n x 1) input → (n x p).</summary>
    public Tensor Transform(Tensor x)
    {
        if (x.Rank > 2 || (x.Rank == 2 && x.Shape[1] != 1))
            throw new ShapeException($"FeatureMap.Transform: expects inputs of shape (n) or (n x 1), got ({string.Join("x", x.Shape)})");
        var xs = x.ToArray();
        var phi = new float[xs.Length * Count];
        for (int i = 0; i < xs.Length; i++)
            for (int j = 0; j < Count; j++) phi[i * Count + j] = (float)_functions[j](xs[i]);
        return Tensor.FromArray(phi, xs.Length, Count);
    }
}
