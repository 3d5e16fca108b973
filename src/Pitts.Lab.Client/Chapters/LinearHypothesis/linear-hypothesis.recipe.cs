#:project ../../../Pitts/Pitts.csproj
// The linear hypothesis: ŷ = w · φ(x), fitted by least squares to noisy points of a function, with the error on the
// training points and on fresh validation and test points. The lab's page runs this file; on its own, from the
// repository's root:
//   dotnet run -c Release src/Pitts.Lab.Client/Chapters/LinearHypothesis/linear-hypothesis.recipe.cs
using Pitts;
using Pitts.Data;
using Pitts.Models;

#if !PITTS_LAB // the lab compiles the class below into itself and calls it for the page's settings
var settings = new LinearHypothesisSettings(Target: "sin3x", Phi: "poly", Degree: 3, Noise: 0.15, Points: 15, Seed: 1);
var (train, val, test) = LinearHypothesisRecipe.Data(settings);
var model = LinearModel.Fit(LinearHypothesisRecipe.Features(settings), train.Inputs, train.Targets);   // least squares
Console.WriteLine($"training MSE {model.Mse(train.Inputs, train.Targets):0.00000}, validation MSE {model.Mse(val.Inputs, val.Targets):0.00000}, "
    + $"test MSE {model.Mse(test.Inputs, test.Targets):0.00000}");
#endif

/// <summary>
/// What the page's controls change: the target function (sin3x, cubic, sin, step), the features φ (linear, poly of the
/// given degree, or the lecture's custom [1, x, sin 3x]), the noise's standard deviation, the training points, the seed.
/// </summary>
public sealed record LinearHypothesisSettings(string Target, string Phi, int Degree, double Noise, int Points, ulong Seed);

/// <summary>The targets, the feature maps and the three data sets of the page.</summary>
public static class LinearHypothesisRecipe
{
    /// <summary>The target function named <paramref name="name"/>, on [-1.5, 1.5].</summary>
    public static double Target(string name, double x) => name switch
    {
        "cubic" => x * x * x - x,
        "sin" => Math.Sin(2 * x),
        "step" => x < 0 ? -1 : 1,
        _ => x / 2 + Math.Sin(3 * x),
    };

    /// <summary>The feature map φ of the settings.</summary>
    public static FeatureMap Features(LinearHypothesisSettings s) => s.Phi switch
    {
        "linear" => FeatureMap.Linear,
        "custom" => FeatureMap.LectureCustom,
        _ => FeatureMap.Polynomial(s.Degree),
    };

    /// <summary>Three independent draws from the same distribution: the training points, 30 validation and 30 test points.</summary>
    public static (TensorDataset Train, TensorDataset Val, TensorDataset Test) Data(LinearHypothesisSettings s)
    {
        var g = new Generator(s.Seed);
        var train = Synthetic.Function(x => Target(s.Target, x), s.Points, -1.5, 1.5, s.Noise, g, sorted: true);
        var val = Synthetic.Function(x => Target(s.Target, x), 30, -1.5, 1.5, s.Noise, g, sorted: true);
        var test = Synthetic.Function(x => Target(s.Target, x), 30, -1.5, 1.5, s.Noise, g, sorted: true);
        return (train, val, test);
    }
}
