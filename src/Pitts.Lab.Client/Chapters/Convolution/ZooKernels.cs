namespace Pitts.Lab.Zoo;

/// <summary>A named convolution kernel, defined for 3×3 and 5×5.</summary>
/// <param name="Key">URL key.</param>
/// <param name="Title">Menu text.</param>
/// <param name="Three">The 3×3 weights, row-major.</param>
/// <param name="Five">The 5×5 weights, row-major.</param>
public sealed record Kernel(string Key, string Title, float[] Three, float[] Five)
{
    /// <summary>The weights for a k×k kernel (k = 3 or 5).</summary>
    public float[] Weights(int size) => (float[])(size == 5 ? Five : Three).Clone();
}

/// <summary>The classic image-processing kernels offered by the convolution page.</summary>
public static class Kernels
{
    private static float[] Box(int k) => Enumerable.Repeat(1f / (k * k), k * k).ToArray();

    /// <summary>Every preset.</summary>
    public static readonly IReadOnlyList<Kernel> All =
    [
        new("edge-v", "vertical edges (Sobel x)",
            [-1, 0, 1, -2, 0, 2, -1, 0, 1],
            [-1, -2, 0, 2, 1, -4, -8, 0, 8, 4, -6, -12, 0, 12, 6, -4, -8, 0, 8, 4, -1, -2, 0, 2, 1]),
        new("edge-h", "horizontal edges (Sobel y)",
            [-1, -2, -1, 0, 0, 0, 1, 2, 1],
            [-1, -4, -6, -4, -1, -2, -8, -12, -8, -2, 0, 0, 0, 0, 0, 2, 8, 12, 8, 2, 1, 4, 6, 4, 1]),
        new("laplace", "edges in all directions (Laplacian)",
            [0, 1, 0, 1, -4, 1, 0, 1, 0],
            [0, 0, 1, 0, 0, 0, 1, 2, 1, 0, 1, 2, -16, 2, 1, 0, 1, 2, 1, 0, 0, 0, 1, 0, 0]),
        new("blur", "blur (box average)", Box(3), Box(5)),
        new("gauss", "blur (Gaussian)",
            [1 / 16f, 2 / 16f, 1 / 16f, 2 / 16f, 4 / 16f, 2 / 16f, 1 / 16f, 2 / 16f, 1 / 16f],
            [.. new float[] { 1, 4, 7, 4, 1, 4, 16, 26, 16, 4, 7, 26, 41, 26, 7, 4, 16, 26, 16, 4, 1, 4, 7, 4, 1 }.Select(v => v / 273f)]),
        new("sharpen", "sharpen",
            [0, -1, 0, -1, 5, -1, 0, -1, 0],
            [0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, -1, 5, -1, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0]),
        new("identity", "identity (copies the pixel)",
            [0, 0, 0, 0, 1, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    ];

    /// <summary>The preset with this key.</summary>
    public static Kernel Get(string key) => All.FirstOrDefault(k => k.Key == key) ?? All[0];
}
