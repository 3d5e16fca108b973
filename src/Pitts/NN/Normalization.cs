using System.Numerics.Tensors;
namespace Pitts.NN;

/// <summary>
/// Batch normalisation (Ioffe and Szegedy, 2015) over the channel dimension 1: in training mode
/// y = (x - μ_B)/√(σ²_B + ε)·γ + β with the batch's mean and biased variance, and the running statistics updated as
/// r ← (1 - momentum)·r + momentum·stat (the variance with Bessel's correction, as PyTorch); in evaluation mode the
/// running statistics replace the batch's.
/// </summary>
public abstract class BatchNorm : Module
{
    /// <summary>The number of channels C.</summary>
    public int NumFeatures { get; }

    /// <summary>ε, added to the variance.</summary>
    public float Eps { get; }

    /// <summary>The weight of the newest batch in the running statistics (PyTorch's momentum, 0.1).</summary>
    public float Momentum { get; }

    /// <summary>γ, shape (C), initialised to ones (null without affine).</summary>
    public Tensor? Weight { get; }

    /// <summary>β, shape (C), initialised to zeros (null without affine).</summary>
    public Tensor? Bias { get; }

    /// <summary>The running mean, shape (C).</summary>
    public Tensor RunningMean { get; }

    /// <summary>The running (unbiased) variance, shape (C).</summary>
    public Tensor RunningVar { get; }

    /// <summary>The number of training batches seen (a float scalar; PyTorch stores an int64).</summary>
    public Tensor NumBatchesTracked { get; }

    /// <summary>Creates the layer.</summary>
    protected BatchNorm(int numFeatures, float eps, float momentum, bool affine)
    {
        if (numFeatures <= 0) throw new PittsException($"{GetType().Name}: number of features must be positive, got {numFeatures}");
        (NumFeatures, Eps, Momentum) = (numFeatures, eps, momentum);
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(numFeatures));
            Bias = RegisterParameter("bias", Tensor.Zeros(numFeatures));
        }
        else { RegisterParameter("weight"); RegisterParameter("bias"); }
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(numFeatures));
        RunningVar = RegisterBuffer("running_var", Tensor.Ones(numFeatures));
        NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Scalar(0));
    }

    /// <summary>Checks the input's rank for this layer (2 or 3 for 1-D, 4 for 2-D).</summary>
    protected abstract void CheckRank(Tensor input);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        CheckRank(input);
        if (input.Shape[1] != NumFeatures)
            throw new ShapeException($"{GetType().Name}: expected {NumFeatures} channels in dimension 1, got input {Fmt.Shape(input._shape)}");
        if (Training)
        {
            int count = input.Numel / NumFeatures;
            if (count <= 1)
                throw new PittsException($"{GetType().Name}: training needs more than one value per channel, got input {Fmt.Shape(input._shape)}");
            var y = Tensor.BatchNormOp(input, NumFeatures, Weight, Bias, Eps, null, null, out var mean, out var variance);
            var rm = RunningMean.AsSpan(); var rv = RunningVar.AsSpan();
            float unbias = count / (float)(count - 1);
            for (int c = 0; c < NumFeatures; c++)
            {
                rm[c] = (1 - Momentum) * rm[c] + Momentum * mean[c];
                rv[c] = (1 - Momentum) * rv[c] + Momentum * variance[c] * unbias;
            }
            NumBatchesTracked.AsSpan()[0] += 1;
            return Report(y);
        }
        return Report(Tensor.BatchNormOp(input, NumFeatures, Weight, Bias, Eps, RunningMean.ToArray(), RunningVar.ToArray(), out _, out _));
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"{NumFeatures}, eps={Eps}, momentum={Momentum}";
}

/// <summary>Batch normalisation of (N, C) or (N, C, L) inputs, PyTorch's <c>nn.BatchNorm1d</c>.</summary>
public sealed class BatchNorm1d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f, bool affine = true)
    : BatchNorm(numFeatures, eps, momentum, affine)
{
    /// <inheritdoc/>
    protected override void CheckRank(Tensor input)
    {
        if (input.Rank is not (2 or 3)) throw new ShapeException($"BatchNorm1d: expected a (N x C) or (N x C x L) input, got {Fmt.Shape(input._shape)}");
    }
}

/// <summary>Batch normalisation of (N, C, H, W) inputs per channel, PyTorch's <c>nn.BatchNorm2d</c>.</summary>
public sealed class BatchNorm2d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f, bool affine = true)
    : BatchNorm(numFeatures, eps, momentum, affine)
{
    /// <inheritdoc/>
    protected override void CheckRank(Tensor input)
    {
        if (input.Rank != 4) throw new ShapeException($"BatchNorm2d: expected a (N x C x H x W) input, got {Fmt.Shape(input._shape)}");
    }
}

