using System.Text.Json;
using Pitts;

namespace Pitts.Tests.Support;

/// <summary>Reads golden-value files written by the PyTorch scripts in tests/Pitts.Tests/Golden.</summary>
public static class Golden
{
    public static JsonElement Load(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Golden", file);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    public static Tensor ToTensor(JsonElement e)
    {
        var shape = e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        var data = e.GetProperty("data").EnumerateArray().Select(x => x.GetSingle()).ToArray();
        return Tensor.FromArray(data, shape);
    }

    /// <summary>Asserts same shape and |a - e| ≤ atol + rtol·|e| elementwise, naming the first bad index.</summary>
    public static void AssertClose(Tensor expected, Tensor actual, string what, float rtol = 1e-4f, float atol = 1e-5f)
    {
        Assert.True(expected.Shape.SequenceEqual(actual.Shape),
            $"{what}: shape ({string.Join("x", actual.Shape)}) differs from expected ({string.Join("x", expected.Shape)})");
        var e = expected.ToArray();
        var a = actual.ToArray();
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(a[i] - e[i]) <= atol + rtol * Math.Abs(e[i]),
                $"{what}: element {i} is {a[i]:R}, expected {e[i]:R}");
    }
}
