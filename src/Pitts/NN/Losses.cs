namespace Pitts.NN;

/// <summary>A loss function object, <c>criterion(output, target)</c> in PyTorch: call <see cref="Forward"/>.</summary>
public abstract class Loss(Reduction reduction)
{
    /// <summary>How per-element losses are combined.</summary>
    public Reduction Reduction { get; } = reduction;

    /// <summary>The loss of <paramref name="input"/> (the model's output) against <paramref name="target"/>.</summary>
    public abstract Tensor Forward(Tensor input, Tensor target);
}

/// <summary>Mean squared error (1/n) Σ (x - y)², PyTorch's <c>nn.MSELoss</c>.</summary>
public sealed class MseLoss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Functional.MseLoss(input, target, Reduction);
}

/// <summary>Mean absolute error (1/n) Σ |x - y|, <c>nn.L1Loss</c>.</summary>
public sealed class L1Loss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Functional.L1Loss(input, target, Reduction);
}

/// <summary>Binary cross-entropy on probabilities, logs clamped at -100, <c>nn.BCELoss</c>.</summary>
public sealed class BceLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Functional.BinaryCrossEntropy(input, target, weight, Reduction);
}

/// <summary>Binary cross-entropy on logits (sigmoid folded in, stable), <c>nn.BCEWithLogitsLoss</c>.</summary>
public sealed class BceWithLogitsLoss(Tensor? weight = null, Tensor? posWeight = null, Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Functional.BinaryCrossEntropyWithLogits(input, target, weight, posWeight, Reduction);
}

/// <summary>Cross-entropy of logits against class indices, with optional class weights and label smoothing, <c>nn.CrossEntropyLoss</c>.</summary>
public sealed class CrossEntropyLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean, float labelSmoothing = 0f, int ignoreIndex = -100) : Loss(reduction)
{
    /// <summary>The label smoothing ε.</summary>
    public float LabelSmoothing { get; } = labelSmoothing;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Functional.CrossEntropy(input, target, weight, Reduction, LabelSmoothing, ignoreIndex);
}

/// <summary>Negative log-likelihood of class indices given log-probabilities, <c>nn.NLLLoss</c>.</summary>
public sealed class NllLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean, int ignoreIndex = -100) : Loss(reduction)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => Functional.NllLoss(input, target, weight, Reduction, ignoreIndex);
}
