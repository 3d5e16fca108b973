namespace Pitts.NN;

/// <summary>
/// Weight initialisers (PyTorch's <c>nn.init</c>), writing in place into a tensor's storage from a
/// <see cref="Generator"/> (the default one when null).
/// </summary>
public static class Init
{
    /// <summary>(fan_in, fan_out) of a weight: (in, out) for a matrix, (in·k·k, out·k·k) for a convolution kernel.</summary>
    public static (int FanIn, int FanOut) FanInAndFanOut(Tensor weight)
    {
        if (weight.Rank < 2)
            throw new ShapeException($"Init: fan in and fan out need a tensor with at least 2 dimensions, got {Fmt.Shape(weight._shape)}");
        int receptive = 1;
        for (int i = 2; i < weight.Rank; i++) receptive *= weight._shape[i];
        return (weight._shape[1] * receptive, weight._shape[0] * receptive);
    }

    /// <summary>Fills with U(low, high).</summary>
    public static Tensor Uniform(Tensor t, float low, float high, Generator? generator = null)
    {
        (generator ?? Generator.Default).FillUniform(t.AsSpan(), low, high);
        return t;
    }

    /// <summary>Fills with N(mean, std²).</summary>
    public static Tensor Normal(Tensor t, float mean = 0f, float std = 1f, Generator? generator = null)
    {
        (generator ?? Generator.Default).FillNormal(t.AsSpan(), mean, std);
        return t;
    }

    /// <summary>Fills with a constant.</summary>
    public static Tensor Constant(Tensor t, float value)
    {
        t.AsSpan().Fill(value);
        return t;
    }

    /// <summary>
    /// Kaiming (He) uniform: U(-b, b) with b = gain·√(3 / fan_in) and gain = √(2 / (1 + a²)) (leaky-ReLU gain).
    /// PyTorch's default for Linear and Conv weights is a = √5, which gives b = 1/√fan_in.
    /// </summary>
    public static Tensor KaimingUniform(Tensor t, double a = 0, Generator? generator = null)
    {
        var (fanIn, _) = FanInAndFanOut(t);
        double gain = Math.Sqrt(2.0 / (1 + a * a));
        float bound = fanIn == 0 ? 0f : (float)(gain * Math.Sqrt(3.0 / fanIn));
        return Uniform(t, -bound, bound, generator);
    }

    /// <summary>Xavier (Glorot) uniform: U(-b, b) with b = gain·√(6 / (fan_in + fan_out)).</summary>
    public static Tensor XavierUniform(Tensor t, double gain = 1, Generator? generator = null)
    {
        var (fanIn, fanOut) = FanInAndFanOut(t);
        float bound = (float)(gain * Math.Sqrt(6.0 / Math.Max(1, fanIn + fanOut)));
        return Uniform(t, -bound, bound, generator);
    }
}
