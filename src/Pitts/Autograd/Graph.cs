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

/// <summary>
/// What a backward closure returns: the gradient of each of its node's inputs, in the node's input order, null where
/// an input needs none. A closure returns a tensor, a pair, a triple or an array; <c>default</c> returns nothing.
/// </summary>
internal readonly struct Grads
{
    private readonly Tensor? _a, _b, _c;
    private readonly Tensor?[]? _many;

    private Grads(Tensor? a, Tensor? b, Tensor? c, Tensor?[]? many) => (_a, _b, _c, _many) = (a, b, c, many);

    public static implicit operator Grads(Tensor? a) => new(a, null, null, null);

    public static implicit operator Grads((Tensor? A, Tensor? B) g) => new(g.A, g.B, null, null);

    public static implicit operator Grads((Tensor? A, Tensor? B, Tensor? C) g) => new(g.A, g.B, g.C, null);

    public static implicit operator Grads(Tensor?[] many) => new(null, null, null, many);

    /// <summary>The gradient of input <paramref name="i"/>, or null.</summary>
    public Tensor? this[int i] => _many is not null ? _many[i] : i switch { 0 => _a, 1 => _b, 2 => _c, _ => null };
}

/// <summary>The backward closure of a node: from the gradient of the node's output, the gradients of its inputs.</summary>
internal delegate Grads BackwardFn(Tensor grad);

/// <summary>
/// The reverse-mode engine: Record attaches a node to an op's output, <see cref="Backward"/> sweeps the
/// graph from the root in reverse topological order, and <see cref="Accumulate"/> adds each gradient a closure returns
/// into its input's <see cref="Tensor.Grad"/>. Accumulation, broadcasting's reduction and the recycling of dead
/// gradient buffers happen here and nowhere else.
/// </summary>
internal static class Graph
{
    /// <summary>True when an op over these inputs must record a node.</summary>
    public static bool Needs(Tensor a) => a.RequiresGrad && Autograd.IsGradEnabled;

    public static bool Needs(Tensor a, Tensor b) => (a.RequiresGrad || b.RequiresGrad) && Autograd.IsGradEnabled;

    /// <summary>Attaches a node to <paramref name="output"/> when any input requires grad and recording is on.</summary>
    public static void Record(Tensor output, string op, Tensor input, BackwardFn backward)
    {
        if (Needs(input)) Attach(output, new Node(op, [input], backward));
    }

    public static void Record(Tensor output, string op, Tensor a, Tensor b, BackwardFn backward)
    {
        if (Needs(a, b)) Attach(output, new Node(op, [a, b], backward));
    }

    public static void Record(Tensor output, string op, Tensor[] inputs, BackwardFn backward)
    {
        if (!Autograd.IsGradEnabled) return;
        foreach (var t in inputs)
            if (t.RequiresGrad) { Attach(output, new Node(op, inputs, backward)); return; }
    }

    private static void Attach(Tensor output, Node node)
    {
        output.GradFn = node;
        output.SetRequiresGradFromOp();
    }

    public static void Backward(Tensor root, Tensor? gradient, bool retainGraph)
    {
        bool ours = gradient is null; // the ones made here may become the root's gradient; a caller's tensor is copied
        gradient = CheckRoot(root, gradient);
        using var noGrad = Autograd.NoGrad(); // closures are written with the public ops: they must not record
        var order = TopologicalOrder(root);
        try
        {
            Accumulate(root, gradient, mayAdopt: ours);
            for (int i = order.Count - 1; i >= 0; i--) // consumers run before the producers of their inputs
            {
                var t = order[i];
                var node = t.GradFn!;
                if (node.Freed) throw Freed(node);
                if (t.Grad is { } g) Propagate(node, g, dies: !t.RetainsGrad && t.GradFromGraph);
                if (!t.RetainsGrad) t.Grad = null;
                if (!retainGraph) node.Free();
            }
        }
        finally { ReturnOrder(order); }
    }

    /// <summary>
    /// Runs a node's closure on its output's gradient <paramref name="g"/> and accumulates what it returns. A gradient
    /// that backward made and nobody keeps <paramref name="dies"/> here: its buffer is adopted by the first input it
    /// passes through to unchanged (Add, Reshape, Expand...), or goes back to the pool.
    /// </summary>
    private static void Propagate(Node node, Tensor g, bool dies)
    {
        var grads = node.BackwardFn!(g);
        var inputs = node.InputsArray;
        bool donor = dies;
        for (int k = 0; k < inputs.Length; k++)
        {
            if (grads[k] is not { } gk) continue;
            // g's own buffer may be adopted once, and only when it dies; a buffer the closure made, once.
            bool mayAdopt = ReferenceEquals(gk.Storage, g.Storage) ? donor : !SharedWithEarlier(grads, k, gk);
            if (Accumulate(inputs[k], gk, mayAdopt) && ReferenceEquals(gk.Storage, g.Storage)) donor = false;
        }
        if (donor) BufferPool.Return(g.Storage);
    }

