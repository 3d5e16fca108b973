using System.Collections;

namespace Pitts.Data;

/// <summary>An error in using a dataset, a loader or a split (bad sizes, indices, missing files, a failed download).</summary>
public sealed class DatasetException : PittsException
{
    /// <summary>Creates the error with its message.</summary>
    public DatasetException(string message) : base(message) { }

    /// <summary>Creates the error with its message and the error that caused it.</summary>
    public DatasetException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A mini-batch: inputs stacked along a new first dimension and the matching targets.</summary>
/// <param name="Inputs">The inputs, (B, ...) for a batch of B examples.</param>
/// <param name="Targets">The targets, (B, ...) for a batch of B examples.</param>
public readonly record struct Batch(Tensor Inputs, Tensor Targets);

/// <summary>
/// A finite, indexable collection of (input, target) examples, like <c>torch.utils.data.Dataset</c>.
/// </summary>
public abstract class Dataset
{
    /// <summary>The number of examples.</summary>
    public abstract int Count { get; }

    /// <summary>Example <paramref name="index"/> as an (input, target) pair without the batch dimension.</summary>
    public abstract Batch Get(int index);

    /// <summary>
    /// The examples at <paramref name="indices"/> stacked into one batch along a new first dimension. Subclasses that hold
    /// whole tensors override it to gather rows directly.
    /// </summary>
    public virtual Batch GetBatch(int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Length == 0) throw new DatasetException("GetBatch: no indices given");
        var xs = new Tensor[indices.Length];
        var ys = new Tensor[indices.Length];
        for (int i = 0; i < indices.Length; i++) (xs[i], ys[i]) = Get(CheckIndex(indices[i]));
        return new Batch(Tensor.Stack(xs), Tensor.Stack(ys));
    }

    /// <summary>Checks that <paramref name="index"/> lies in [0, Count) and returns it.</summary>
    protected int CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new DatasetException($"{GetType().Name}: index {index} is out of range for a dataset of {Count} examples");
        return index;
    }
}

/// <summary>
/// A dataset held as two tensors whose first dimensions are the examples, like <c>torch.utils.data.TensorDataset</c>:
/// example i is (Inputs[i], Targets[i]).
/// </summary>
public sealed class TensorDataset : Dataset
{
    /// <summary>Wraps inputs (N, ...) and targets (N, ...); both must have the same N.</summary>
    public TensorDataset(Tensor inputs, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (inputs.Rank == 0 || targets.Rank == 0)
            throw new ShapeException($"TensorDataset: inputs {Fmt.Shape(inputs._shape)} and targets {Fmt.Shape(targets._shape)} need a first (example) dimension");
        if (inputs.Shape[0] != targets.Shape[0])
            throw new ShapeException($"TensorDataset: inputs {Fmt.Shape(inputs._shape)} and targets {Fmt.Shape(targets._shape)} hold different numbers of examples ({inputs.Shape[0]} and {targets.Shape[0]})");
        Inputs = inputs;
        Targets = targets;
    }

    /// <summary>All inputs, (N, ...).</summary>
    public Tensor Inputs { get; }

    /// <summary>All targets, (N, ...).</summary>
    public Tensor Targets { get; }

    /// <inheritdoc/>
    public override int Count => Inputs.Shape[0];

    /// <inheritdoc/>
    public override Batch Get(int index)
    {
        CheckIndex(index);
        using var _ = Autograd.NoGrad();
        return new Batch(Inputs.Select(0, index), Targets.Select(0, index));
    }

    /// <inheritdoc/>
    public override Batch GetBatch(int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        foreach (int i in indices) CheckIndex(i);
        using var _ = Autograd.NoGrad();
        return new Batch(Inputs.IndexSelect(0, indices), Targets.IndexSelect(0, indices));
    }

    /// <summary>The examples [start, start + length) as a new dataset that shares no storage with this one.</summary>
    public TensorDataset Slice(int start, int length)
    {
        if (start < 0 || length < 0 || start + (long)length > Count)
            throw new DatasetException($"TensorDataset.Slice: [{start}, {start + (long)length}) is outside a dataset of {Count} examples");
        var idx = new int[length];
        for (int i = 0; i < length; i++) idx[i] = start + i;
        var b = GetBatch(idx);
        return new TensorDataset(b.Inputs, b.Targets);
    }
}

/// <summary>A view of another dataset restricted to the given indices, in their order (<c>torch.utils.data.Subset</c>).</summary>
public sealed class Subset : Dataset
{
    private readonly int[] _indices;

    /// <summary>Selects <paramref name="indices"/> of <paramref name="dataset"/>; each must lie in [0, dataset.Count).</summary>
    public Subset(Dataset dataset, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(indices);
        foreach (int i in indices)
            if ((uint)i >= (uint)dataset.Count)
                throw new DatasetException($"Subset: index {i} is out of range for a dataset of {dataset.Count} examples");
        Dataset = dataset;
        _indices = (int[])indices.Clone();
    }

