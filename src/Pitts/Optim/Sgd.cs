namespace Pitts.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, as PyTorch writes it (the lecture's update rules):
/// <code>
/// g ← ∇L + λ·θ                        (weight decay: L2, added to the gradient)
/// v ← μ·v + (1 - τ)·g                 (momentum μ, dampening τ; v = g on the first step)
/// g ← g + μ·v  (Nesterov)  or  g ← v  (classical momentum)
/// θ ← θ - α·g
/// </code>
/// With μ = 0 it is plain SGD, θ ← θ - α∇L.
/// </summary>
public sealed class Sgd : Optimizer
{
    /// <summary>Momentum μ.</summary>
    public float Momentum { get; }

    /// <summary>Dampening τ of the gradient entering the momentum buffer.</summary>
    public float Dampening { get; }

    /// <summary>L2 weight decay λ, added to the gradient.</summary>
    public float WeightDecay { get; }

    /// <summary>Whether the Nesterov look-ahead form is used.</summary>
    public bool Nesterov { get; }

    /// <summary>Creates the optimizer; Nesterov needs momentum &gt; 0 and zero dampening (as in PyTorch).</summary>
    public Sgd(IEnumerable<Tensor> parameters, float lr, float momentum = 0f, float dampening = 0f, float weightDecay = 0f, bool nesterov = false)
        : this([new ParamGroup(parameters ?? throw new ArgumentNullException(nameof(parameters)))], lr, momentum, dampening, weightDecay, nesterov) { }

    /// <summary>Creates the optimizer over parameter groups (each may override the learning rate and weight decay).</summary>
    public Sgd(IEnumerable<ParamGroup> groups, float lr, float momentum = 0f, float dampening = 0f, float weightDecay = 0f, bool nesterov = false)
        : base(groups, lr, "SGD")
    {
        CheckNonNegative(momentum, "momentum", Name);
        CheckNonNegative(weightDecay, "weight decay", Name);
        if (nesterov && (momentum <= 0f || dampening != 0f))
            throw new PittsException($"SGD: Nesterov momentum requires momentum > 0 and zero dampening, got momentum={momentum}, dampening={dampening}");
        (Momentum, Dampening, WeightDecay, Nesterov) = (momentum, dampening, weightDecay, nesterov);
    }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> p, ReadOnlySpan<float> grad)
    {
        float lr = LearningRateOf(index), mu = Momentum, wd = WeightDecayOf(index, WeightDecay);
        bool first = Momentum != 0f && !State(index).ContainsKey("momentum_buffer");
        var v = Momentum != 0f ? Buffer(index, "momentum_buffer") : default;
        for (int j = 0; j < p.Length; j++)
        {
            float g = grad[j] + wd * p[j];
            if (mu != 0f)
            {
                v[j] = first ? g : mu * v[j] + (1f - Dampening) * g;
                g = Nesterov ? g + mu * v[j] : v[j];
            }
            p[j] -= lr * g;
        }
    }
}
