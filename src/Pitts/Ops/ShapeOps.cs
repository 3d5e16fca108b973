namespace Pitts;

// Shape operations. Reshape and first-axis slicing are views (they share storage); the rest copy.
public sealed partial class Tensor
{
    /// <summary>The same data seen with a new shape (a view); one dimension may be -1 and is inferred.</summary>
    public Tensor Reshape(params int[] shape)
    {
        var s = InferShape(shape, "Reshape");
        var r = new Tensor(Storage, Offset, s);
        Graph.Record(r, "Reshape", this, g => g.ReshapeNoGrad(_shape));
        return r;
    }

    /// <summary>Same as <see cref="Reshape"/> (every tensor is contiguous, so a view always exists).</summary>
    public Tensor View(params int[] shape) => Reshape(shape);

    internal Tensor ReshapeNoGrad(int[] shape) => new(Storage, Offset, shape); // callers pass a shape array nobody mutates

    private int[] InferShape(int[] shape, string op)
    {
        var s = shape.AsSpan().ToArray();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == -1)
            {
                if (infer >= 0) throw new ShapeException($"{op}: only one dimension can be -1 in {Fmt.Shape(shape)}");
                infer = i;
            }
            else if (s[i] < 0) throw new ShapeException($"{op}: negative dimension in {Fmt.Shape(shape)}");
            else known *= s[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || Numel % known != 0)
                throw new ShapeException($"{op}: cannot view {Fmt.Shape(_shape)} ({Numel} elements) as {Fmt.Shape(shape)}");
            s[infer] = (int)(Numel / known);
        }
        else if (known != Numel)
            throw new ShapeException($"{op}: cannot view {Fmt.Shape(_shape)} ({Numel} elements) as {Fmt.Shape(shape)} ({known} elements)");
        return s;
    }

    /// <summary>Merges dimensions startDim..endDim into one (a view).</summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1)
    {
        if (Rank == 0) return Reshape(1);
        int a = ShapeUtil.NormDim(startDim, Rank, "Flatten"), b = ShapeUtil.NormDim(endDim, Rank, "Flatten");
        if (a > b) throw new ShapeException($"Flatten: startDim {startDim} comes after endDim {endDim} for shape {Fmt.Shape(_shape)}");
        var s = new List<int>();
        for (int i = 0; i < a; i++) s.Add(_shape[i]);
        int m = 1;
        for (int i = a; i <= b; i++) m *= _shape[i];
        s.Add(m);
        for (int i = b + 1; i < Rank; i++) s.Add(_shape[i]);
        return Reshape(s.ToArray());
    }

    /// <summary>Removes every size-1 dimension (a view).</summary>
    public Tensor Squeeze() => Reshape(_shape.Where(x => x != 1).ToArray());

    /// <summary>Removes dimension <paramref name="dim"/> if its size is 1 (a view).</summary>
    public Tensor Squeeze(int dim)
    {
        int d = ShapeUtil.NormDim(dim, Rank, "Squeeze");
        if (Rank == 0 || _shape[d] != 1) return Reshape(_shape);
        return Reshape(Reduce.RemoveDims(_shape, [d]));
    }

    /// <summary>Inserts a size-1 dimension at <paramref name="dim"/> (a view); dim may be -1 for the end.</summary>
    public Tensor Unsqueeze(int dim)
    {
        int d = ShapeUtil.NormDim(dim, Rank + 1, "Unsqueeze");
        var s = _shape.ToList();
        s.Insert(d, 1);
        return Reshape(s.ToArray());
    }

    /// <summary>Reorders the dimensions (a copy): result dim i is input dim dims[i].</summary>
    public Tensor Permute(params int[] dims)
    {
        if (dims.Length != Rank)
            throw new ShapeException($"Permute: {dims.Length} dimensions given for a tensor of shape {Fmt.Shape(_shape)}");
        var p = dims.Select(d => ShapeUtil.NormDim(d, Rank, "Permute")).ToArray();
        if (p.Distinct().Count() != Rank) throw new ShapeException($"Permute: [{string.Join(", ", dims)}] is not a permutation of the dimensions");
        var outShape = p.Select(d => _shape[d]).ToArray();
        var r = new Tensor(outShape);
        PermuteInto(this, p, r);
        var inverse = new int[Rank];
        for (int i = 0; i < Rank; i++) inverse[p[i]] = i;
        Graph.Record(r, "Permute", this, g => g.Permute(inverse));
        return r;
    }

    private static void PermuteInto(Tensor src, int[] p, Tensor dst)
    {
        int rank = p.Length;
        if (dst.Numel == 0) return;
        var inStrides = src.Strides;
        var st = p.Select(d => inStrides[d]).ToArray(); // stride in src of each output dim
        var outShape = dst._shape;
        var s = src.Data; var d = dst.AsSpan();
        if (rank == 0) { d[0] = s[0]; return; }
        int n = outShape[rank - 1], last = st[rank - 1];
        var idx = new int[rank];
        int off = 0, o = 0;
        int rows = dst.Numel / n;
        for (int r = 0; r < rows; r++)
        {
            if (last == 1) s.Slice(off, n).CopyTo(d.Slice(o, n));
            else for (int k = 0, at = off; k < n; k++, at += last) d[o + k] = s[at];
            o += n;
            for (int dd = rank - 2; dd >= 0; dd--)
            {
                idx[dd]++;
                off += st[dd];
                if (idx[dd] < outShape[dd]) break;
                off -= st[dd] * idx[dd];
                idx[dd] = 0;
            }
        }
    }

    /// <summary>Swaps two dimensions (a copy).</summary>
    public Tensor Transpose(int dim0, int dim1)
    {
        int a = ShapeUtil.NormDim(dim0, Rank, "Transpose"), b = ShapeUtil.NormDim(dim1, Rank, "Transpose");
        var p = Enumerable.Range(0, Rank).ToArray();
        (p[a], p[b]) = (p[b], p[a]);
        return Permute(p);
    }

    /// <summary>Matrix transpose of a 2-D tensor; a 1-D or 0-D tensor is returned as is.</summary>
    public Tensor T => Rank < 2 ? this : Rank == 2 ? Transpose(0, 1)
        : throw new ShapeException($"T: expects a tensor of rank 2 or less, got {Fmt.Shape(_shape)}; use Transpose(dim0, dim1)");

    /// <summary>Broadcasts to a larger shape (a copy); -1 keeps a dimension's size. The gradient sums back.</summary>
    public Tensor Expand(params int[] shape)
    {
        var target = shape.AsSpan().ToArray();
        int lead = target.Length - Rank;
        if (lead < 0) throw new ShapeException($"Expand: cannot expand {Fmt.Shape(_shape)} to the smaller rank of {Fmt.Shape(shape)}");
        for (int i = 0; i < target.Length; i++)
        {
            if (target[i] == -1)
            {
                if (i < lead) throw new ShapeException($"Expand: -1 is not allowed for a new leading dimension in {Fmt.Shape(shape)}");
                target[i] = _shape[i - lead];
            }
            int src = i >= lead ? _shape[i - lead] : 1;
            if (src != 1 && src != target[i])
                throw new ShapeException($"Expand: cannot expand {Fmt.Shape(_shape)} to {Fmt.Shape(shape)}: dimension {i} is {src}, not 1 or {target[i]}");
        }
        var r = Broadcast.Expand(this, target);
        if (ReferenceEquals(r, this)) r = new Tensor(Storage, Offset, target);
        Graph.Record(r, "Expand", this, g => g);
        return r;
    }

    /// <summary>Concatenates tensors along an existing dimension; all other dimensions must match.</summary>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        if (tensors.Count == 0) throw new ShapeException("Cat: no tensors given");
        var first = tensors[0];
        int d = ShapeUtil.NormDim(dim, first.Rank, "Cat");
        if (first.Rank == 0) throw new ShapeException("Cat: rank-0 tensors cannot be concatenated; use Stack");
        int total = 0;
        foreach (var t in tensors)
        {
            if (t.Rank != first.Rank)
                throw new ShapeException($"Cat: tensors of shapes {Fmt.Shape(first._shape)} and {Fmt.Shape(t._shape)} differ in rank");
            for (int i = 0; i < t.Rank; i++)
                if (i != d && t._shape[i] != first._shape[i])
                    throw new ShapeException($"Cat: shapes {Fmt.Shape(first._shape)} and {Fmt.Shape(t._shape)} differ in dimension {i}");
            total += t._shape[d];
        }
        var shape = first._shape.AsSpan().ToArray();
        shape[d] = total;
        var r = new Tensor(shape);
        var (outer, _, inner) = ShapeUtil.Split(shape, d);
        var dst = r.AsSpan();
        int at = 0;
        foreach (var t in tensors)
        {
            int block = t._shape[d] * inner;
            var s = t.Data;
            for (int o = 0; o < outer; o++) s.Slice(o * block, block).CopyTo(dst.Slice(o * total * inner + at * inner, block));
            at += t._shape[d];
        }
        var inputs = tensors.ToArray();
        Graph.Record(r, "Cat", inputs, g =>
        {
            var grads = new Tensor?[inputs.Length];
            int start = 0;
            for (int i = 0; i < inputs.Length; i++)
            {
                if (inputs[i].RequiresGrad) grads[i] = g.NarrowNoGrad(d, start, inputs[i]._shape[d]);
                start += inputs[i]._shape[d];
            }
            return grads;
        });
        return r;
    }

    /// <summary>Stacks same-shaped tensors along a new dimension.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        if (tensors.Count == 0) throw new ShapeException("Stack: no tensors given");
        int d = ShapeUtil.NormDim(dim, tensors[0].Rank + 1, "Stack");
        foreach (var t in tensors)
            if (!ShapeUtil.Same(t._shape, tensors[0]._shape))
                throw new ShapeException($"Stack: shapes {Fmt.Shape(tensors[0]._shape)} and {Fmt.Shape(t._shape)} differ");
        return Cat(tensors.Select(t => t.Unsqueeze(d)).ToArray(), d);
    }

    /// <summary>Elements start..start+length-1 along a dimension: a view when it is contiguous, else a copy.</summary>
    public Tensor Narrow(int dim, int start, int length)
    {
        int d = ShapeUtil.NormDim(dim, Rank, "Narrow");
        if (Rank == 0) throw new ShapeException("Narrow: cannot narrow a rank-0 tensor");
        if (start < 0) start += _shape[d];
        if (start < 0 || length < 0 || start + length > _shape[d])
            throw new ShapeException($"Narrow: range [{start}, {start + length}) is out of bounds for dimension {d} of size {_shape[d]} in {Fmt.Shape(_shape)}");
        var r = NarrowNoGrad(d, start, length);
        Graph.Record(r, "Narrow", this, g =>
        {
            Graph.AccumulateSlice(this, d, start, g); // handed over: added into the slice in place
            return default;
        });
        return r;
    }

    /// <summary>The slices along a dimension, with that dimension removed (torch.unbind): views along the first axis.</summary>
    public Tensor[] Unbind(int dim = 0)
    {
        int d = ShapeUtil.NormDim(dim, Rank, "Unbind");
        if (Rank == 0) throw new ShapeException("Unbind: cannot unbind a rank-0 tensor");
        var parts = new Tensor[_shape[d]];
        for (int i = 0; i < parts.Length; i++) parts[i] = Narrow(d, i, 1).Squeeze(d);
        return parts;
    }

    internal Tensor NarrowNoGrad(int d, int start, int length)
    {
        var shape = _shape.AsSpan().ToArray();
        shape[d] = length;
        var (outer, n, inner) = ShapeUtil.Split(_shape, d);
        if (outer == 1) return new Tensor(Storage, Offset + start * inner, shape); // contiguous: a view
        var r = new Tensor(shape);
        var s = Data; var dst = r.AsSpan();
        int block = length * inner;
        for (int o = 0; o < outer; o++) s.Slice((o * n + start) * inner, block).CopyTo(dst.Slice(o * block, block));
        return r;
    }

    /// <summary>Python-style slice [start:end] along a dimension; negative indices count from the end, bounds are clamped.</summary>
    public Tensor Slice(int dim, int start, int end)
    {
        int d = ShapeUtil.NormDim(dim, Rank, "Slice");
        int n = _shape[d];
        if (start < 0) start += n;
        if (end < 0) end += n;
        start = Math.Clamp(start, 0, n);
        end = Math.Clamp(end, start, n);
        return Narrow(d, start, end - start);
    }

    /// <summary>The sub-tensor at <paramref name="index"/> along a dimension, which is removed.</summary>
    public Tensor Select(int dim, int index)
    {
        int d = ShapeUtil.NormDim(dim, Rank, "Select");
        int n = _shape[d];
        if (index < -n || index >= n) throw new ShapeException($"Select: index {index} is out of range for dimension {d} of size {n}");
        return Narrow(d, index < 0 ? index + n : index, 1).Squeeze(d);
    }

    /// <summary>Splits into pieces of <paramref name="splitSize"/> along a dimension (the last may be smaller).</summary>
    public Tensor[] Split(int splitSize, int dim = 0)
    {
        int d = ShapeUtil.NormDim(dim, Rank, "Split");
        if (splitSize <= 0) throw new ShapeException($"Split: split size must be positive, got {splitSize}");
        var parts = new List<Tensor>();
        for (int s = 0; s < _shape[d]; s += splitSize) parts.Add(Narrow(d, s, Math.Min(splitSize, _shape[d] - s)));
        return parts.ToArray();
    }

    /// <summary>Splits into pieces of the given sizes along a dimension; they must add up to its size.</summary>
    public Tensor[] Split(int[] sizes, int dim = 0)
    {
        int d = ShapeUtil.NormDim(dim, Rank, "Split");
        if (sizes.Sum() != _shape[d] || sizes.Any(x => x < 0))
            throw new ShapeException($"Split: sizes [{string.Join(", ", sizes)}] do not add up to dimension {d} of size {_shape[d]}");
        var parts = new Tensor[sizes.Length];
        int start = 0;
        for (int i = 0; i < sizes.Length; i++) { parts[i] = Narrow(d, start, sizes[i]); start += sizes[i]; }
        return parts;
    }

    /// <summary>Splits into <paramref name="chunks"/> nearly equal pieces (as PyTorch: ceil(n / chunks) each).</summary>
    public Tensor[] Chunk(int chunks, int dim = 0)
    {
        if (chunks <= 0) throw new ShapeException($"Chunk: number of chunks must be positive, got {chunks}");
        int d = ShapeUtil.NormDim(dim, Rank, "Chunk");
        int size = Math.Max(1, (_shape[d] + chunks - 1) / chunks);
        return Split(size, d);
    }

    /// <summary>Rows (entries along <paramref name="dim"/>) picked by index, in order, repeats allowed.</summary>
    public Tensor IndexSelect(int dim, int[] indices)
    {
        int d = ShapeUtil.NormDim(dim, Rank, "IndexSelect");
        var (outer, n, inner) = ShapeUtil.Split(_shape, d);
        foreach (int i in indices)
            if ((uint)i >= (uint)n) throw new ShapeException($"IndexSelect: index {i} is out of range for dimension {d} of size {n}");
        var shape = _shape.AsSpan().ToArray();
        shape[d] = indices.Length;
        var r = new Tensor(shape);
        var s = Data; var dst = r.AsSpan();
        for (int o = 0; o < outer; o++)
            for (int k = 0; k < indices.Length; k++)
                s.Slice((o * n + indices[k]) * inner, inner).CopyTo(dst.Slice((o * indices.Length + k) * inner, inner));
        Graph.Record(r, "IndexSelect", this, g =>
        {
            var gx = Zeros(_shape);
            var gs = g.Data; var gd = gx.AsSpan();
            for (int o = 0; o < outer; o++)
                for (int k = 0; k < indices.Length; k++)
                {
                    var row = gd.Slice((o * n + indices[k]) * inner, inner);
                    System.Numerics.Tensors.TensorPrimitives.Add(row, gs.Slice((o * indices.Length + k) * inner, inner), row);
                }
            return gx;
        });
        return r;
    }

    /// <summary>
    /// out[..., j, ...] = this[..., index[..., j, ...], ...] along <paramref name="dim"/> (torch.gather): index has this
    /// tensor's rank, holds integer values, and its other dimensions may not exceed this tensor's.
    /// </summary>
    public Tensor Gather(int dim, Tensor index)
    {
        int d = ShapeUtil.NormDim(dim, Rank, "Gather");
        if (index.Rank != Rank) throw new ShapeException($"Gather: index of shape {Fmt.Shape(index._shape)} must have the rank of {Fmt.Shape(_shape)}");
        for (int i = 0; i < Rank; i++)
            if (i != d && index._shape[i] > _shape[i])
                throw new ShapeException($"Gather: index of shape {Fmt.Shape(index._shape)} exceeds {Fmt.Shape(_shape)} in dimension {i}");
        var r = new Tensor(index._shape);
        var srcIdx = new int[r.Numel];
        var strides = Strides;
        var idxData = index.Data;
        var coord = new int[Rank];
        for (int flat = 0; flat < r.Numel; flat++)
        {
            float fv = idxData[flat];
            int k = (int)fv;
            if (k != fv || (uint)k >= (uint)_shape[d])
                throw new ShapeException($"Gather: index value {fv} is out of range for dimension {d} of size {_shape[d]}");
            int off = 0;
            for (int i = 0; i < Rank; i++) off += (i == d ? k : coord[i]) * strides[i];
            srcIdx[flat] = off;
            r.Storage[flat] = Storage[Offset + off];
            for (int i = Rank - 1; i >= 0; i--) { if (++coord[i] < index._shape[i]) break; coord[i] = 0; }
        }
        Graph.Record(r, "Gather", this, g =>
        {
            var gx = Zeros(_shape);
            var gs = g.Data;
            for (int i = 0; i < srcIdx.Length; i++) gx.Storage[srcIdx[i]] += gs[i];
            return gx;
        });
        return r;
    }

    /// <summary>
    /// Pads with a constant. <paramref name="pad"/> lists (before, after) pairs starting from the last dimension,
    /// as torch.nn.functional.pad: [left, right] pads the last dimension, [left, right, top, bottom] the last two.
    /// </summary>
    public Tensor Pad(int[] pad, float value = 0f)
    {
        if (pad.Length % 2 != 0 || pad.Length / 2 > Rank)
            throw new ShapeException($"Pad: {pad.Length} padding values for a tensor of shape {Fmt.Shape(_shape)}; give (before, after) pairs for up to {Rank} dimensions");
        var before = new int[Rank];
        var shape = _shape.AsSpan().ToArray();
        for (int p = 0; p < pad.Length / 2; p++)
        {
            int d = Rank - 1 - p;
            if (pad[2 * p] < 0 || pad[2 * p + 1] < 0) throw new ShapeException("Pad: negative padding is not supported");
            before[d] = pad[2 * p];
            shape[d] += pad[2 * p] + pad[2 * p + 1];
        }
        var r = Full(shape, value);
        var outStrides = r.Strides;
        int baseOff = 0;
        for (int i = 0; i < Rank; i++) baseOff += before[i] * outStrides[i];
        CopyBlock(this, r, baseOff, outStrides, scatter: true);
        Graph.Record(r, "Pad", this, g =>
        {
            var gx = new Tensor(_shape);
            CopyBlock(gx, g, baseOff, outStrides, scatter: false);
            return gx;
        });
        return r;
    }

    /// <summary>Copies between a small tensor and a block of a larger one at <paramref name="baseOff"/> (row by row).</summary>
    private static void CopyBlock(Tensor small, Tensor big, int baseOff, int[] bigStrides, bool scatter)
    {
        if (small.Numel == 0) return;
        int rank = small.Rank;
        if (rank == 0) { if (scatter) big.Storage[big.Offset + baseOff] = small.Storage[small.Offset]; else small.Storage[small.Offset] = big.Storage[big.Offset + baseOff]; return; }
        int n = small._shape[rank - 1];
        int rows = small.Numel / n;
        var idx = new int[rank];
        int off = baseOff;
        for (int r = 0; r < rows; r++)
        {
            var a = small.Storage.AsSpan(small.Offset + r * n, n);
            var b = big.Storage.AsSpan(big.Offset + off, n);
            if (scatter) a.CopyTo(b); else b.CopyTo(a);
            for (int d = rank - 2; d >= 0; d--)
            {
                idx[d]++;
                off += bigStrides[d];
                if (idx[d] < small._shape[d]) break;
                off -= bigStrides[d] * idx[d];
                idx[d] = 0;
            }
        }
    }
}