    /// <summary>The underlying dataset.</summary>
    public Dataset Dataset { get; }

    /// <summary>The selected indices into <see cref="Dataset"/>.</summary>
    public IReadOnlyList<int> Indices => _indices;

    /// <inheritdoc/>
    public override int Count => _indices.Length;

    /// <inheritdoc/>
    public override Batch Get(int index) => Dataset.Get(_indices[CheckIndex(index)]);

    /// <inheritdoc/>
    public override Batch GetBatch(int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var mapped = new int[indices.Length];
        for (int i = 0; i < indices.Length; i++) mapped[i] = _indices[CheckIndex(indices[i])];
        return Dataset.GetBatch(mapped);
    }

    /// <summary>The selected examples gathered into a <see cref="TensorDataset"/> (one copy).</summary>
    public TensorDataset ToTensorDataset()
    {
        if (Count == 0) throw new DatasetException("Subset.ToTensorDataset: the subset is empty");
        var b = Dataset.GetBatch(_indices);
        return new TensorDataset(b.Inputs, b.Targets);
    }
}

/// <summary>
/// Iterates a dataset in mini-batches, like <c>torch.utils.data.DataLoader</c>: each pass (each <c>foreach</c>) visits every
/// example once, in order or in a fresh random order drawn from <paramref name="generator"/> when
/// <paramref name="shuffle"/> is true, and drops a final short batch when <paramref name="dropLast"/> is true.
/// </summary>
/// <param name="dataset">The examples.</param>
/// <param name="batchSize">Examples per batch (the last may be smaller unless <paramref name="dropLast"/>).</param>
/// <param name="shuffle">Draw a new permutation at the start of every pass.</param>
/// <param name="dropLast">Skip the final batch when it is smaller than <paramref name="batchSize"/>.</param>
/// <param name="generator">The random source for shuffling; <see cref="Generator.Default"/> when null.</param>
/// <param name="transform">Applied to every batch before it is returned (augmentation, flattening, ...).</param>
public sealed class DataLoader(Dataset dataset, int batchSize = 1, bool shuffle = false, bool dropLast = false,
    Generator? generator = null, Func<Batch, Batch>? transform = null) : IEnumerable<Batch>
{
    /// <summary>The dataset iterated.</summary>
    public Dataset Dataset { get; } = dataset ?? throw new ArgumentNullException(nameof(dataset));

    /// <summary>Examples per batch.</summary>
    public int BatchSize { get; } = batchSize > 0 ? batchSize : throw new DatasetException($"DataLoader: batch size must be positive, got {batchSize}");

    /// <summary>Whether each pass visits the examples in a new random order.</summary>
    public bool Shuffle { get; } = shuffle;

    /// <summary>Whether a final short batch is skipped.</summary>
    public bool DropLast { get; } = dropLast;

    /// <summary>The random source used for shuffling.</summary>
    public Generator Generator { get; } = generator ?? Generator.Default;

    /// <summary>The number of batches in one pass.</summary>
    public int Count => DropLast ? Dataset.Count / BatchSize : (Dataset.Count + BatchSize - 1) / BatchSize;

    /// <summary>The order of example indices for the next pass (draws from the generator when shuffling).</summary>
    public int[] NextOrder()
    {
        if (Shuffle) return Generator.Permutation(Dataset.Count);
        var order = new int[Dataset.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        return order;
    }

    /// <inheritdoc/>
    public IEnumerator<Batch> GetEnumerator() => Batches(NextOrder()).GetEnumerator();

    /// <summary>
    /// The batches of one pass in the given example order (from <see cref="NextOrder"/>), starting after
    /// <paramref name="skipBatches"/> batches: with the order saved in a checkpoint, training can resume in the middle of
    /// an epoch and see exactly the batches it would have seen.
    /// </summary>
    public IEnumerable<Batch> Batches(int[] order, int skipBatches = 0)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.Length != Dataset.Count)
            throw new DatasetException($"DataLoader.Batches: an order of {order.Length} indices for a dataset of {Dataset.Count} examples");
        if (skipBatches < 0) throw new DatasetException($"DataLoader.Batches: cannot skip {skipBatches} batches");
        return Iterate(order, skipBatches);
    }

    private IEnumerable<Batch> Iterate(int[] order, int skipBatches)
    {
        int batches = Count;
        for (int b = skipBatches; b < batches; b++)
        {
            int start = b * BatchSize;
            int len = Math.Min(BatchSize, order.Length - start);
            var batch = Dataset.GetBatch(order.AsSpan(start, len).ToArray());
            yield return transform is null ? batch : transform(batch);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
