namespace Pitts.Optim;

/// <summary>
/// RMSprop (Hinton, Coursera lecture 6e, 2012), as PyTorch writes it:
/// <code>
/// g ← ∇L + λ·θ                               (weight decay: L2, added to the gradient)
/// s ← α·s + (1 - α)·g²                        (running mean of squared gradients)
/// d ← √(s - ḡ²) + ε  with ḡ ← α·ḡ + (1-α)·g   (centered)   or   d ← √s + ε
/// b ← μ·b + g/d, θ ← θ - lr·b   (momentum μ)   or   θ ← θ - lr·g/d
/// </code>
/// </summary>
public sealed class RmsProp : Optimizer
{
    /// <summary>α, the smoothing constant of the squared-gradient average.</summary>
    public float Alpha { get; }

    /// <summary>ε, added to the denominator.</summary>
    public float Eps { get; }

    /// <summary>L2 weight decay λ, added to the gradient.</summary>
    public float WeightDecay { get; }

    /// <summary>Momentum μ.</summary>
    public float Momentum { get; }

    /// <summary>Whether the gradient's variance (rather than its raw second moment) normalises the step.</summary>
    public bool Centered { get; }

    /// <summary>Creates the optimizer with PyTorch's defaults lr = 0.01, α = 0.99, ε = 1e-8.</summary>
    public RmsProp(IEnumerable<Tensor> parameters, float lr = 1e-2f, float alpha = 0.99f, float eps = 1e-8f, float weightDecay = 0f, float momentum = 0f, bool centered = false)
        : this([new ParamGroup(parameters ?? throw new ArgumentNullException(nameof(parameters)))], lr, alpha, eps, weightDecay, momentum, centered) { }

    /// <summary>Creates the optimizer over parameter groups (each may override the learning rate and weight decay).</summary>
    public RmsProp(IEnumerable<ParamGroup> groups, float lr = 1e-2f, float alpha = 0.99f, float eps = 1e-8f, float weightDecay = 0f, float momentum = 0f, bool centered = false)
        : base(groups, lr, "RMSprop")
    {
        CheckNonNegative(alpha, "alpha", Name);
        CheckNonNegative(eps, "eps", Name);
        CheckNonNegative(weightDecay, "weight decay", Name);
        CheckNonNegative(momentum, "momentum", Name);
        (Alpha, Eps, WeightDecay, Momentum, Centered) = (alpha, eps, weightDecay, momentum, centered);
    }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> p, ReadOnlySpan<float> grad)
    {
        NextStep(index);
        var s = Buffer(index, "square_avg");
        var gAvg = Centered ? Buffer(index, "grad_avg") : default;
        var b = Momentum > 0f ? Buffer(index, "momentum_buffer") : default;
        float lr = LearningRateOf(index), a = Alpha, eps = Eps, wd = WeightDecayOf(index, WeightDecay), mu = Momentum;
        for (int j = 0; j < p.Length; j++)
        {
            float g = grad[j] + wd * p[j];
            s[j] = a * s[j] + (1f - a) * g * g;
            float d;
            if (Centered)
            {
                gAvg[j] = a * gAvg[j] + (1f - a) * g;
                d = MathF.Sqrt(s[j] - gAvg[j] * gAvg[j]) + eps;
            }
            else d = MathF.Sqrt(s[j]) + eps;
            if (mu > 0f)
            {
                b[j] = mu * b[j] + g / d;
                p[j] -= lr * b[j];
            }
            else p[j] -= lr * g / d;
        }
    }
}
