namespace Pitts.NN;

/// <summary>How a loss combines its per-element values: their mean (the default), their sum, or none (the elementwise losses).</summary>
public enum Reduction
{
    /// <summary>The mean over elements (or the weighted mean for weighted cross-entropy).</summary>
    Mean,

    /// <summary>The sum over elements.</summary>
    Sum,

    /// <summary>No reduction: the loss of each element or sample.</summary>
    None,
}

/// <summary>Stateless functions behind the layers and losses (PyTorch's <c>torch.nn.functional</c>).</summary>
public static class Functional
{
    /// <summary>Zeroes each element with probability p and scales survivors by 1/(1-p) when <paramref name="training"/>; else returns the input.</summary>
    public static Tensor Dropout(Tensor input, float p = 0.5f, bool training = true, Generator? generator = null)
    {
        if (!(p >= 0f && p <= 1f)) throw new PittsException($"Dropout: probability must be in [0, 1], got {p}");
        if (!training || p == 0f) return input;
        if (p == 1f) return input.Mul(Tensor.ZerosLike(input));
        var mask = Tensor.Zeros([.. input.Shape]);
        var m = mask.AsSpan();
        var g = generator ?? Generator.Default;
        float scale = 1f / (1f - p);
        for (int i = 0; i < m.Length; i++) m[i] = g.NextFloat() < p ? 0f : scale;
        return input.Mul(mask);
    }

    /// <summary>Applies a reduction to elementwise losses.</summary>
    public static Tensor Reduce(Tensor loss, Reduction reduction) => reduction switch
    {
        Reduction.Mean => loss.Mean(),
        Reduction.Sum => loss.Sum(),
        Reduction.None => loss,
        _ => throw new PittsException($"Loss: unknown reduction {reduction}"),
    };

    private static void SameShape(Tensor input, Tensor target, string op)
    {
        if (!input.Shape.SequenceEqual(target.Shape))
            throw new ShapeException($"{op}: input {Fmt.Shape(input._shape)} and target {Fmt.Shape(target._shape)} must have the same shape (a (N) target for a (N x 1) output is a common slip: reshape one of them)");
    }

