using System.Runtime.CompilerServices;
namespace Pitts;

/// <summary>
/// An N-dimensional array of float32 values, row-major and contiguous, that records the operations
/// applied to it so that <see cref="Backward"/> can compute gradients (reverse-mode autograd).
/// </summary>
/// <remarks>
/// Every tensor is contiguous: a tensor is (storage, offset, shape). Reshape of a tensor and slicing along its
/// first axis are views that share storage; every other shape operation (transpose, permute, expand, ...)
/// returns a copy. Shapes are never negative; a dimension may be zero (an empty tensor), and a rank-0 tensor
/// holds one value.
/// </remarks>
public sealed partial class Tensor
{
    internal readonly float[] Storage;
    internal readonly int Offset;
    internal readonly int[] _shape;
    private bool _requiresGrad;
    internal int VisitMark; // used by Graph.Backward to mark visited nodes without a hash set

    /// <summary>The number of elements.</summary>
    public int Numel { get; }

    /// <summary>The size of each dimension.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>The number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Row-major strides in elements (every tensor is contiguous).</summary>
    public int[] Strides
    {
        get
        {
            var s = new int[_shape.Length];
            int acc = 1;
            for (int i = _shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= _shape[i]; }
            return s;
        }
    }

    /// <summary>The gradient accumulated by <see cref="Backward"/>, or null before any.</summary>
    public Tensor? Grad
    {
        get => _grad;
        set { _grad = value; GradFromGraph = false; }
    }

    private Tensor? _grad;

    /// <summary>True while <see cref="Grad"/> is a buffer that backward created (not one the caller set).</summary>
    internal bool GradFromGraph;

    /// <summary>The operation that produced this tensor, or null for a leaf.</summary>
    public Node? GradFn { get; internal set; }

