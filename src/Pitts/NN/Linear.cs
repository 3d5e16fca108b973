namespace Pitts.NN;

/// <summary>
/// Fully connected layer y = x·Wᵀ + b with W of shape (out, in), PyTorch's <c>nn.Linear</c>. Initialised as PyTorch:
/// W ~ U(-1/√in, 1/√in) (Kaiming uniform with a = √5) and b ~ U(-1/√in, 1/√in).
/// </summary>
public sealed class Linear : Module
{
    /// <summary>The weight, shape (outFeatures, inFeatures).</summary>
    public Tensor Weight { get; }

    /// <summary>The bias, shape (outFeatures), or null when created with bias: false.</summary>
    public Tensor? Bias { get; }

    /// <summary>The size of each input's last dimension.</summary>
    public int InFeatures { get; }

    /// <summary>The size of each output's last dimension.</summary>
    public int OutFeatures { get; }

    /// <summary>Creates the layer with PyTorch's default initialisation drawn from <paramref name="generator"/>.</summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true, Generator? generator = null)
    {
        if (inFeatures < 0 || outFeatures < 0)
            throw new PittsException($"Linear: feature counts must be non-negative, got in={inFeatures}, out={outFeatures}");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Init.KaimingUniform(Tensor.Zeros(outFeatures, inFeatures), Math.Sqrt(5), generator));
        if (bias)
        {
            float bound = inFeatures > 0 ? 1f / MathF.Sqrt(inFeatures) : 0f;
            Bias = RegisterParameter("bias", Init.Uniform(Tensor.Zeros(outFeatures), -bound, bound, generator));
        }
        else RegisterParameter("bias");
    }

    /// <summary>y = x·Wᵀ + b for x of shape (…, in); the result has shape (…, out).</summary>
    public override Tensor Forward(Tensor input) => Report(Tensor.Linear(input, Weight, Bias));

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={Bias is not null}";
}
