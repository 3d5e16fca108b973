#:project ../../../Pitts/Pitts.csproj
// A convolution kernel sliding over a held-out MNIST digit: the output map (K * X)_ij = Σ_m Σ_n K_mn X_(i+m, j+n)
// (cross-correlation, as PyTorch's Conv2d), its 2×2 max pooling, and the value under the window the page highlights.
// The lab's page runs this file; on its own, from the repository's root:
//   dotnet run -c Release src/Pitts.Lab.Client/Chapters/Convolution/convolution.recipe.cs
using Pitts;
using Pitts.Data;

#if !PITTS_LAB // the lab compiles the class below into itself and calls it as the kernel, the digit and the window change
var settings = new ConvolutionSettings(Digit: 0, Kernel: [-1f, 0f, 1f, -2f, 0f, 2f, -1f, 0f, 1f], Wy: 13, Wx: 13);
var x = Datasets.Mnist().Test.Inputs.Narrow(0, settings.Digit, 1);   // (1, 1, 28, 28), pixels in [0, 1]
var (map, pooled) = ConvolutionRecipe.Slide(x, settings);
Console.WriteLine($"output ({settings.Wy}, {settings.Wx}) = {ConvolutionRecipe.At(map, settings.Wy, settings.Wx):0.0000}");
Console.WriteLine($"map ({string.Join(", ", map.Shape)}): largest {map.Max().Item():0.0000}, smallest {map.Min().Item():0.0000}; "
    + $"pooled ({string.Join(", ", pooled.Shape)}): sum {pooled.Sum().Item():0.0000}");
#endif

/// <summary>
/// What the page's controls change: the held-out digit, the kernel's weights (row-major, 3×3 or 5×5), and the window's
/// position (row Wy, column Wx of the output map).
/// </summary>
public sealed record ConvolutionSettings(int Digit, IReadOnlyList<float> Kernel, int Wy, int Wx);

/// <summary>One convolution and one pooling of a digit.</summary>
public static class ConvolutionRecipe
{
    /// <summary>The output map K * X, (1, 1, 28-k+1, 28-k+1), and its 2×2 max pooling, of the digit <paramref name="x"/> (1, 1, 28, 28).</summary>
    public static (Tensor Map, Tensor Pooled) Slide(Tensor x, ConvolutionSettings s)
    {
        int k = (int)Math.Round(Math.Sqrt(s.Kernel.Count));                   // 3×3 or 5×5
        var kernel = Tensor.FromArray([.. s.Kernel], 1, 1, k, k);             // (out channels, in channels, k, k)
        var map = Tensor.Conv2d(x, kernel);                                   // (1, 1, 28-k+1, 28-k+1)
        return (map, map.MaxPool2d(2));                                       // (1, 1, ⌊(28-k+1)/2⌋, ⌊(28-k+1)/2⌋)
    }

    /// <summary>The output under the window at row <paramref name="i"/>, column <paramref name="j"/>: Σ K·X over the window.</summary>
    public static float At(Tensor map, int i, int j) => map.ToArray()[i * map.Shape[3] + j];
}