    /// <summary>True for tensors created by the user rather than by an operation that records gradients.</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>Whether gradients flow to this tensor. Only leaves may have it set.</summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (!IsLeaf)
                throw new AutogradException($"RequiresGrad: cannot change it on the output of '{GradFn!.Op}'; call Detach() first to make a leaf");
            _requiresGrad = value;
        }
    }

    /// <summary>When true, a non-leaf tensor keeps its <see cref="Grad"/> after backward (PyTorch's retain_grad).</summary>
    public bool RetainsGrad { get; private set; }

    /// <summary>Keep this non-leaf tensor's gradient after backward, like PyTorch's <c>retain_grad()</c>.</summary>
    public Tensor RetainGrad() { RetainsGrad = true; return this; }

    internal Tensor(float[] storage, int offset, int[] shape)
    {
        Storage = storage;
        Offset = offset;
        _shape = shape;
        Numel = ShapeUtil.Numel(shape);
    }

    internal Tensor(int[] shape) : this(ShapeUtil.Alloc(ShapeUtil.Numel(shape)), 0, shape) { }

    /// <summary>The elements as a span over the tensor's storage (writes change the tensor).</summary>
    public Span<float> AsSpan() => Storage.AsSpan(Offset, Numel);

    internal ReadOnlySpan<float> Data => new(Storage, Offset, Numel);

    /// <summary>A copy of the elements in row-major order.</summary>
    public float[] ToArray() => Data.ToArray();

    /// <summary>The value of a one-element tensor.</summary>
    public float Item()
    {
        if (Numel != 1) throw new ShapeException($"Item: tensor of shape {Fmt.Shape(_shape)} has {Numel} elements, not one");
        return Storage[Offset];
    }

    /// <summary>The size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public int Size(int dim) => _shape[ShapeUtil.NormDim(dim, Rank, "Size")];

    /// <summary>Reads or writes one element by its full index.</summary>
    [IndexerName("At")]
    public float this[params int[] index]
    {
        get => Storage[FlatIndex(index)];
        set => Storage[FlatIndex(index)] = value;
    }

    private int FlatIndex(int[] index)
    {
        if (index.Length != Rank)
            throw new ShapeException($"Index: {index.Length} indices for a tensor of shape {Fmt.Shape(_shape)}");
        int flat = 0;
        for (int d = 0; d < index.Length; d++)
        {
            int i = index[d] < 0 ? index[d] + _shape[d] : index[d];
            if ((uint)i >= (uint)_shape[d])
                throw new ShapeException($"Index: index {index[d]} is out of range for dimension {d} of size {_shape[d]}");
            flat = flat * _shape[d] + i;
        }
        return Offset + flat;
    }

    /// <summary>A new leaf tensor with the same values that shares storage but is cut from the graph.</summary>
    public Tensor Detach() => new(Storage, Offset, _shape);

    /// <summary>A copy with its own storage, recorded in the graph (its gradient is the identity).</summary>
    public Tensor Clone()
    {
        var r = new Tensor(Data.ToArray(), 0, _shape.AsSpan().ToArray());
        Graph.Record(r, "Clone", this, g => g);
        return r;
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor, for chaining.</summary>
    public Tensor RequireGrad(bool requires = true) { RequiresGrad = requires; return this; }

    internal void SetRequiresGradFromOp() => _requiresGrad = true;

    /// <summary>
    /// Computes the gradient of this tensor with respect to every leaf that requires grad, adding into their
    /// <see cref="Grad"/>. A non-scalar output needs <paramref name="gradient"/> (dL/dthis) of its shape.
    /// The graph is freed afterwards unless <paramref name="retainGraph"/> is true; a second backward through a
    /// freed graph raises <see cref="AutogradException"/>.
    /// </summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false) => Graph.Backward(this, gradient, retainGraph);

    /// <summary>Readable rendering: values (truncated like PyTorch for large tensors) and the shape.</summary>
    public override string ToString() => TensorFormatter.Format(this);

    // ---------------------------------------------------------------- factories

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(params int[] shape) => new(ShapeUtil.Checked(shape, "Zeros"), zero: true);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(params int[] shape) => Full(shape, 1f);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(int[] shape, float value)
    {
        var t = new Tensor(ShapeUtil.Checked(shape, "Full"));
        t.Storage.AsSpan().Fill(value);
        return t;
    }

    /// <summary>A rank-0 tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(float value) => new([value], 0, []);

    private Tensor(int[] shape, bool zero) : this(ShapeUtil.AllocZeroed(ShapeUtil.Numel(shape)), 0, shape) { _ = zero; }

    /// <summary>Values start, start+step, ... below end (like <c>torch.arange</c>).</summary>
    public static Tensor Arange(float start, float end, float step = 1f)
    {
        if (step == 0 || float.IsNaN(step)) throw new PittsException("Arange: step must be non-zero");
        int n = Math.Max(0, (int)Math.Ceiling((end - (double)start) / step));
        var t = new Tensor([n]);
        for (int i = 0; i < n; i++) t.Storage[i] = (float)(start + (double)i * step);
        return t;
    }

    /// <summary>Values 0, 1, ..., end-1.</summary>
    public static Tensor Arange(int end) => Arange(0, end);

    /// <summary><paramref name="steps"/> evenly spaced values from start to end inclusive.</summary>
    public static Tensor Linspace(float start, float end, int steps)
    {
        if (steps < 0) throw new PittsException($"Linspace: steps must be non-negative, got {steps}");
        var t = new Tensor([steps]);
        if (steps == 1) t.Storage[0] = start;
        double step = steps > 1 ? (end - (double)start) / (steps - 1) : 0;
        // Fill from both ends so the last value is exactly 'end' (as PyTorch does).
        for (int i = 0; i < steps; i++)
            t.Storage[i] = i < steps / 2 ? (float)(start + step * i) : (float)(end - step * (steps - 1 - i));
        return t;
    }

    /// <summary>The n x m identity matrix (m defaults to n).</summary>
    public static Tensor Eye(int n, int? m = null)
    {
        int cols = m ?? n;
        var t = Zeros(n, cols);
        for (int i = 0; i < Math.Min(n, cols); i++) t.Storage[i * cols + i] = 1f;
        return t;
    }

    /// <summary>A 1-D tensor of the given values.</summary>
    public static Tensor FromArray(float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new((float[])values.Clone(), 0, [values.Length]);
    }

    /// <summary>A tensor of the given shape holding a copy of the values (row-major).</summary>
    public static Tensor FromArray(float[] values, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(shape);
        ShapeUtil.Checked(shape, "FromArray");
        if (ShapeUtil.Numel(shape) != values.Length)
            throw new ShapeException($"FromArray: {values.Length} values cannot fill shape {Fmt.Shape(shape)} ({ShapeUtil.Numel(shape)} elements)");
        return new((float[])values.Clone(), 0, shape.AsSpan().ToArray());
    }

    /// <summary>A 2-D tensor from a rectangular array.</summary>
    public static Tensor FromArray(float[,] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int r = values.GetLength(0), c = values.GetLength(1);
        var t = new Tensor([r, c]);
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++) t.Storage[i * c + j] = values[i, j];
        return t;
    }

    /// <summary>A 2-D tensor from a jagged array whose rows all have the same length.</summary>
    public static Tensor FromArray(float[][] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Any(row => row is null)) throw new ShapeException("FromArray: a row is null");
        int r = rows.Length, c = r == 0 ? 0 : rows[0].Length;
        var t = new Tensor([r, c]);
        for (int i = 0; i < r; i++)
        {
            if (rows[i].Length != c)
                throw new ShapeException($"FromArray: row {i} has {rows[i].Length} values but row 0 has {c}");
            rows[i].CopyTo(t.Storage, i * c);
        }
        return t;
    }

    /// <summary>Implicit conversion of a float to a rank-0 tensor, so <c>x * 2f</c> style code reads naturally.</summary>
    public static implicit operator Tensor(float value) => Scalar(value);

    /// <summary>Uniform values in [0, 1).</summary>
    public static Tensor Rand(int[] shape, Generator? generator = null)
    {
        var t = new Tensor(ShapeUtil.Checked(shape, "Rand"));
        (generator ?? Generator.Default).FillUniform(t.Storage);
        return t;
    }

    /// <summary>Uniform values in [0, 1).</summary>
    public static Tensor Rand(params int[] shape) => Rand(shape, null);

    /// <summary>Uniform values in [low, high).</summary>
    public static Tensor Uniform(int[] shape, float low, float high, Generator? generator = null)
    {
        var t = new Tensor(ShapeUtil.Checked(shape, "Uniform"));
        (generator ?? Generator.Default).FillUniform(t.Storage, low, high);
        return t;
    }

    /// <summary>Standard normal values N(0, 1).</summary>
    public static Tensor Randn(int[] shape, Generator? generator = null)
    {
        var t = new Tensor(ShapeUtil.Checked(shape, "Randn"));
        (generator ?? Generator.Default).FillNormal(t.Storage);
        return t;
    }

    /// <summary>Standard normal values N(0, 1).</summary>
    public static Tensor Randn(params int[] shape) => Randn(shape, null);

    /// <summary>Uniform integers in [low, high), stored as floats.</summary>
    public static Tensor Randint(int low, int high, int[] shape, Generator? generator = null)
    {
        var t = new Tensor(ShapeUtil.Checked(shape, "Randint"));
        var g = generator ?? Generator.Default;
        for (int i = 0; i < t.Numel; i++) t.Storage[i] = g.NextInt64(low, high);
        return t;
    }

    /// <summary>Zeros of the same shape.</summary>
    public static Tensor ZerosLike(Tensor t) => Zeros(t._shape);

    /// <summary>Ones of the same shape.</summary>
    public static Tensor OnesLike(Tensor t) => Ones(t._shape);

    /// <summary>A tensor of the same shape filled with <paramref name="value"/>.</summary>
    public static Tensor FullLike(Tensor t, float value) => Full(t._shape, value);

    /// <summary>Uniform [0, 1) values of the same shape.</summary>
    public static Tensor RandLike(Tensor t, Generator? generator = null) => Rand(t._shape, generator);

    /// <summary>Standard normal values of the same shape.</summary>
    public static Tensor RandnLike(Tensor t, Generator? generator = null) => Randn(t._shape, generator);
}