    /// <summary>
    /// Adds <paramref name="grad"/> into <paramref name="t"/>.Grad, first summing it down to t's shape when it has the
    /// broadcast shape of an op's output: the one place where broadcasting's gradient lives. The first gradient becomes
    /// t.Grad itself when <paramref name="mayAdopt"/> and it fills its buffer, else a copy; returns true when t adopted
    /// grad's buffer.
    /// </summary>
    private static bool Accumulate(Tensor t, Tensor grad, bool mayAdopt)
    {
        if (!t.RequiresGrad) return false;
        bool reduced = !ShapeUtil.Same(grad._shape, t._shape);
        var g = reduced ? Broadcast.SumTo(grad, t._shape) : grad;
        if (t.Grad is { } dst)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(dst.AsSpan(), g.Data, dst.AsSpan());
            return false;
        }
        bool adopt = (mayAdopt || reduced) && g.Offset == 0 && g.Storage.Length == g.Numel;
        t.Grad = adopt ? new Tensor(g.Storage, 0, t._shape) : Copy(g, t._shape);
        t.GradFromGraph = true;
        return adopt && !reduced;
    }

    private static Tensor Copy(Tensor g, int[] shape)
    {
        var copy = new Tensor(shape);
        g.Data.CopyTo(copy.AsSpan());
        return copy;
    }

    // A closure may return one fresh tensor for two inputs (or the same view twice): only the first may adopt it.
    private static bool SharedWithEarlier(Grads grads, int k, Tensor gk)
    {
        for (int j = 0; j < k; j++)
            if (ReferenceEquals(grads[j]?.Storage, gk.Storage)) return true;
        return false;
    }

    /// <summary>
    /// For a closure that hands its gradient over by writing it straight into <paramref name="t"/>'s (a GEMM that
    /// accumulates, a slice): the buffer, and whether it already holds a gradient to add to. A new buffer is zero,
    /// or left uninitialised when the caller <paramref name="overwrites"/> all of it.
    /// </summary>
    public static (Tensor Buffer, bool HasGradient) GradientBuffer(Tensor t, bool overwrites = false)
    {
        if (t.Grad is { } g) return (g, true);
        t.Grad = new Tensor(overwrites ? ShapeUtil.Alloc(t.Numel) : ShapeUtil.AllocZeroed(t.Numel), 0, t._shape);
        t.GradFromGraph = true; // pooled like every gradient backward makes, and recycled once dead
        return (t.Grad, false);
    }

    /// <summary>
    /// Adds <paramref name="grad"/> into the slice [start, start + grad.Size(d)) along dimension <paramref name="d"/> of
    /// <paramref name="t"/>.Grad, in place: the backward of slicing costs the slice, not the whole tensor, so taking
    /// a sequence apart step by step stays linear in its length.
    /// </summary>
    public static void AccumulateSlice(Tensor t, int d, int start, Tensor grad)
    {
        if (!t.RequiresGrad) return;
        var dst = GradientBuffer(t).Buffer.AsSpan();
        var (outer, n, inner) = ShapeUtil.Split(t._shape, d);
        int block = grad.Numel / Math.Max(outer, 1);
        var src = grad.Data;
        for (int o = 0; o < outer; o++)
        {
            var row = dst.Slice((o * n + start) * inner, block);
            System.Numerics.Tensors.TensorPrimitives.Add(row, src.Slice(o * block, block), row);
        }
    }

    private static Tensor CheckRoot(Tensor root, Tensor? gradient)
    {
        if (!root.RequiresGrad)
            throw new AutogradException($"Backward: the tensor of shape {Fmt.Shape(root._shape)} does not require grad and has no graph; set RequiresGrad on a leaf it depends on");
        if (root.GradFn is { Freed: true } f) throw Freed(f);
        if (gradient is null)
        {
            if (root.Numel != 1)
                throw new AutogradException($"Backward: output of shape {Fmt.Shape(root._shape)} is not a scalar; pass a gradient of the same shape");
            return Tensor.OnesLike(root);
        }
        if (!ShapeUtil.Same(gradient._shape, root._shape))
            throw new ShapeException($"Backward: gradient of shape {Fmt.Shape(gradient._shape)} does not match output of shape {Fmt.Shape(root._shape)}");
        return gradient;
    }

    private static AutogradException Freed(Node node) =>
        new($"Backward: the graph through '{node.Op}' was already freed by an earlier Backward(); pass retainGraph: true to the first call to run backward twice");

    [ThreadStatic] private static int _visitEpoch;
    [ThreadStatic] private static Stack<(Tensor t, int next)>? _dfsStack;
    [ThreadStatic] private static List<Tensor>? _orderPool;

    /// <summary>Non-leaf tensors reachable from root, producers before consumers (iterative DFS, no recursion).</summary>
    /// <remarks>Visited tensors are marked with a per-thread epoch number instead of a hash set (hot path of every step).</remarks>
    private static void ReturnOrder(List<Tensor> order)
    {
        order.Clear();
        if (order.Capacity <= 4096) _orderPool = order; // reuse small lists (a backward inside a backward allocates its own)
    }

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
