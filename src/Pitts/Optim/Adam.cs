using System.Numerics;
using System.Runtime.InteropServices;

namespace Pitts.Optim;

/// <summary>
/// Adam (Kingma and Ba, 2015, Algorithm 1), with PyTorch's placement of ε:
/// <code>
/// g ← ∇L + λ·θ                          (weight decay: L2, coupled into the gradient; see AdamW for decoupled)
/// m ← β₁·m + (1 - β₁)·g                 (first moment)
/// v ← β₂·v + (1 - β₂)·g²                (second moment)
/// θ ← θ - α/(1 - β₁ᵗ) · m / (√v / √(1 - β₂ᵗ) + ε)
/// </code>
/// </summary>
public class Adam : Optimizer
{
    /// <summary>β₁, the decay of the first-moment estimate.</summary>
    public float Beta1 { get; }

    /// <summary>β₂, the decay of the second-moment estimate.</summary>
    public float Beta2 { get; }

    /// <summary>ε, added to the denominator.</summary>
    public float Eps { get; }

    /// <summary>Weight decay λ (L2 in Adam, decoupled in AdamW).</summary>
    public float WeightDecay { get; }

    /// <summary>Creates the optimizer with PyTorch's defaults α = 1e-3, β = (0.9, 0.999), ε = 1e-8, λ = 0.</summary>
    public Adam(IEnumerable<Tensor> parameters, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f, bool amsgrad = false)
        : this([new ParamGroup(parameters ?? throw new ArgumentNullException(nameof(parameters)))], lr, beta1, beta2, eps, weightDecay, amsgrad, "Adam") { }

    /// <summary>Creates the optimizer over parameter groups (each may override the learning rate and weight decay).</summary>
    public Adam(IEnumerable<ParamGroup> groups, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f, bool amsgrad = false)
        : this(groups, lr, beta1, beta2, eps, weightDecay, amsgrad, "Adam") { }

    /// <summary>Creates the optimizer with a name for messages (used by AdamW).</summary>
    protected Adam(IEnumerable<ParamGroup> groups, float lr, float beta1, float beta2, float eps, float weightDecay, bool amsgrad, string name)
        : base(groups, lr, name)
    {
        AmsGrad = amsgrad;
        CheckUnit(beta1, "beta1", name);
        CheckUnit(beta2, "beta2", name);
        CheckNonNegative(eps, "eps", name);
        CheckNonNegative(weightDecay, "weight decay", name);
        (Beta1, Beta2, Eps, WeightDecay) = (beta1, beta2, eps, weightDecay);
    }

    /// <summary>AMSGrad (Reddi et al., 2018): the denominator uses the running maximum of v, so steps never grow from a shrinking v.</summary>
    public bool AmsGrad { get; }

    // 1 - β₁ᵗ and √(1 - β₂ᵗ) for step _correctedStep.
    private int _correctedStep;
    private float _biasCorrection1, _biasCorrection2Sqrt;

    /// <summary>True when weight decay is decoupled from the gradient (AdamW).</summary>
    protected virtual bool DecoupledWeightDecay => false;

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> p, ReadOnlySpan<float> grad)
    {
        int t = NextStep(index);
        var m = Buffer(index, "exp_avg");
        var v = Buffer(index, "exp_avg_sq");
        var vMax = AmsGrad ? Buffer(index, "max_exp_avg_sq") : default;
        float lr = LearningRateOf(index), b1 = Beta1, b2 = Beta2, eps = Eps, wd = WeightDecayOf(index, WeightDecay);
        if (t != _correctedStep) // every parameter is usually at the same step: two powf per step, not per parameter
        {
            _biasCorrection1 = 1f - MathF.Pow(b1, t);
            _biasCorrection2Sqrt = MathF.Sqrt(1f - MathF.Pow(b2, t));
            _correctedStep = t;
        }
        float biasCorrection1 = _biasCorrection1, biasCorrection2Sqrt = _biasCorrection2Sqrt;
        float stepSize = lr / biasCorrection1;
        bool decoupled = DecoupledWeightDecay, amsgrad = AmsGrad; // locals: read once, not per element
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // The loop below, Vector<float>.Count weights at a time (it ran 85 instructions a weight): the same
            // operations in the same order, with no fused multiply-add, so every weight rounds exactly as there.
            var pv = MemoryMarshal.Cast<float, Vector<float>>(p);
            var gv = MemoryMarshal.Cast<float, Vector<float>>(grad);
            var mv = MemoryMarshal.Cast<float, Vector<float>>(m);
            var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
            var vMaxV = MemoryMarshal.Cast<float, Vector<float>>(vMax);
            var decay = new Vector<float>(1f - lr * wd);
            var scale2 = new Vector<float>(biasCorrection2Sqrt);
            var epsV = new Vector<float>(eps);
            for (int i = 0; i < pv.Length; i++)
            {
                var g = gv[i];
                if (decoupled) pv[i] *= decay;
                else g += wd * pv[i];
                var mi = mv[i] = b1 * mv[i] + (1f - b1) * g;
                var vHat = vv[i] = b2 * vv[i] + (1f - b2) * g * g;
                if (amsgrad) vHat = vMaxV[i] = Vector.Max(vMaxV[i], vHat);
                var denom = Vector.SquareRoot(vHat) / scale2 + epsV;
                pv[i] -= stepSize * mi / denom;
            }
            j = pv.Length * Vector<float>.Count;
        }
        for (; j < p.Length; j++)
        {
            float g = grad[j];
            if (decoupled) p[j] *= 1f - lr * wd;   // θ ← θ - αλθ, outside the adaptive scaling
            else g += wd * p[j];                    // L2: λθ joins the gradient
            float mj = m[j] = b1 * m[j] + (1f - b1) * g;
            float vHat = v[j] = b2 * v[j] + (1f - b2) * g * g;
            if (amsgrad) vHat = vMax[j] = Math.Max(vMax[j], vHat);
            float denom = MathF.Sqrt(vHat) / biasCorrection2Sqrt + eps;
            p[j] -= stepSize * mj / denom;
        }
    }
}

/// <summary>
/// AdamW (Loshchilov and Hutter, 2019): Adam with decoupled weight decay, θ ← θ - αλθ applied directly to the
/// weights before the Adam step rather than added to the gradient. PyTorch's defaults: λ = 0.01.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer with PyTorch's defaults α = 1e-3, β = (0.9, 0.999), ε = 1e-8, λ = 0.01.</summary>
    public AdamW(IEnumerable<Tensor> parameters, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 1e-2f, bool amsgrad = false)
        : base([new ParamGroup(parameters ?? throw new ArgumentNullException(nameof(parameters)))], lr, beta1, beta2, eps, weightDecay, amsgrad, "AdamW") { }

    /// <summary>Creates the optimizer over parameter groups (e.g. biases and norms with WeightDecay: 0).</summary>
    public AdamW(IEnumerable<ParamGroup> groups, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 1e-2f, bool amsgrad = false)
        : base(groups, lr, beta1, beta2, eps, weightDecay, amsgrad, "AdamW") { }

    /// <inheritdoc/>
    protected override bool DecoupledWeightDecay => true;
}
