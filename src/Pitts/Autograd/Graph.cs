using System.Text;

namespace Pitts;

/// <summary>Controls gradient recording: the documented no-grad scope.</summary>
public static class Autograd
{
    [ThreadStatic] private static int _noGradDepth;

    /// <summary>True when operations record the graph (outside every <see cref="NoGrad"/> scope on this thread).</summary>
    public static bool IsGradEnabled => _noGradDepth == 0;

    /// <summary>
    /// Disables graph recording on this thread until the returned scope is disposed:
    /// <c>using (Autograd.NoGrad()) { ... }</c>. Scopes nest. Use it for evaluation and optimizer updates.
    /// </summary>
    public static NoGradScope NoGrad()
    {
        _noGradDepth++;
        return new NoGradScope();
    }

    /// <summary>The scope returned by <see cref="NoGrad"/>; disposing it re-enables recording.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        /// <summary>Ends the scope.</summary>
        public void Dispose() => _noGradDepth--;
    }

    /// <summary>
    /// Prints the graph that produced <paramref name="root"/>: one line per node, inputs indented (two spaces a level up
    /// to depth 32, then the depth as a number), at most <paramref name="maxLines"/> lines, so a graph of a million
    /// ops prints a bounded text.
    /// </summary>
    public static string PrintGraph(Tensor root, int maxLines = 1000)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (maxLines < 1) throw new AutogradException($"PrintGraph: maxLines must be positive, got {maxLines}");
        var sb = new StringBuilder();
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor t, int depth)>();
        stack.Push((root, 0));
        int lines = 0;
        while (stack.Count > 0)
        {
            if (lines++ == maxLines)
            {
                sb.AppendLine($"... (stopped after {maxLines} lines; {stack.Count} inputs not shown)");
                break;
            }
            var (t, depth) = stack.Pop();
            sb.Append(' ', Math.Min(depth, 32) * 2);
            if (depth > 32) sb.Append('[').Append(depth).Append("] ");
            string what = t.GradFn?.Op ?? (t.RequiresGrad ? "Leaf (requires grad)" : "Leaf");
            sb.Append(what).Append(' ').Append(Fmt.Shape(t._shape));
            if (!seen.Add(t)) { sb.AppendLine(" (seen)"); continue; }
            sb.AppendLine();
            if (t.GradFn is { } n)
                for (int i = n.InputsArray.Length - 1; i >= 0; i--) stack.Push((n.InputsArray[i], depth + 1));
        }
        return sb.ToString();
    }
}

/// <summary>The reverse-mode engine: recording nodes, accumulating gradients and the backward sweep.</summary>
internal static class Graph
{
    /// <summary>True when an op over these inputs must record a node.</summary>
    public static bool Needs(Tensor a) => a.RequiresGrad && Autograd.IsGradEnabled;

    public static bool Needs(Tensor a, Tensor b) => (a.RequiresGrad || b.RequiresGrad) && Autograd.IsGradEnabled;

    /// <summary>Attaches a node to <paramref name="output"/> when any input requires grad and recording is on.</summary>
    public static void Record(Tensor output, string op, Tensor input, Action<Tensor> backward)
    {
        if (!Needs(input)) return;
        output.GradFn = new Node(op, [input], backward);
        output.SetRequiresGradFromOp();
    }

    public static void Record(Tensor output, string op, Tensor a, Tensor b, Action<Tensor> backward)
    {
        if (!Needs(a, b)) return;
        output.GradFn = new Node(op, [a, b], backward);
        output.SetRequiresGradFromOp();
    }

    public static void Record(Tensor output, string op, Tensor[] inputs, Action<Tensor> backward)
    {
        if (!Autograd.IsGradEnabled) return;
        bool any = false;
        foreach (var t in inputs) any |= t.RequiresGrad;
        if (!any) return;
        output.GradFn = new Node(op, inputs, backward);
        output.SetRequiresGradFromOp();
    }

    /// <summary>
    /// Adds <paramref name="grad"/> into <paramref name="t"/>.Grad, first summing it down to t's shape when it
    /// has the broadcast shape of an op's output. This is the one place where broadcasting's gradient lives.
    /// Pass <paramref name="owned"/> = true only for a tensor the closure has just created and shares with no one:
    /// it is then adopted as the gradient instead of copied (a gradient passed through unchanged, like Add's, must be copied).
    /// </summary>
    public static void Accumulate(Tensor t, Tensor grad, bool owned = false)
    {
        if (!t.RequiresGrad) return;
        if (!ShapeUtil.Same(grad._shape, t._shape))
        {
            grad = Broadcast.SumTo(grad, t._shape);
            owned = true;
        }
        if (t.Grad is null)
        {
            bool whole = grad.Offset == 0 && grad.Storage.Length == grad.Numel;
            bool donated = whole && ReferenceEquals(grad.Storage, _donor) && (owned || !_donorTaken);
            if (donated) _donorTaken = true; // the gradient being consumed now lives on as this one: not recycled
            if ((owned && whole) || donated) t.Grad = new Tensor(grad.Storage, 0, t._shape);
            else
            {
                var copy = new Tensor(t._shape);
                grad.Data.CopyTo(copy.AsSpan());
                t.Grad = copy;
            }
            t.GradFromGraph = true;
        }
        else
        {
            var dst = t.Grad.AsSpan();
            System.Numerics.Tensors.TensorPrimitives.Add(dst, grad.Data, dst);
        }
    }