internal static class ShapeUtil
{
    public static int Numel(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int s in shape) n *= s;
        if (n > Array.MaxLength) throw new ShapeException($"shape {Fmt.Shape(shape)} has {n} elements, more than an array can hold");
        return (int)n;
    }

    public static int[] Checked(int[] shape, string op)
    {
        foreach (int s in shape)
            if (s < 0) throw new ShapeException($"{op}: negative dimension in shape {Fmt.Shape(shape)}");
        Numel(shape);
        return shape.AsSpan().ToArray();
    }

    /// <summary>An array for a new tensor, contents unspecified from 1024 floats on (zeroed below, as new arrays are).</summary>
    public static float[] Alloc(int n)
    {
        if (n < BufferPool.MinSmallLength) return new float[n]; // tiny: plain new is fastest
        if (BufferPool.Rent(n) is { } pooled)
        {
            if (n < 1024) pooled.AsSpan().Clear(); // in the cache, far cheaper than fresh memory
            return pooled;
        }
        return n < 1024 ? new float[n] : GC.AllocateUninitializedArray<float>(n);
    }

    /// <summary>A zeroed array; those the pool has are cleared (cheaper than fresh memory).</summary>
    public static float[] AllocZeroed(int n)
    {
        var a = BufferPool.Rent(n);
        if (a is null) return new float[n];
        a.AsSpan().Clear();
        return a;
    }

    public static int NormDim(int dim, int rank, string op)
    {
        int r = Math.Max(rank, 1); // a rank-0 tensor accepts dims 0 and -1, as in PyTorch
        if (dim < -r || dim >= r)
            throw new ShapeException($"{op}: dimension {dim} is out of range for a tensor of rank {rank} (expected {-r} to {r - 1})");
        return dim < 0 ? dim + r : dim;
    }

    public static bool Same(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    /// <summary>(outer, n, inner) view of a shape around dimension d.</summary>
    public static (int outer, int n, int inner) Split(ReadOnlySpan<int> shape, int d)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= shape[i];
        for (int i = d + 1; i < shape.Length; i++) inner *= shape[i];
        return (outer, shape.Length == 0 ? 1 : shape[d], inner);
    }
}
