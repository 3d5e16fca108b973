using System.Numerics.Tensors;

namespace Pitts.Optim;

/// <summary>Gradient clipping, applied between <c>Backward()</c> and <c>Step()</c>.</summary>
public static class GradClip
{
    /// <summary>
    /// Scales all gradients together so their joint norm ‖g‖ (the <paramref name="normType"/>-norm of all gradients
    /// concatenated; infinity for the max-norm) is at most <paramref name="maxNorm"/>: g ← g·min(1, max/(‖g‖ + 1e-6)),
    /// PyTorch's clip_grad_norm_. Returns the norm before clipping; NaN or infinite norms raise unless
    /// <paramref name="errorIfNonFinite"/> is false.
    /// </summary>
    public static float ClipGradNorm(IEnumerable<Tensor> parameters, float maxNorm, float normType = 2f, bool errorIfNonFinite = false)
    {
        var grads = parameters.Where(p => p.Grad is not null).Select(p => p.Grad!).ToList();
        if (grads.Count == 0) return 0f;
        double total;
        if (float.IsPositiveInfinity(normType))
            total = grads.Max(g => g.Numel == 0 ? 0f : Math.Abs(TensorPrimitives.MaxMagnitude(g.AsSpan())));
        else
        {
            // Per-tensor norms first, then the norm of the norms, as PyTorch does; sums in double.
            double acc = 0;
            foreach (var g in grads)
            {
                double s = 0;
                if (normType == 2f) foreach (float v in g.AsSpan()) s += (double)v * v;
                else foreach (float v in g.AsSpan()) s += Math.Pow(Math.Abs(v), normType);
                float tn = (float)Math.Pow(s, 1.0 / normType);
                acc += Math.Pow(tn, normType);
            }
            total = Math.Pow(acc, 1.0 / normType);
        }
        if (errorIfNonFinite && !double.IsFinite(total))
            throw new PittsException($"ClipGradNorm: the total gradient norm is {total}; the gradients are not finite");
        float coef = (float)(maxNorm / (total + 1e-6));
        if (coef < 1f)
            foreach (var g in grads) TensorPrimitives.Multiply(g.AsSpan(), coef, g.AsSpan());
        return (float)total;
    }

    /// <summary>Clamps every gradient element to [-clipValue, clipValue], PyTorch's clip_grad_value_.</summary>
    public static void ClipGradValue(IEnumerable<Tensor> parameters, float clipValue)
    {
        if (!(clipValue >= 0f)) throw new PittsException($"ClipGradValue: clip value must be non-negative, got {clipValue}");
        foreach (var p in parameters)
        {
            if (p.Grad is null) continue;
            var s = p.Grad.AsSpan();
            TensorPrimitives.Max(s, -clipValue, s);
            TensorPrimitives.Min(s, clipValue, s);
        }
    }
}
