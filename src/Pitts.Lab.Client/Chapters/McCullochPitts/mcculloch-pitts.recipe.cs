#:project ../../../Pitts.Neuro/Pitts.Neuro.csproj
// The McCulloch-Pitts neuron (1943): binary inputs, weights and a threshold θ; it fires (1) when Σ w_i x_i ≥ θ. One unit
// computes AND, OR, NOT, NAND or NOR, but no single unit computes XOR (an exhaustive search says so); two layers do.
// The lab's page runs this file; on its own, from the repository's root:
//   dotnet run -c Release src/Pitts.Lab.Client/Chapters/McCullochPitts/mcculloch-pitts.recipe.cs
using Pitts.Neuro.McCullochPitts;

#if !PITTS_LAB // the lab compiles the class below into itself and calls it as the weights and inputs change
var settings = new McCullochPittsSettings(Weights: [1, 1], Threshold: 2, Inputs: [0, 0]);
var unit = McCullochPittsRecipe.Unit(settings);
Console.WriteLine($"sum {unit.Sum([.. settings.Inputs])}, output {unit.Fire([.. settings.Inputs])}");
Console.WriteLine(TruthTable.Of(unit));

// XOR needs two layers: AND(OR(a, b), NAND(a, b))
Console.WriteLine(TruthTable.Of(Gates.Xor));
var search = McCullochPittsRecipe.XorSearch();
Console.WriteLine($"two-input units with integer weights in [-4, 4]: {search.CandidatesTried} tried, {search.Solutions.Count} compute XOR");
#endif

/// <summary>What the page's controls change: one to three weights, the threshold θ, and the binary inputs.</summary>
public sealed record McCullochPittsSettings(IReadOnlyList<double> Weights, double Threshold, IReadOnlyList<int> Inputs);

/// <summary>The unit of the settings, and the search for a single unit that computes XOR.</summary>
public static class McCullochPittsRecipe
{
    /// <summary>The unit with the settings' weights and threshold.</summary>
    public static McCullochPittsNeuron Unit(McCullochPittsSettings s) => new(s.Weights, s.Threshold);

    /// <summary>Every two-input unit with integer weights in [-4, 4], and every threshold that makes a difference, tried on XOR's truth table.</summary>
    public static ThresholdSearchResult XorSearch() => ThresholdSearch.Search(TruthTable.FromOutputs(2, 0, 1, 1, 0), 4);
}
