namespace Pitts.NN;

/// <summary>
/// 2-D convolution (cross-correlation, as in PyTorch and the lecture's (K * X)_ij = Σ K_mn X_(i+m, j+n)) of
/// (N, C_in, H, W) inputs with C_out kernels of size k×k, stride, zero padding and dilation, PyTorch's
/// <c>nn.Conv2d</c> without groups. Initialised as PyTorch: Kaiming uniform with a = √5 (U(±1/√fan_in), fan_in =
/// C_in·k·k) for the weight and U(±1/√fan_in) for the bias.
/// </summary>
public sealed class Conv2d : Module
{
    /// <summary>The kernels, shape (C_out, C_in, kH, kW).</summary>
    public Tensor Weight { get; }

    /// <summary>The bias, shape (C_out), or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>The stride (vertical, horizontal).</summary>
    public (int H, int W) Stride { get; }

    /// <summary>The zero padding on each side (vertical, horizontal).</summary>
    public (int H, int W) Padding { get; }

    /// <summary>The spacing between kernel taps (vertical, horizontal).</summary>
    public (int H, int W) Dilation { get; }

    /// <summary>Creates the layer with a square kernel and equal stride, padding and dilation in both directions.</summary>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, bool bias = true, Generator? generator = null)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), (padding, padding), (dilation, dilation), bias, generator) { }

    /// <summary>Creates the layer with per-direction kernel size, stride, padding and dilation.</summary>
    public Conv2d(int inChannels, int outChannels, (int H, int W) kernelSize, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, bool bias = true, Generator? generator = null)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernelSize.H <= 0 || kernelSize.W <= 0)
            throw new PittsException($"Conv2d: channels and kernel size must be positive, got in={inChannels}, out={outChannels}, kernel={kernelSize}");
        (Stride, Padding, Dilation) = (stride, padding, dilation);
        Weight = RegisterParameter("weight", Init.KaimingUniform(Tensor.Zeros(outChannels, inChannels, kernelSize.H, kernelSize.W), Math.Sqrt(5), generator));
        if (bias)
        {
            float bound = 1f / MathF.Sqrt(inChannels * kernelSize.H * kernelSize.W);
            Bias = RegisterParameter("bias", Init.Uniform(Tensor.Zeros(outChannels), -bound, bound, generator));
        }
        else RegisterParameter("bias");
    }

    /// <summary>The convolution of an (N, C_in, H, W) input: (N, C_out, H', W') with H' = ⌊(H + 2p - d(k-1) - 1)/s⌋ + 1.</summary>
    public override Tensor Forward(Tensor input) => Report(Tensor.Conv2d(input, Weight, Bias, Stride, Padding, Dilation));

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"{Weight.Shape[1]}, {Weight.Shape[0]}, kernel_size=({Weight.Shape[2]}, {Weight.Shape[3]}), stride={Stride}, padding={Padding}, dilation={Dilation}";
}

/// <summary>Max pooling over k×k windows of (N, C, H, W) inputs (stride defaults to k), PyTorch's <c>nn.MaxPool2d</c>.</summary>
public sealed class MaxPool2d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1) : Module
{
    /// <summary>The window size.</summary>
    public int KernelSize { get; } = kernelSize;

    /// <summary>The step between windows.</summary>
    public int Stride { get; } = stride ?? kernelSize;

    /// <summary>The implicit -∞ padding on each side.</summary>
    public int Padding { get; } = padding;

    /// <summary>The spacing between window taps.</summary>
    public int Dilation { get; } = dilation;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Report(input.MaxPool2d(KernelSize, Stride, Padding, Dilation));

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}";
}

/// <summary>
/// Average pooling over k×k windows of (N, C, H, W) inputs (stride defaults to k), PyTorch's <c>nn.AvgPool2d</c>;
/// with <c>countIncludePad</c> (the default) padded zeros count in the divisor.
/// </summary>
public sealed class AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool countIncludePad = true) : Module
{
    /// <summary>The window size.</summary>
    public int KernelSize { get; } = kernelSize;

    /// <summary>The step between windows.</summary>
    public int Stride { get; } = stride ?? kernelSize;

    /// <summary>The zero padding on each side.</summary>
    public int Padding { get; } = padding;

    /// <summary>Whether padded zeros count in each window's divisor.</summary>
    public bool CountIncludePad { get; } = countIncludePad;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Report(input.AvgPool2d(KernelSize, Stride, Padding, CountIncludePad));

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}";
}
