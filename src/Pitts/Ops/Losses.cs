using System.Numerics.Tensors;
namespace Pitts;

// Fused loss primitives: the two cross-entropies for numerical stability (the compositions have NaN or wrong gradients
// at the edges; both are elementwise, no reduction, and differentiate with respect to the input only), and the squared
// error's sum for speed.
public sealed partial class Tensor
{
    /// <summary>
    /// scale · Σ (x - y)² over same-shaped x and y, as one op (scale 1/n: the mean squared error). A primitive for speed:
    /// it is the loss of every regression step, and for a small model the op count is the cost (the composition
    /// <c>x.Sub(y).Square()</c> then Mean was three nodes and five buffers a step). It runs that composition's operations
    /// in its order, so it gives its bits: d = x - y, Σ d·d, times scale; dx = ((g·scale)·d)·2 and dy = -dx.
    /// </summary>
    internal static Tensor SquaredErrorSum(Tensor input, Tensor target, float scale)
    {
        var d = new float[input.Numel];
        TensorPrimitives.Subtract(input.Data, target.Data, d);
        var squares = new float[d.Length];
        TensorPrimitives.Multiply(d, d, squares);
        var r = new Tensor([TensorPrimitives.Sum(squares) * scale], 0, []);
        Graph.Record(r, "MseLoss", input, target, g =>
        {
            var dx = new Tensor(input._shape);
            TensorPrimitives.Multiply(d, g.Storage[g.Offset] * scale, dx.AsSpan());
            TensorPrimitives.Multiply(dx.AsSpan(), 2f, dx.AsSpan());
            return (input.RequiresGrad ? dx : null, target.RequiresGrad ? dx.Neg() : null);
        });
        return r;
    }

    /// <summary>
    /// Elementwise binary cross-entropy on probabilities p: -(y·log p + (1-y)·log(1-p)) with each log clamped at
    /// -100 as PyTorch does, so p = 0 or 1 gives a finite loss. Gradient (p - y) / max(p(1-p), 1e-12), PyTorch's.
    /// A primitive because the composition Log().Clamp() gives 0/0 = NaN in backward at p = 0 or 1.
    /// </summary>
    public static Tensor BinaryCrossEntropy(Tensor input, Tensor target)
    {
        if (!ShapeUtil.Same(input._shape, target._shape))
            throw new ShapeException($"BinaryCrossEntropy: input {Fmt.Shape(input._shape)} and target {Fmt.Shape(target._shape)} must have the same shape");
        var p = input.Data; var y = target.Data;
        for (int i = 0; i < p.Length; i++)
            if (!(p[i] >= 0f && p[i] <= 1f))
                throw new PittsException($"BinaryCrossEntropy: input values must be probabilities in [0, 1], found {p[i]} at flat index {i}; use BinaryCrossEntropyWithLogits for raw scores");
        var r = new Tensor((int[])input._shape.Clone());
        var o = r.AsSpan();
        for (int i = 0; i < o.Length; i++)
        {
            float logP = Math.Max(MathF.Log(p[i]), -100f);
            float log1mP = Math.Max(MathF.Log(1f - p[i]), -100f);
            o[i] = -(y[i] * logP + (1f - y[i]) * log1mP);
        }
        Graph.Record(r, "BinaryCrossEntropy", input, g =>
        {
            var gx = new Tensor((int[])input._shape.Clone());
            var d = gx.AsSpan(); var gs = g.Data; var ps = input.Data; var ys = target.Data;
            for (int i = 0; i < d.Length; i++)
                d[i] = gs[i] * (ps[i] - ys[i]) / Math.Max((1f - ps[i]) * ps[i], 1e-12f);
            return gx;
        });
        return r;
    }

    /// <summary>
    /// Elementwise binary cross-entropy on logits x: max(x, 0) - x·y + log(1 + e^-|x|), which never overflows;
    /// gradient σ(x) - y. A primitive because composing it from Relu and Abs gives the wrong gradient at x = 0.
    /// An optional <paramref name="posWeight"/> (broadcast over the last dimension, as PyTorch) multiplies the positive term.
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor? posWeight = null)
    {
        if (!ShapeUtil.Same(input._shape, target._shape))
            throw new ShapeException($"BinaryCrossEntropyWithLogits: input {Fmt.Shape(input._shape)} and target {Fmt.Shape(target._shape)} must have the same shape");
        float[]? pw = null;
        if (posWeight is not null)
        {
            var e = Broadcast.Expand(posWeight, input._shape);
            pw = e.ToArray();
        }
        var r = new Tensor((int[])input._shape.Clone());
        var o = r.AsSpan(); var x = input.Data; var y = target.Data;
        for (int i = 0; i < o.Length; i++)
        {
            // log σ(x) = -softplus(-x) and log(1 - σ(x)) = -softplus(x), softplus(z) = max(z, 0) + log1p(e^-|z|).
            float sp = MathF.Log(1f + MathF.Exp(-MathF.Abs(x[i])));
            float logSig = -(Math.Max(-x[i], 0f) + sp), log1mSig = -(Math.Max(x[i], 0f) + sp);
            float w = pw is null ? 1f : pw[i];
            o[i] = -(w * y[i] * logSig + (1f - y[i]) * log1mSig);
        }
        Graph.Record(r, "BinaryCrossEntropyWithLogits", input, g =>
        {
            var gx = new Tensor((int[])input._shape.Clone());
            var d = gx.AsSpan(); var gs = g.Data; var xs = input.Data; var ys = target.Data;
            for (int i = 0; i < d.Length; i++)
            {
                float s = 1f / (1f + MathF.Exp(-xs[i]));
                float w = pw is null ? 1f : pw[i];
                // d/dx [-(w y log σ + (1-y) log(1-σ))] = -w y (1-σ) + (1-y) σ
                d[i] = gs[i] * (-w * ys[i] * (1f - s) + (1f - ys[i]) * s);
            }
            return gx;
        });
        return r;
    }
}
