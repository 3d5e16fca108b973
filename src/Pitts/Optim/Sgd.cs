using System.Numerics.Tensors;

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
        // Vectorised (TensorPrimitives): this loop runs over every weight at every step.
        float[]? rented = null;
        ReadOnlySpan<float> g = grad;
        if (wd != 0f)
        {
            rented = System.Buffers.ArrayPool<float>.Shared.Rent(p.Length);
            var withDecay = rented.AsSpan(0, p.Length);
            TensorPrimitives.MultiplyAdd(p, wd, grad, withDecay);          // g + λ·p (L2 added to the gradient)
            g = withDecay;
        }
        if (mu != 0f)
        {
            if (first) g.CopyTo(v);                                           // v ← g on the first step
            else
            {
                TensorPrimitives.Multiply(v, mu, v);                          // v ← μ·v + (1 − dampening)·g
                TensorPrimitives.MultiplyAdd(g, 1f - Dampening, v, v);
            }
            if (Nesterov)
            {
                TensorPrimitives.MultiplyAdd(g, -lr, p, p);                   // p ← p − α·(g + μ·v)
                TensorPrimitives.MultiplyAdd(v, -lr * mu, p, p);
            }
            else TensorPrimitives.MultiplyAdd(v, -lr, p, p);                  // p ← p − α·v
        }
        else TensorPrimitives.MultiplyAdd(g, -lr, p, p);                      // p ← p − α·g
        if (rented is not null) System.Buffers.ArrayPool<float>.Shared.Return(rented);
    }

}