    /// <summary>
    /// Adds <paramref name="grad"/> into the slice [start, start + grad.Size(d)) along dimension <paramref name="d"/> of
    /// <paramref name="t"/>.Grad, in place: the backward of slicing costs the slice, not the whole tensor, so taking
    /// a sequence apart step by step stays linear in its length. (Every Grad buffer is owned by its tensor alone.)
    /// </summary>
    public static void AccumulateSlice(Tensor t, int d, int start, Tensor grad)
    {
        if (!t.RequiresGrad) return;
        if (t.Grad is null)
        {
            // Zeroed from the pool like Accumulate's buffers, and marked so that backward recycles it once dead.
            t.Grad = new Tensor(ShapeUtil.AllocZeroed(t.Numel), 0, t._shape);
            t.GradFromGraph = true;
        }
        var (outer, n, inner) = ShapeUtil.Split(t._shape, d);
        int block = grad.Numel / Math.Max(outer, 1);
        var dst = t.Grad.AsSpan();
        var src = grad.Data;
        for (int o = 0; o < outer; o++)
        {
            var row = dst.Slice((o * n + start) * inner, block);
            System.Numerics.Tensors.TensorPrimitives.Add(row, src.Slice(o * block, block), row);
        }
    }

    public static void Backward(Tensor root, Tensor? gradient, bool retainGraph)
    {
        if (!root.RequiresGrad)
            throw new AutogradException($"Backward: the tensor of shape {Fmt.Shape(root._shape)} does not require grad and has no graph; set RequiresGrad on a leaf it depends on");
        if (root.GradFn is { Freed: true } f)
            throw new AutogradException($"Backward: the graph through '{f.Op}' was already freed by an earlier Backward(); pass retainGraph: true to the first call to run backward twice");
        if (gradient is null)
        {
            if (root.Numel != 1)
                throw new AutogradException($"Backward: output of shape {Fmt.Shape(root._shape)} is not a scalar; pass a gradient of the same shape");
            gradient = Tensor.OnesLike(root);
        }
        else if (!ShapeUtil.Same(gradient._shape, root._shape))
            throw new ShapeException($"Backward: gradient of shape {Fmt.Shape(gradient._shape)} does not match output of shape {Fmt.Shape(root._shape)}");

        var order = TopologicalOrder(root);
        try
        {
            RunBackward(root, gradient, retainGraph, order);
        }
        finally
        {
            order.Clear();
            if (order.Capacity <= 4096) _orderPool = order; // reuse small lists (a backward inside a backward allocates its own)
        }
    }

    // The storage of the gradient whose node is running: the one buffer that a pass-through gradient (Add, Reshape,
    // Expand ...) may adopt instead of copying, once. What is not adopted goes back to the BufferPool afterwards.
    [ThreadStatic] private static float[]? _donor;
    [ThreadStatic] private static bool _donorTaken;

    private static void RunBackward(Tensor root, Tensor gradient, bool retainGraph, List<Tensor> order)
    {
        // Backward closures are written with the public ops; they must not record a graph of their own.
        using var noGrad = Autograd.NoGrad();
        var (outerDonor, outerTaken) = (_donor, _donorTaken); // a backward inside a backward keeps the outer one's
        _donor = null;
        try
        {
            Accumulate(root, gradient);
            // Reverse topological order: every consumer runs before the producer of its inputs.
            for (int i = order.Count - 1; i >= 0; i--)
            {
                var t = order[i];
                var node = t.GradFn!;
                if (node.Freed)
                    throw new AutogradException($"Backward: the graph through '{node.Op}' was already freed by an earlier Backward(); pass retainGraph: true to the first call to run backward twice");
                var g = t.Grad;
                // A non-leaf gradient that backward created and nobody keeps is dead once its node has run.
                bool dies = g is not null && !t.RetainsGrad && t.GradFromGraph;
                _donor = dies ? g!.Storage : null;
                _donorTaken = false;
                if (g is not null) node.BackwardFn!(g);
                if (!t.RetainsGrad) t.Grad = null;
                if (dies && !_donorTaken) BufferPool.Return(g!.Storage);
                _donor = null;
                if (!retainGraph) node.Free();
            }
        }
        finally { (_donor, _donorTaken) = (outerDonor, outerTaken); }
    }

    [ThreadStatic] private static int _visitEpoch;
    [ThreadStatic] private static Stack<(Tensor t, int next)>? _dfsStack;
    [ThreadStatic] private static List<Tensor>? _orderPool;

    /// <summary>Non-leaf tensors reachable from root, producers before consumers (iterative DFS, no recursion).</summary>
    /// <remarks>Visited tensors are marked with a per-thread epoch number instead of a hash set (hot path of every step).</remarks>
    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = _orderPool ?? new List<Tensor>(64);
        _orderPool = null;
        if (root.GradFn is null) return order;
        int epoch = ++_visitEpoch;
        var stack = _dfsStack ??= new Stack<(Tensor t, int next)>();
        stack.Clear();
        stack.Push((root, 0));
        root.VisitMark = epoch;
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var inputs = t.GradFn!.InputsArray;
            if (next < inputs.Length)
            {
                stack.Push((t, next + 1));
                var child = inputs[next];
                if (child.GradFn is not null && child.VisitMark != epoch)
                {
                    child.VisitMark = epoch;
                    stack.Push((child, 0));
                }
            }
            else order.Add(t);
        }
        return order;
    }
}
