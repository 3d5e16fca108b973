namespace Pitts.NN;

/// <summary>ReLU(x) = max(0, x), PyTorch's <c>nn.ReLU</c>.</summary>
public sealed class Relu : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Report(input.Relu());
}

/// <summary>Leaky ReLU: x for x &gt; 0, else slope·x (<c>nn.LeakyReLU</c>, slope 0.01 by default).</summary>
public sealed class LeakyRelu(float negativeSlope = 0.01f) : Module
{
    /// <summary>The slope for negative inputs.</summary>
    public float NegativeSlope { get; } = negativeSlope;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Report(input.LeakyRelu(NegativeSlope));

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"negative_slope={NegativeSlope}";
}

/// <summary>σ(x) = 1 / (1 + e^-x), <c>nn.Sigmoid</c>.</summary>
public sealed class Sigmoid : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Report(input.Sigmoid());
}

/// <summary>tanh(x), <c>nn.Tanh</c>.</summary>
public sealed class Tanh : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Report(input.Tanh());
}

/// <summary>GELU(x) = x·Φ(x) (exact erf form), <c>nn.GELU</c>.</summary>
public sealed class Gelu : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Report(input.Gelu());
}

/// <summary>ELU: x for x &gt; 0, else α(e^x - 1), <c>nn.ELU</c>.</summary>
public sealed class Elu(float alpha = 1f) : Module
{
    /// <summary>α, the value approached for large negative inputs is -α.</summary>
    public float Alpha { get; } = alpha;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Report(input.Elu(Alpha));
}

/// <summary>Softplus log(1 + e^x), <c>nn.Softplus</c>.</summary>
public sealed class Softplus : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Report(input.Softplus());
}

/// <summary>Softmax along <see cref="Dim"/>, <c>nn.Softmax</c>.</summary>
public sealed class Softmax(int dim = -1) : Module
{
    /// <summary>The dimension that sums to one.</summary>
    public int Dim { get; } = dim;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Report(input.Softmax(Dim));

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"dim={Dim}";
}

/// <summary>Log-softmax along <see cref="Dim"/>, <c>nn.LogSoftmax</c>.</summary>
public sealed class LogSoftmax(int dim = -1) : Module
{
    /// <summary>The dimension normalised over.</summary>
    public int Dim { get; } = dim;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Report(input.LogSoftmax(Dim));

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"dim={Dim}";
}

/// <summary>Returns its input unchanged, <c>nn.Identity</c>.</summary>
public sealed class Identity : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Report(input);
}

/// <summary>Merges dimensions startDim..endDim (by default all but the batch dimension), <c>nn.Flatten</c>.</summary>
public sealed class Flatten(int startDim = 1, int endDim = -1) : Module
{
    /// <summary>The first dimension merged.</summary>
    public int StartDim { get; } = startDim;

    /// <summary>The last dimension merged.</summary>
    public int EndDim { get; } = endDim;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Report(input.Flatten(StartDim, EndDim));
}

/// <summary>
/// Dropout (Srivastava et al., 2014): in training mode each element is zeroed with probability p and the survivors
/// are scaled by 1/(1-p), so the expected value is unchanged; in evaluation mode it is the identity.
/// </summary>
public sealed class Dropout : Module
{
    private readonly Generator? _generator;

    /// <summary>The probability of zeroing an element.</summary>
    public float P { get; }

    /// <summary>Creates the layer; masks are drawn from <paramref name="generator"/> (the default generator when null).</summary>
    public Dropout(float p = 0.5f, Generator? generator = null)
    {
        if (!(p >= 0f && p <= 1f)) throw new PittsException($"Dropout: probability must be in [0, 1], got {p}");
        P = p;
        _generator = generator;
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Report(Functional.Dropout(input, P, Training, _generator));

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"p={P}";
}