    /// <summary>Mean squared error, reduce((x - y)²).</summary>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        SameShape(input, target, "MseLoss");
        // The mean and the sum as one fused op (the same bits as the composition, fewer ops for small models).
        return reduction switch
        {
            Reduction.Mean when input.Numel > 0 => Tensor.SquaredErrorSum(input, target, 1f / input.Numel),
            Reduction.Sum when input.Numel > 0 => Tensor.SquaredErrorSum(input, target, 1f),
            _ => Reduce(input.Sub(target).Square(), reduction),
        };
    }

    /// <summary>Mean absolute error, reduce(|x - y|).</summary>
    public static Tensor L1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        SameShape(input, target, "L1Loss");
        return Reduce(input.Sub(target).Abs(), reduction);
    }

    /// <summary>Binary cross-entropy on probabilities, -[y log p + (1-y) log(1-p)] with logs clamped at -100; an optional weight rescales each element.</summary>
    public static Tensor BinaryCrossEntropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean)
    {
        var l = Tensor.BinaryCrossEntropy(input, target);
        if (weight is not null) l = l.Mul(weight);
        return Reduce(l, reduction);
    }

    /// <summary>Binary cross-entropy on logits, stable for any magnitude: max(x,0) - x·y + log(1 + e^-|x|).</summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor? weight = null, Tensor? posWeight = null, Reduction reduction = Reduction.Mean)
    {
        var l = Tensor.BinaryCrossEntropyWithLogits(input, target, posWeight);
        if (weight is not null) l = l.Mul(weight);
        return Reduce(l, reduction);
    }

    /// <summary>
    /// Negative log-likelihood of class indices: -w[y]·logp[y] for log-probabilities of shape (N, C) or (N, C, d…)
    /// and integer-valued targets of shape (N) or (N, d…); the mean divides by Σ w[y] as PyTorch does. Targets equal
    /// to <paramref name="ignoreIndex"/> contribute nothing.
    /// </summary>
    public static Tensor NllLoss(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean, int ignoreIndex = -100)
    {
        var (logp, idx, outShape) = ClassesLast(input, target, "NllLoss");
        int n = logp.Size(0), c = logp.Size(1);
        var (w, picked) = TargetWeights(idx, n, c, weight, ignoreIndex, "NllLoss");
        var gathered = logp.Gather(1, picked).Reshape(n); // (N)
        var l = gathered.Neg().Mul(w);
        return ReduceWeighted(l, w, reduction, outShape);
    }

    /// <summary>
    /// Cross-entropy of logits against class indices: NLL of log-softmax, with optional class weights and
    /// label smoothing ε, where the target distribution is (1-ε)·onehot + ε/C as in PyTorch.
    /// </summary>
    public static Tensor CrossEntropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean, float labelSmoothing = 0f, int ignoreIndex = -100)
    {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
            throw new PittsException($"CrossEntropy: label smoothing must be in [0, 1], got {labelSmoothing}");
        var (logits, idx, outShape) = ClassesLast(input, target, "CrossEntropy");
        int n = logits.Size(0), c = logits.Size(1);
        var logp = logits.LogSoftmax(1); // (N, C)
        var (w, picked) = TargetWeights(idx, n, c, weight, ignoreIndex, "CrossEntropy");
        var nll = logp.Gather(1, picked).Reshape(n).Neg().Mul(w); // (N)
        if (labelSmoothing == 0f) return ReduceWeighted(nll, w, reduction, outShape);
        // Smoothing term: -Σ_c w_c logp_c / C for each sample (zero for ignored samples).
        var valid = Tensor.FromArray(idx.Select(t => t == ignoreIndex ? 0f : 1f).ToArray(), n);
        var lw = weight is null ? logp : logp.Mul(weight.Reshape(1, c));
        var smooth = lw.Sum(1).Neg().Mul(valid); // (N)
        Tensor nllPart, smoothPart;
        if (reduction == Reduction.Mean)
        {
            var denom = w.Sum();
            nllPart = nll.Sum().Div(denom);
            smoothPart = smooth.Sum().Div(denom);
        }
        else
        {
            nllPart = Reduce(nll, reduction);
            smoothPart = Reduce(smooth, reduction);
        }
        var r = nllPart.Mul(1f - labelSmoothing).Add(smoothPart.Mul(labelSmoothing / c));
        return reduction == Reduction.None ? r.Reshape(outShape) : r;
    }

    private static Tensor ReduceWeighted(Tensor l, Tensor w, Reduction reduction, int[] outShape) => reduction switch
    {
        Reduction.Mean => l.Sum().Div(w.Sum()),
        Reduction.Sum => l.Sum(),
        _ => l.Reshape(outShape),
    };

    /// <summary>Brings (N, C, d…) scores to (N·d…, C) and targets to a flat index list.</summary>
    private static (Tensor Scores, int[] Targets, int[] OutShape) ClassesLast(Tensor input, Tensor target, string op)
    {
        if (input.Rank == 1)
        {
            if (target.Rank != 0)
                throw new ShapeException($"{op}: scores of shape {Fmt.Shape(input._shape)} need a scalar target, got {Fmt.Shape(target._shape)}");
            return (input.Reshape(1, -1), [ToIndex(target.Item(), op)], []);
        }
        if (input.Rank < 1)
            throw new ShapeException($"{op}: input must be (C), (N x C) or (N x C x d...), got {Fmt.Shape(input._shape)}");
        int[] expected = [input.Shape[0], .. input.Shape.Skip(2)];
        if (!target.Shape.SequenceEqual(expected))
            throw new ShapeException($"{op}: input {Fmt.Shape(input._shape)} needs class-index targets of shape {Fmt.Shape(expected)}, got {Fmt.Shape(target._shape)}");
        var scores = input;
        if (input.Rank > 2)
        {
            int[] perm = [0, .. Enumerable.Range(2, input.Rank - 2), 1];
            scores = input.Permute(perm).Reshape(-1, input.Shape[1]); // (N·d…, C)
        }
        var t = target.ToArray();
        var idx = new int[t.Length];
        for (int i = 0; i < t.Length; i++) idx[i] = ToIndex(t[i], op);
        return (scores, idx, expected);
    }

    private static int ToIndex(float v, string op)
    {
        if (v != MathF.Floor(v) || float.IsInfinity(v))
            throw new PittsException($"{op}: targets must be integer class indices, found {v}");
        return (int)v;
    }

    private static (Tensor W, Tensor Picked) TargetWeights(int[] idx, int n, int c, Tensor? weight, int ignoreIndex, string op)
    {
        if (weight is not null && (weight.Rank != 1 || weight.Shape[0] != c))
            throw new ShapeException($"{op}: class weights must have shape ({c}), got {Fmt.Shape(weight._shape)}");
        var w = new float[n];
        var picked = new float[n];
        var ws = weight?.ToArray();
        for (int i = 0; i < n; i++)
        {
            if (idx[i] == ignoreIndex) { w[i] = 0f; picked[i] = 0f; continue; }
            if (idx[i] < 0 || idx[i] >= c)
                throw new PittsException($"{op}: target {idx[i]} at position {i} is out of range for {c} classes");
            w[i] = ws is null ? 1f : ws[idx[i]];
            picked[i] = idx[i];
        }
        return (Tensor.FromArray(w, n), Tensor.FromArray(picked, n, 1));
    }
}