/// <summary>
/// Layer normalisation (Ba, Kiros and Hinton, 2016) over the last dimensions given by <c>normalizedShape</c>:
/// y = (x - μ)/√(σ² + ε)·γ + β per sample, with the biased variance; the same in training and evaluation.
/// </summary>
public sealed class LayerNorm : Module
{
    private readonly int[] _normalizedShape;

    /// <summary>The trailing shape normalised over.</summary>
    public IReadOnlyList<int> NormalizedShape => _normalizedShape;

    /// <summary>ε, added to the variance.</summary>
    public float Eps { get; }

    /// <summary>γ, initialised to ones (null without affine).</summary>
    public Tensor? Weight { get; }

    /// <summary>β, initialised to zeros (null without affine).</summary>
    public Tensor? Bias { get; }

    /// <summary>Creates the layer for inputs ending in <paramref name="normalizedShape"/>.</summary>
    public LayerNorm(int[] normalizedShape, float eps = 1e-5f, bool elementwiseAffine = true)
    {
        if (normalizedShape.Length == 0 || normalizedShape.Any(s => s <= 0))
            throw new PittsException($"LayerNorm: normalized shape must be non-empty and positive, got {Fmt.Shape(normalizedShape)}");
        _normalizedShape = (int[])normalizedShape.Clone();
        Eps = eps;
        if (elementwiseAffine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(_normalizedShape));
            Bias = RegisterParameter("bias", Tensor.Zeros(_normalizedShape));
        }
        else { RegisterParameter("weight"); RegisterParameter("bias"); }
    }

    /// <summary>Creates the layer normalising over the last dimension of size <paramref name="normalizedShape"/>.</summary>
    public LayerNorm(int normalizedShape, float eps = 1e-5f, bool elementwiseAffine = true) : this([normalizedShape], eps, elementwiseAffine) { }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        int k = _normalizedShape.Length;
        if (input.Rank < k || !input.Shape.Skip(input.Rank - k).SequenceEqual(_normalizedShape))
            throw new ShapeException($"LayerNorm: input {Fmt.Shape(input._shape)} does not end in the normalized shape {Fmt.Shape(_normalizedShape)}");
        return Report(Tensor.LayerNormOp(input, ShapeUtil.Numel(_normalizedShape), Weight, Bias, Eps));
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"{Fmt.Shape(_normalizedShape)}, eps={Eps}";
}

/// <summary>
/// A lookup table of <c>numEmbeddings</c> vectors of size <c>embeddingDim</c> (PyTorch's <c>nn.Embedding</c>):
/// integer-valued indices of any shape (…) give vectors (…, dim). Initialised N(0, 1); the optional padding row is
/// zero and receives no gradient.
/// </summary>
public sealed class Embedding : Module
{
    /// <summary>The table, shape (numEmbeddings, embeddingDim).</summary>
    public Tensor Weight { get; }

    /// <summary>The index whose row stays fixed (zero at creation), or null.</summary>
    public int? PaddingIdx { get; }

    /// <summary>Creates the table with N(0, 1) entries drawn from <paramref name="generator"/>.</summary>
    public Embedding(int numEmbeddings, int embeddingDim, int? paddingIdx = null, Generator? generator = null)
    {
        if (numEmbeddings <= 0 || embeddingDim <= 0)
            throw new PittsException($"Embedding: sizes must be positive, got {numEmbeddings} x {embeddingDim}");
        if (paddingIdx is int p && (p < -numEmbeddings || p >= numEmbeddings))
            throw new PittsException($"Embedding: padding index {p} is out of range for {numEmbeddings} embeddings");
        PaddingIdx = paddingIdx is int q && q < 0 ? q + numEmbeddings : paddingIdx;
        var w = Init.Normal(Tensor.Zeros(numEmbeddings, embeddingDim), 0f, 1f, generator);
        if (PaddingIdx is int pad) w.AsSpan().Slice(pad * embeddingDim, embeddingDim).Clear();
        Weight = RegisterParameter("weight", w);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        int n = Weight.Shape[0], dim = Weight.Shape[1];
        var values = input.ToArray();
        var idx = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (v != MathF.Floor(v) || v < 0 || v >= n)
                throw new PittsException($"Embedding: index {v} at flat position {i} is not an integer in [0, {n})");
            idx[i] = (int)v;
        }
        var rows = Weight.IndexSelect(0, idx); // (numel, dim)
        if (PaddingIdx is int pad && idx.Contains(pad))
        {
            // The padding row's value is used but gets no gradient: take it from a detached copy of the table.
            var isPad = Tensor.FromArray(idx.Select(i => i == pad ? 1f : 0f).ToArray(), idx.Length, 1);
            rows = Tensor.Where(isPad, Weight.Detach().IndexSelect(0, idx), rows);
        }
        return Report(rows.Reshape([.. input.Shape, dim]));
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"{Weight.Shape[0]}, {Weight.Shape[1]}" + (PaddingIdx is int p ? $", padding_idx={p}" : "");
}
