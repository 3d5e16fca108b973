using System.Text;
using Pitts.NN;
using Pitts.Onnx.Proto;
using DT = Pitts.Onnx.Proto.TensorProto.Types.DataType;

namespace Pitts.Onnx;

/// <summary>The ONNX operators an imported graph can use, each run with Pitts ops (opset 13 to 18 semantics).</summary>
internal static class OnnxOps
{
    /// <summary>Run-time state: the cap on values made from a shape (ConstantOfShape, Expand) and the recurrent layers.</summary>
    internal sealed record Context(long MaxNumel, IReadOnlyDictionary<NodeProto, RecurrentLayer> Recurrent);

    /// <summary>Each operator with its least and most inputs.</summary>
    private static readonly Dictionary<string, (int Min, int Max)> Arity = new()
    {
        ["Identity"] = (1, 1),
        ["Dropout"] = (1, 3),
        ["Add"] = (2, 2),
        ["Sub"] = (2, 2),
        ["Mul"] = (2, 2),
        ["Div"] = (2, 2),
        ["Pow"] = (2, 2),
        ["Neg"] = (1, 1),
        ["Abs"] = (1, 1),
        ["Exp"] = (1, 1),
        ["Log"] = (1, 1),
        ["Sqrt"] = (1, 1),
        ["Reciprocal"] = (1, 1),
        ["Erf"] = (1, 1),
        ["Relu"] = (1, 1),
        ["Sigmoid"] = (1, 1),
        ["Tanh"] = (1, 1),
        ["Softplus"] = (1, 1),
        ["LeakyRelu"] = (1, 1),
        ["Elu"] = (1, 1),
        ["Softmax"] = (1, 1),
        ["LogSoftmax"] = (1, 1),
        ["MatMul"] = (2, 2),
        ["Gemm"] = (2, 3),
        ["Conv"] = (2, 3),
        ["MaxPool"] = (1, 1),
        ["AveragePool"] = (1, 1),
        ["GlobalAveragePool"] = (1, 1),
        ["BatchNormalization"] = (5, 5),
        ["LayerNormalization"] = (2, 3),
        ["Flatten"] = (1, 1),
        ["Reshape"] = (2, 2),
        ["Transpose"] = (1, 1),
        ["Concat"] = (1, int.MaxValue),
        ["Gather"] = (2, 2),
        ["Slice"] = (3, 5),
        ["Squeeze"] = (1, 2),
        ["Unsqueeze"] = (1, 2),
        ["Shape"] = (1, 1),
        ["Constant"] = (0, 0),
        ["ConstantOfShape"] = (1, 1),
        ["Expand"] = (2, 2),
        ["Cast"] = (1, 1),
        ["Where"] = (3, 3),
        ["Equal"] = (2, 2),
        ["Less"] = (2, 2),
        ["Greater"] = (2, 2),
        ["LessOrEqual"] = (2, 2),
        ["GreaterOrEqual"] = (2, 2),
        ["Not"] = (1, 1),
        ["ReduceMean"] = (1, 2),
        ["ReduceSum"] = (1, 2),
        ["Pad"] = (2, 4),
        ["LSTM"] = (3, 8),
        ["GRU"] = (3, 6),
        ["RNN"] = (3, 6),
    };

    /// <summary>The operators <see cref="Onnx.Load(string)"/> runs.</summary>
    public static IReadOnlyCollection<string> Supported => Arity.Keys;

    /// <summary>Checks a node's domain, operator and input count before anything runs.</summary>
    public static void Validate(NodeProto n, string file)
    {
        string who = $"{file}: node '{n.Name}'";
        if (n.Domain is not ("" or "ai.onnx"))
            throw new OnnxUnsupportedException($"{who}: operator '{n.OpType}' of domain '{n.Domain}' is not supported (Pitts runs the default ONNX domain)");
        if (!Arity.TryGetValue(n.OpType, out var a))
            throw new OnnxUnsupportedException($"{who}: operator '{n.OpType}' is not supported; Pitts runs {string.Join(", ", Arity.Keys.Order(StringComparer.Ordinal))}");
        int count = n.Input.Count;
        while (count > 0 && n.Input[count - 1].Length == 0) count--; // trailing optional inputs left empty
        if (count < a.Min || count > a.Max)
            throw new OnnxFormatException($"{who}: {n.OpType} takes {(a.Min == a.Max ? (a.Min == 1 ? "1 input" : $"{a.Min} inputs") : a.Max == int.MaxValue ? $"at least {a.Min} inputs" : $"{a.Min} to {a.Max} inputs")}, got {count}");
        for (int i = 0; i < a.Min; i++)
            if (n.Input[i].Length == 0) throw new OnnxFormatException($"{who}: {n.OpType}'s required input {i} is empty");
        if (n.Output.Count == 0) throw new OnnxFormatException($"{who}: {n.OpType} has no output");
    }

    // Attributes.
    private static AttributeProto? A(NodeProto n, string name) => n.Attribute.FirstOrDefault(a => a.Name == name);

    private static long Int(NodeProto n, string name, long fallback) => A(n, name) is { } a ? a.I : fallback;

    private static float Float(NodeProto n, string name, float fallback) => A(n, name) is { } a ? a.F : fallback;

    private static long[]? Ints(NodeProto n, string name) => A(n, name) is { } a ? [.. a.Ints] : null;

    private static string Str(NodeProto n, string name, string fallback) => A(n, name) is { } a ? a.S.ToStringUtf8() : fallback;

    private static OnnxUnsupportedException Unsupported(NodeProto n, string what) => new($"ONNX node '{n.Name}' ({n.OpType}): {what} is not supported");

    /// <summary>The value of a Constant node.</summary>
    public static OnnxValue ConstantValue(NodeProto n, string file, long fileLength)
    {
        if (A(n, "value") is { T: { } t }) return OnnxValue.Decode(t, $"{file}: Constant '{n.Name}'", fileLength);
        if (A(n, "value_float") is { } f) return OnnxValue.Of(Tensor.Scalar(f.F));
        if (A(n, "value_floats") is { } fs) return OnnxValue.Of(Tensor.FromArray([.. fs.Floats]));
        if (A(n, "value_int") is { } i) return OnnxValue.Of([i.I], []);
        if (A(n, "value_ints") is { } iss) return OnnxValue.Of([.. iss.Ints], [iss.Ints.Count]);
        throw Unsupported(n, "a Constant without a tensor, float(s) or int(s) value");
    }

    private static int Axis(long axis, int rank, NodeProto n)
    {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new OnnxFormatException($"ONNX node '{n.Name}' ({n.OpType}): axis {axis} is out of range for rank {rank}");
        return (int)a;
    }

    private static int ToInt(long v, NodeProto n, string what) =>
        v is >= int.MinValue and <= int.MaxValue ? (int)v : throw new OnnxFormatException($"ONNX node '{n.Name}' ({n.OpType}): {what} {v} is out of range");

    private static int[] Dims(OnnxValue v, NodeProto n, string what) => v.AsInts(what).Select(d => ToInt(d, n, what)).ToArray();

    private static long Numel(int[] shape) => shape.Aggregate(1L, (a, b) => a * b);

    private static void Cap(long numel, Context ctx, NodeProto n)
    {
        if (numel > ctx.MaxNumel)
            throw new OnnxFormatException($"ONNX node '{n.Name}' ({n.OpType}): a result of {numel} elements is more than this file and input justify ({ctx.MaxNumel})");
    }

    /// <summary>Runs one node on its inputs (null for an omitted optional input) and returns its outputs.</summary>
    public static OnnxValue?[] Run(NodeProto n, OnnxValue?[] x, Context ctx)
    {
        Tensor F(int i) => x[i]!.AsFloat();
        OnnxValue One(Tensor t) => OnnxValue.Of(t);
        switch (n.OpType)
        {
            case "Identity": return [x[0]];
            case "Dropout": return [x[0], null];
            case "Add": return [Binary(x[0]!, x[1]!, (a, b) => a.Add(b), (a, b) => a + b)];
            case "Sub": return [Binary(x[0]!, x[1]!, (a, b) => a.Sub(b), (a, b) => a - b)];
            case "Mul": return [Binary(x[0]!, x[1]!, (a, b) => a.Mul(b), (a, b) => a * b)];
            case "Div": return [Binary(x[0]!, x[1]!, (a, b) => a.Div(b), (a, b) => b == 0 ? throw new OnnxFormatException($"ONNX node '{n.Name}' (Div): integer division by zero") : a / b)];
            case "Pow": return [One(F(0).Pow(F(1)))];
            case "Neg": return [x[0]!.Ints is { } ni ? OnnxValue.Of(ni.Select(v => -v).ToArray(), x[0]!.Shape) : One(F(0).Neg())];
            case "Abs": return [One(F(0).Abs())];
            case "Exp": return [One(F(0).Exp())];
            case "Log": return [One(F(0).Log())];
            case "Sqrt": return [One(F(0).Sqrt())];
            case "Reciprocal": return [One(Tensor.Scalar(1f).Div(F(0)))];
            case "Erf": return [One(F(0).Erf())];
            case "Relu": return [One(F(0).Relu())];
            case "Sigmoid": return [One(F(0).Sigmoid())];
            case "Tanh": return [One(F(0).Tanh())];
            case "Softplus": return [One(F(0).Softplus())];
            case "LeakyRelu": return [One(F(0).LeakyRelu(Float(n, "alpha", 0.01f)))];
            case "Elu": return [One(F(0).Elu(Float(n, "alpha", 1f)))];
            case "Softmax": return [One(F(0).Softmax(Axis(Int(n, "axis", -1), x[0]!.Rank, n)))];
            case "LogSoftmax": return [One(F(0).LogSoftmax(Axis(Int(n, "axis", -1), x[0]!.Rank, n)))];
            case "MatMul": return [One(F(0).MatMul(F(1)))];
            case "Gemm": return [One(Gemm(n, F(0), F(1), x.Length > 2 && x[2] is not null ? F(2) : null))];
            case "Conv": return [One(Conv(n, F(0), F(1), x.Length > 2 && x[2] is not null ? F(2) : null, ctx))];
            case "MaxPool":
                {
                    var (k, s, p, d) = Window(n, x[0]!, dilations: true, ctx);
                    if (Int(n, "storage_order", 0) != 0) throw Unsupported(n, "storage_order 1");
                    if (n.Output.Count > 1 && n.Output[1].Length > 0) throw Unsupported(n, "the Indices output");
                    return [One(F(0).MaxPool2d(k, s, p, d))];
                }
            case "AveragePool":
                {
                    var (k, s, p, _) = Window(n, x[0]!, dilations: false, ctx);
                    return [One(F(0).AvgPool2d(k, s, p, Int(n, "count_include_pad", 0) != 0))];
                }
            case "GlobalAveragePool":
                if (x[0]!.Rank < 3) throw new OnnxFormatException($"ONNX node '{n.Name}' (GlobalAveragePool): input must be (N x C x ...), got rank {x[0]!.Rank}");
                return [One(F(0).Mean(Enumerable.Range(2, x[0]!.Rank - 2).ToArray(), keepDim: true))];
            case "BatchNormalization": return [One(BatchNormalization(n, F(0), F(1), F(2), F(3), F(4))), null, null];
            case "LayerNormalization": return [One(LayerNormalization(n, F(0), F(1), x.Length > 2 && x[2] is not null ? F(2) : null)), null, null];
            case "Flatten":
                {
                    var v = x[0]!;
                    long ax = Int(n, "axis", 1);
                    int axis = (int)(ax < 0 ? ax + v.Rank : ax);
                    if (axis < 0 || axis > v.Rank) throw new OnnxFormatException($"ONNX node '{n.Name}' (Flatten): axis {ax} is out of range for rank {v.Rank}");
                    long outer = Numel(v.Shape[..axis]);
                    return [Reshape(v, [(int)outer, (int)(outer == 0 ? 0 : v.Numel / outer)])];
                }
            case "Reshape": return [Reshape(x[0]!, ResolveShape(n, x[0]!, x[1]!))];
            case "Transpose":
                {
                    var v = x[0]!;
                    int[] perm = Ints(n, "perm") is { } pp ? pp.Select(p => Axis(p, v.Rank, n)).ToArray() : Enumerable.Range(0, v.Rank).Reverse().ToArray();
                    if (perm.Length != v.Rank || perm.Distinct().Count() != perm.Length)
                        throw new OnnxFormatException($"ONNX node '{n.Name}' (Transpose): perm ({string.Join(",", perm)}) does not fit rank {v.Rank}");
                    if (v.Ints is not null) return [Permute(v, perm)];
                    return [One(F(0).Permute(perm))];
                }
            case "Concat": return [Concat(n, x!)];
            case "Gather": return [Gather(n, x[0]!, x[1]!)];
            case "Slice": return [Slice(n, x)];
            case "Squeeze":
                {
                    var v = x[0]!;
                    long[]? axes = x.Length > 1 && x[1] is not null ? x[1]!.AsInts("Squeeze axes") : Ints(n, "axes");
                    var drop = axes is null ? Enumerable.Range(0, v.Rank).Where(i => v.Shape[i] == 1).ToHashSet() : axes.Select(a => Axis(a, v.Rank, n)).ToHashSet();
                    foreach (int d in drop)
                        if (v.Shape[d] != 1) throw new OnnxFormatException($"ONNX node '{n.Name}' (Squeeze): dimension {d} of ({string.Join("x", v.Shape)}) is not 1");
                    return [Reshape(v, v.Shape.Where((_, i) => !drop.Contains(i)).ToArray())];
                }
            case "Unsqueeze":
                {
                    var v = x[0]!;
                    long[] axes = x.Length > 1 && x[1] is not null ? x[1]!.AsInts("Unsqueeze axes") : Ints(n, "axes") ?? throw new OnnxFormatException($"ONNX node '{n.Name}' (Unsqueeze): no axes");
                    int rank = v.Rank + axes.Length;
                    var add = axes.Select(a => Axis(a, rank, n)).ToHashSet();
                    if (add.Count != axes.Length) throw new OnnxFormatException($"ONNX node '{n.Name}' (Unsqueeze): repeated axes");
                    var shape = new int[rank];
                    for (int i = 0, j = 0; i < rank; i++) shape[i] = add.Contains(i) ? 1 : v.Shape[j++];
                    return [Reshape(v, shape)];
                }
            case "Shape":
                {
                    var s = x[0]!.Shape;
                    int r = s.Length;
                    long start = Int(n, "start", 0), end = Int(n, "end", r);
                    int a = (int)Math.Clamp(start < 0 ? start + r : start, 0, r), b = (int)Math.Clamp(end < 0 ? end + r : end, 0, r);
                    var dims = s[a..Math.Max(a, b)].Select(d => (long)d).ToArray();
                    return [OnnxValue.Of(dims, [dims.Length])];
                }
            case "ConstantOfShape":
                {
                    var shape = Dims(x[0]!, n, "ConstantOfShape shape");
                    if (shape.Any(d => d < 0)) throw new OnnxFormatException($"ONNX node '{n.Name}' (ConstantOfShape): negative size in ({string.Join("x", shape)})");
                    long numel = Numel(shape);
                    Cap(numel, ctx, n);
                    OnnxValue fill = A(n, "value") is { T: { } t } ? OnnxValue.Decode(t, $"ConstantOfShape '{n.Name}'", 1024) : OnnxValue.Of(Tensor.Scalar(0f));
                    if (fill.Numel != 1) throw new OnnxFormatException($"ONNX node '{n.Name}' (ConstantOfShape): the value must hold one element");
                    if (fill.Float is not null)
                    {
                        var r = Tensor.Zeros(shape);
                        r.AsSpan().Fill(fill.Float.Item());
                        return [One(r)];
                    }
                    return [OnnxValue.Of(Enumerable.Repeat(fill.Ints![0], (int)numel).ToArray(), shape, fill.IsBool)];
                }
            case "Expand":
                {
                    var target = Dims(x[1]!, n, "Expand shape");
                    var shape = BroadcastShape(x[0]!.Shape, target, n);
                    Cap(Numel(shape), ctx, n);
                    if (x[0]!.Ints is not null) return [BroadcastInts(x[0]!, OnnxValue.Of(new long[Numel(shape)], shape), (a, _) => a, n)];
                    return [One(F(0).Expand(shape))];
                }
            case "Cast": return [Cast(n, x[0]!)];
            case "Where":
                {
                    var c = x[0]!;
                    if (x[1]!.Ints is not null && x[2]!.Ints is not null)
                    {
                        var shape = BroadcastShape(BroadcastShape(c.Shape, x[1]!.Shape, n), x[2]!.Shape, n);
                        var ce = BroadcastInts(c.Ints is null ? OnnxValue.Of(c.AsInts("Where condition"), c.Shape) : c, OnnxValue.Of(new long[Numel(shape)], shape), (a, _) => a, n);
                        var ae = BroadcastInts(x[1]!, ce, (a, _) => a, n);
                        var be = BroadcastInts(x[2]!, ce, (a, _) => a, n);
                        return [OnnxValue.Of(ce.Ints!.Select((v, i) => v != 0 ? ae.Ints![i] : be.Ints![i]).ToArray(), ce.Shape)];
                    }
                    return [One(Tensor.Where(c.AsFloat(), F(1), F(2)))];
                }
            case "Equal": return [Compare(x[0]!, x[1]!, (a, b) => a == b, n)];
            case "Less": return [Compare(x[0]!, x[1]!, (a, b) => a < b, n)];
            case "Greater": return [Compare(x[0]!, x[1]!, (a, b) => a > b, n)];
            case "LessOrEqual": return [Compare(x[0]!, x[1]!, (a, b) => a <= b, n)];
            case "GreaterOrEqual": return [Compare(x[0]!, x[1]!, (a, b) => a >= b, n)];
            case "Not": return [OnnxValue.Of(x[0]!.AsInts("Not").Select(v => v == 0 ? 1L : 0L).ToArray(), x[0]!.Shape, isBool: true)];
            case "ReduceMean": return [One(Reduce(n, x, mean: true))];
            case "ReduceSum": return [One(Reduce(n, x, mean: false))];
            case "Pad": return [One(Pad(n, x, ctx))];
            case "LSTM" or "GRU" or "RNN": return RunRecurrent(n, x, ctx.Recurrent[n]);
            default: throw Unsupported(n, $"operator '{n.OpType}'");
        }
    }

    private static OnnxValue Binary(OnnxValue a, OnnxValue b, Func<Tensor, Tensor, Tensor> f, Func<long, long, long> i)
    {
        if (a.Ints is not null && b.Ints is not null) return BroadcastInts(a, b, i, null);
        return OnnxValue.Of(f(a.AsFloat(), b.AsFloat()));
    }

    private static OnnxValue Compare(OnnxValue a, OnnxValue b, Func<double, double, bool> f, NodeProto n)
    {
        var shape = BroadcastShape(a.Shape, b.Shape, n);
        double[] Vals(OnnxValue v) => v.Ints is { } iv ? iv.Select(q => (double)q).ToArray() : v.Float!.ToArray().Select(q => (double)q).ToArray();
        var ea = BroadcastIndex(a.Shape, shape);
        var eb = BroadcastIndex(b.Shape, shape);
        var va = Vals(a);
        var vb = Vals(b);
        var r = new long[ea.Length];
        for (int k = 0; k < r.Length; k++) r[k] = f(va[ea[k]], vb[eb[k]]) ? 1 : 0;
        return OnnxValue.Of(r, shape, isBool: true);
    }

    private static int[] BroadcastShape(int[] a, int[] b, NodeProto? n)
    {
        int rank = Math.Max(a.Length, b.Length);
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            int db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new OnnxFormatException($"ONNX node '{n?.Name}' ({n?.OpType}): shapes ({string.Join("x", a)}) and ({string.Join("x", b)}) do not broadcast");
            r[i] = da == 1 ? db : da;
        }
        return r;
    }

    /// <summary>For each element of <paramref name="target"/>, the flat index of the element of <paramref name="shape"/> broadcast to it.</summary>
    private static int[] BroadcastIndex(int[] shape, int[] target)
    {
        int total = (int)Numel(target);
        var idx = new int[total];
        int lead = target.Length - shape.Length;
        var strides = new int[target.Length];
        for (int i = target.Length - 1, s = 1; i >= lead; i--)
        {
            strides[i] = shape[i - lead] == 1 ? 0 : s;
            s *= shape[i - lead];
        }
        var pos = new int[target.Length];
        for (int k = 0; k < total; k++)
        {
            int at = 0;
            for (int d = 0; d < target.Length; d++) at += pos[d] * strides[d];
            idx[k] = at;
            for (int d = target.Length - 1; d >= 0; d--)
            {
                if (++pos[d] < target[d]) break;
                pos[d] = 0;
            }
        }
        return idx;
    }

    private static OnnxValue BroadcastInts(OnnxValue a, OnnxValue b, Func<long, long, long> f, NodeProto? n)
    {
        var shape = BroadcastShape(a.Shape, b.Shape, n);
        var ia = BroadcastIndex(a.Shape, shape);
        var ib = BroadcastIndex(b.Shape, shape);
        var va = a.AsInts("integer op");
        var vb = b.AsInts("integer op");
        var r = new long[ia.Length];
        for (int k = 0; k < r.Length; k++) r[k] = f(va[ia[k]], vb[ib[k]]);
        return OnnxValue.Of(r, shape, a.IsBool && b.IsBool);
    }

    private static OnnxValue Reshape(OnnxValue v, int[] shape)
    {
        if (Numel(shape) != v.Numel) throw new ShapeException($"cannot reshape ({string.Join("x", v.Shape)}) to ({string.Join("x", shape)})");
        return v.Float is not null ? OnnxValue.Of(v.Float.Reshape(shape)) : OnnxValue.Of(v.Ints!, shape, v.IsBool);
    }

    private static int[] ResolveShape(NodeProto n, OnnxValue x, OnnxValue shapeValue)
    {
        var s = Dims(shapeValue, n, "Reshape shape");
        bool allowZero = Int(n, "allowzero", 0) != 0;
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == 0 && !allowZero)
            {
                if (i >= x.Rank) throw new OnnxFormatException($"ONNX node '{n.Name}' (Reshape): 0 at position {i} copies a dimension the input ({string.Join("x", x.Shape)}) lacks");
                s[i] = x.Shape[i];
            }
            if (s[i] == -1)
            {
                if (infer >= 0) throw new OnnxFormatException($"ONNX node '{n.Name}' (Reshape): more than one -1 in ({string.Join(",", s)})");
                infer = i;
            }
            else if (s[i] < 0) throw new OnnxFormatException($"ONNX node '{n.Name}' (Reshape): negative size {s[i]}");
            else known *= s[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || x.Numel % known != 0) throw new ShapeException($"cannot reshape ({string.Join("x", x.Shape)}) to ({string.Join(",", s)})");
            s[infer] = (int)(x.Numel / known);
        }
        return s;
    }

    private static OnnxValue Permute(OnnxValue v, int[] perm)
    {
        var shape = perm.Select(p => v.Shape[p]).ToArray();
        var src = new int[v.Rank];
        for (int i = v.Rank - 1, s = 1; i >= 0; i--) { src[i] = s; s *= v.Shape[i]; }
        var r = new long[v.Numel];
        var pos = new int[shape.Length];
        for (int k = 0; k < r.Length; k++)
        {
            int at = 0;
            for (int d = 0; d < shape.Length; d++) at += pos[d] * src[perm[d]];
            r[k] = v.Ints![at];
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                if (++pos[d] < shape[d]) break;
                pos[d] = 0;
            }
        }
        return OnnxValue.Of(r, shape, v.IsBool);
    }

    private static OnnxValue Concat(NodeProto n, OnnxValue[] xs)
    {
        var parts = xs.Where(v => v is not null).ToArray();
        int rank = parts[0].Rank;
        int axis = Axis(Int(n, "axis", 0), rank, n);
        foreach (var p in parts)
            if (p.Rank != rank || p.Shape.Where((d, i) => i != axis && d != parts[0].Shape[i]).Any())
                throw new OnnxFormatException($"ONNX node '{n.Name}' (Concat): shapes {string.Join(", ", parts.Select(q => "(" + string.Join("x", q.Shape) + ")"))} do not fit along axis {axis}");
        if (parts.All(p => p.Ints is not null))
        {
            int outer = (int)Numel(parts[0].Shape[..axis]), inner = (int)Numel(parts[0].Shape[(axis + 1)..]);
            var shape = (int[])parts[0].Shape.Clone();
            shape[axis] = parts.Sum(p => p.Shape[axis]);
            var r = new List<long>((int)Numel(shape));
            for (int o = 0; o < outer; o++)
                foreach (var p in parts)
                    r.AddRange(p.Ints!.AsSpan(o * p.Shape[axis] * inner, p.Shape[axis] * inner).ToArray());
            return OnnxValue.Of([.. r], shape);
        }
        return OnnxValue.Of(Tensor.Cat(parts.Select(p => p.AsFloat()).ToList(), axis));
    }

    /// <summary>The elements at <paramref name="idx"/> along <paramref name="axis"/> (the axis keeps its place, with idx.Length entries).</summary>
    private static OnnxValue Take(OnnxValue v, int axis, int[] idx)
    {
        if (v.Float is not null) return OnnxValue.Of(v.Float.IndexSelect(axis, idx));
        int outer = (int)Numel(v.Shape[..axis]), inner = (int)Numel(v.Shape[(axis + 1)..]), dim = v.Shape[axis];
        var r = new long[outer * idx.Length * inner];
        for (int o = 0, at = 0; o < outer; o++)
            foreach (int i in idx)
            {
                Array.Copy(v.Ints!, (o * dim + i) * inner, r, at, inner);
                at += inner;
            }
        var shape = (int[])v.Shape.Clone();
        shape[axis] = idx.Length;
        return OnnxValue.Of(r, shape, v.IsBool);
    }

    private static OnnxValue Gather(NodeProto n, OnnxValue data, OnnxValue indices)
    {
        int axis = Axis(Int(n, "axis", 0), data.Rank, n);
        int dim = data.Shape[axis];
        var idx = indices.AsInts("Gather indices").Select(i =>
        {
            long j = i < 0 ? i + dim : i;
            if (j < 0 || j >= dim) throw new OnnxFormatException($"ONNX node '{n.Name}' (Gather): index {i} is out of range for dimension {axis} of size {dim}");
            return (int)j;
        }).ToArray();
        var taken = Take(data, axis, idx);
        int[] shape = [.. data.Shape[..axis], .. indices.Shape, .. data.Shape[(axis + 1)..]];
        return Reshape(taken, shape);
    }

    private static OnnxValue Slice(NodeProto n, OnnxValue?[] x)
    {
        var v = x[0]!;
        var starts = x[1]!.AsInts("Slice starts");
        var ends = x[2]!.AsInts("Slice ends");
        var axes = x.Length > 3 && x[3] is not null ? x[3]!.AsInts("Slice axes") : Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        var steps = x.Length > 4 && x[4] is not null ? x[4]!.AsInts("Slice steps") : Enumerable.Repeat(1L, starts.Length).ToArray();
        if (ends.Length != starts.Length || axes.Length != starts.Length || steps.Length != starts.Length)
            throw new OnnxFormatException($"ONNX node '{n.Name}' (Slice): starts, ends, axes and steps differ in length");
        for (int k = 0; k < starts.Length; k++)
        {
            int axis = Axis(axes[k], v.Rank, n);
            long dim = v.Shape[axis], step = steps[k];
            if (step == 0) throw new OnnxFormatException($"ONNX node '{n.Name}' (Slice): step 0");
            long s = starts[k] < 0 ? starts[k] + dim : starts[k], e = ends[k] < 0 ? ends[k] + dim : ends[k];
            if (step > 0) { s = Math.Clamp(s, 0, dim); e = Math.Clamp(e, 0, dim); }
            else { s = Math.Clamp(s, 0, dim - 1); e = Math.Clamp(e, -1, dim - 1); }
            if (step == 1 && v.Float is not null)
            {
                v = OnnxValue.Of(v.Float.Narrow(axis, (int)s, (int)Math.Max(0, e - s)));
                continue;
            }
            var idx = new List<int>();
            for (long i = s; step > 0 ? i < e : i > e; i += step) idx.Add((int)i);
            v = Take(v, axis, [.. idx]);
        }
        return v;
    }

    private static OnnxValue Cast(NodeProto n, OnnxValue v)
    {
        var to = (DT)Int(n, "to", 0);
        switch (to)
        {
            case DT.Float or DT.Double or DT.Float16:
                return OnnxValue.Of(v.AsFloat());
            case DT.Int64 or DT.Int32 or DT.Int16 or DT.Int8 or DT.Uint8:
                if (v.Ints is not null) return OnnxValue.Of(v.Ints, v.Shape);
                var f = v.Float!.ToArray();
                if (f.Any(q => !float.IsFinite(q))) throw new OnnxFormatException($"ONNX node '{n.Name}' (Cast): cannot cast a non-finite value to {to}");
                return OnnxValue.Of(f.Select(q => (long)q).ToArray(), v.Shape);
            case DT.Bool:
                return OnnxValue.Of(v.Ints is not null ? v.Ints.Select(q => q != 0 ? 1L : 0L).ToArray() : v.Float!.ToArray().Select(q => q != 0 ? 1L : 0L).ToArray(), v.Shape, isBool: true);
            default: throw Unsupported(n, $"a cast to {to}");
        }
    }

    private static Tensor Gemm(NodeProto n, Tensor a, Tensor b, Tensor? c)
    {
        float alpha = Float(n, "alpha", 1f), beta = Float(n, "beta", 1f);
        long ta = Int(n, "transA", 0), tb = Int(n, "transB", 0);
        if (a.Rank != 2 || b.Rank != 2) throw new OnnxFormatException($"ONNX node '{n.Name}' (Gemm): A and B must be 2-D, got ranks {a.Rank} and {b.Rank}");
        // Gemm(x, W, b, transB=1) is PyTorch's Linear: run it as Pitts's Linear, the same arithmetic as the layer.
        if (alpha == 1f && beta == 1f && ta == 0 && tb == 1 && (c is null || (c.Rank == 1 && c.Shape[0] == b.Shape[0])))
            return Tensor.Linear(a, b, c);
        var y = (ta != 0 ? a.T : a).MatMul(tb != 0 ? b.T : b);
        if (alpha != 1f) y = y.Mul(alpha);
        if (c is not null) y = y.Add(beta == 1f ? c : c.Mul(beta));
        return y;
    }

    private static (int H, int W) Pair(long[]? v, (int H, int W) fallback, NodeProto n, string what)
    {
        if (v is null) return fallback;
        if (v.Length != 2) throw Unsupported(n, $"{what} of length {v.Length} (Pitts runs 2-D convolutions and pools)");
        return (ToInt(v[0], n, what), ToInt(v[1], n, what));
    }

    private static (int H, int W) Pads(NodeProto n)
    {
        string autoPad = Str(n, "auto_pad", "NOTSET");
        if (autoPad is not ("NOTSET" or "VALID")) throw Unsupported(n, $"auto_pad {autoPad}");
        var p = Ints(n, "pads");
        if (p is null || autoPad == "VALID") return (0, 0);
        if (p.Length != 4) throw Unsupported(n, $"pads of length {p.Length}");
        if (p[0] != p[2] || p[1] != p[3]) throw Unsupported(n, $"asymmetric pads ({string.Join(",", p)})");
        return (ToInt(p[0], n, "pads"), ToInt(p[1], n, "pads"));
    }

    /// <summary>
    /// Refuses a window whose padding (an attribute, so any size a file declares) would make the padded input, the
    /// unfolded columns or the output larger than the run's cap, before anything is allocated.
    /// </summary>
    private static void CapWindow(NodeProto n, IReadOnlyList<int> shape, (int H, int W) k, (int H, int W) s, (int H, int W) p, (int H, int W) d, long outChannels, Context ctx)
    {
        long h = shape[2] + 2L * p.H, w = shape[3] + 2L * p.W;
        Cap((long)shape[0] * shape[1] * h * w, ctx, n);
        long oh = s.H > 0 ? Math.Max(0, (h - (long)d.H * (k.H - 1) - 1) / s.H + 1) : 0;
        long ow = s.W > 0 ? Math.Max(0, (w - (long)d.W * (k.W - 1) - 1) / s.W + 1) : 0;
        Cap((long)shape[0] * outChannels * oh * ow, ctx, n);
        Cap((long)shape[1] * k.H * k.W * oh * ow, ctx, n);
    }

    private static Tensor Conv(NodeProto n, Tensor x, Tensor w, Tensor? b, Context ctx)
    {
        if (x.Rank != 4 || w.Rank != 4) throw Unsupported(n, $"a convolution of rank {x.Rank} (Pitts runs 2-D convolutions)");
        if (Int(n, "group", 1) != 1) throw Unsupported(n, $"group {Int(n, "group", 1)}");
        var k = Pair(Ints(n, "kernel_shape"), (w.Shape[2], w.Shape[3]), n, "kernel_shape");
        if (k != (w.Shape[2], w.Shape[3])) throw new OnnxFormatException($"ONNX node '{n.Name}' (Conv): kernel_shape {k} differs from the weight's ({w.Shape[2]}, {w.Shape[3]})");
        var (strides, pads, dilations) = (Pair(Ints(n, "strides"), (1, 1), n, "strides"), Pads(n), Pair(Ints(n, "dilations"), (1, 1), n, "dilations"));
        CapWindow(n, x.Shape, k, strides, pads, dilations, w.Shape[0], ctx);
        return Tensor.Conv2d(x, w, b, strides, pads, dilations);
    }

    private static ((int H, int W) K, (int H, int W) S, (int H, int W) P, (int H, int W) D) Window(NodeProto n, OnnxValue x, bool dilations, Context ctx)
    {
        if (x.Rank != 4) throw Unsupported(n, $"pooling of a rank-{x.Rank} input (Pitts pools (N x C x H x W))");
        if (Int(n, "ceil_mode", 0) != 0) throw Unsupported(n, "ceil_mode 1");
        var k = Pair(Ints(n, "kernel_shape") ?? throw new OnnxFormatException($"ONNX node '{n.Name}' ({n.OpType}): no kernel_shape"), (1, 1), n, "kernel_shape");
        var d = Pair(Ints(n, "dilations"), (1, 1), n, "dilations");
        if (!dilations && d != (1, 1)) throw Unsupported(n, "dilations");
        var (s, p) = (Pair(Ints(n, "strides"), (1, 1), n, "strides"), Pads(n));
        CapWindow(n, x.Shape, k, s, p, d, x.Shape[1], ctx);
        return (k, s, p, d);
    }

    private static Tensor BatchNormalization(NodeProto n, Tensor x, Tensor scale, Tensor bias, Tensor mean, Tensor var)
    {
        if (Int(n, "training_mode", 0) != 0) throw Unsupported(n, "training_mode 1");
        if (x.Rank < 2) throw new OnnxFormatException($"ONNX node '{n.Name}' (BatchNormalization): input must be (N x C x ...), got rank {x.Rank}");
        int c = x.Shape[1];
        foreach (var (t, what) in new[] { (scale, "scale"), (bias, "B"), (mean, "mean"), (var, "var") })
            if (t.Numel != c) throw new OnnxFormatException($"ONNX node '{n.Name}' (BatchNormalization): {what} has {t.Numel} values for {c} channels");
        return Tensor.BatchNormOp(x, c, scale.Reshape(c), bias.Reshape(c), Float(n, "epsilon", 1e-5f), mean.ToArray(), var.ToArray(), out _, out _);
    }

    private static Tensor LayerNormalization(NodeProto n, Tensor x, Tensor scale, Tensor? bias)
    {
        int axis = Axis(Int(n, "axis", -1), x.Rank, n);
        int d = (int)Numel([.. x.Shape.Skip(axis)]);
        if (scale.Numel != d || (bias is not null && bias.Numel != d))
            throw new OnnxFormatException($"ONNX node '{n.Name}' (LayerNormalization): scale and bias must hold {d} values (the dimensions from axis {axis} of ({string.Join("x", x.Shape)}))");
        // B is optional in ONNX; the fused op takes a bias whenever it takes a scale.
        return Tensor.LayerNormOp(x, d, scale.Reshape(d), bias?.Reshape(d) ?? Tensor.Zeros(d), Float(n, "epsilon", 1e-5f));
    }

    private static Tensor Reduce(NodeProto n, OnnxValue?[] x, bool mean)
    {
        var v = x[0]!.AsFloat();
        long[]? axes = x.Length > 1 && x[1] is not null ? x[1]!.AsInts($"{n.OpType} axes") : Ints(n, "axes");
        bool keep = Int(n, "keepdims", 1) != 0;
        if (axes is null || axes.Length == 0)
        {
            if (Int(n, "noop_with_empty_axes", 0) != 0) return v;
            axes = Enumerable.Range(0, v.Rank).Select(i => (long)i).ToArray();
        }
        var dims = axes.Select(a => Axis(a, v.Rank, n)).ToArray();
        return mean ? v.Mean(dims, keep) : v.Sum(dims, keep);
    }

    private static Tensor Pad(NodeProto n, OnnxValue?[] x, Context ctx)
    {
        if (Str(n, "mode", "constant") != "constant") throw Unsupported(n, $"mode '{Str(n, "mode", "constant")}'");
        var v = x[0]!.AsFloat();
        var pads = x[1]!.AsInts("Pad pads");
        float value = x.Length > 2 && x[2] is not null ? x[2]!.AsFloat().Item() : 0f;
        int[] axes = x.Length > 3 && x[3] is not null ? x[3]!.AsInts("Pad axes").Select(a => Axis(a, v.Rank, n)).ToArray() : Enumerable.Range(0, v.Rank).ToArray();
        if (pads.Length != 2 * axes.Length) throw new OnnxFormatException($"ONNX node '{n.Name}' (Pad): {pads.Length} pads for {axes.Length} axes");
        // ONNX lists all begins then all ends in axis order; Pitts (as torch) lists (before, after) pairs from the last dimension.
        var before = new int[v.Rank];
        var after = new int[v.Rank];
        for (int i = 0; i < axes.Length; i++)
        {
            before[axes[i]] = ToInt(pads[i], n, "pad");
            after[axes[i]] = ToInt(pads[i + axes.Length], n, "pad");
        }
        if (before.Concat(after).Any(p => p < 0)) throw Unsupported(n, "negative pads");
        Cap(Enumerable.Range(0, v.Rank).Aggregate(1L, (a, d) => a * ((long)v.Shape[d] + before[d] + after[d])), ctx, n);
        var list = new int[2 * v.Rank];
        for (int d = 0; d < v.Rank; d++) { list[2 * d] = before[v.Rank - 1 - d]; list[2 * d + 1] = after[v.Rank - 1 - d]; }
        return v.Pad(list, value);
    }

    /// <summary>
    /// A Pitts layer (sequence-first) with the node's weights: ONNX's gate blocks (LSTM i, o, f, c; GRU z, r, h) are
    /// re-ordered to PyTorch's (LSTM i, f, g, o; GRU r, z, n), which Pitts uses.
    /// </summary>
    public static RecurrentLayer MakeRecurrent(NodeProto n, IReadOnlyDictionary<string, Tensor> floats, string file)
    {
        string who = $"{file}: node '{n.Name}' ({n.OpType})";
        Tensor Weight(int i, string what) =>
            i < n.Input.Count && n.Input[i].Length > 0 && floats.TryGetValue(n.Input[i], out var t) ? t
                : throw new OnnxUnsupportedException($"{who}: {what} must be an initializer (Pitts builds the layer when it loads the file)");
        if (Str(n, "direction", "forward") != "forward") throw new OnnxUnsupportedException($"{who}: direction '{Str(n, "direction", "forward")}' (Pitts runs forward layers)");
        if (Int(n, "layout", 0) != 0) throw new OnnxUnsupportedException($"{who}: layout 1");
        if (A(n, "clip") is not null) throw new OnnxUnsupportedException($"{who}: clip");
        if (n.Input.Count > 4 && n.Input[4].Length > 0) throw new OnnxUnsupportedException($"{who}: sequence_lens");
        if (n.OpType == "LSTM" && n.Input.Count > 7 && n.Input[7].Length > 0) throw new OnnxUnsupportedException($"{who}: peepholes");
        if (n.OpType == "LSTM" && Int(n, "input_forget", 0) != 0) throw new OnnxUnsupportedException($"{who}: input_forget");
        var w = Weight(1, "W");
        var r = Weight(2, "R");
        Tensor? b = n.Input.Count > 3 && n.Input[3].Length > 0 ? Weight(3, "B") : null;
        int gates = n.OpType switch { "LSTM" => 4, "GRU" => 3, _ => 1 };
        if (w.Rank != 3 || w.Shape[0] != 1 || w.Shape[1] % gates != 0)
            throw new OnnxFormatException($"{who}: W has shape ({string.Join("x", w.Shape)}), expected (1 x {gates}·hidden x input)");
        int h = w.Shape[1] / gates, input = w.Shape[2];
        if (Int(n, "hidden_size", h) != h) throw new OnnxFormatException($"{who}: hidden_size {Int(n, "hidden_size", h)} does not match W ({string.Join("x", w.Shape)})");
        if (r.Rank != 3 || r.Shape[0] != 1 || r.Shape[1] != gates * h || r.Shape[2] != h)
            throw new OnnxFormatException($"{who}: R has shape ({string.Join("x", r.Shape)}), expected (1 x {gates * h} x {h})");
        if (b is not null && b.Numel != 2 * gates * h) throw new OnnxFormatException($"{who}: B has {b.Numel} values, expected {2 * gates * h}");
        int[] order = OnnxExporter.Inverse(OnnxExporter.GateOrder(n.OpType)); // block k of the Pitts layer is block order[k] of the ONNX weights
        RecurrentLayer layer;
        switch (n.OpType)
        {
            case "LSTM":
                CheckActivations(n, who, ["Sigmoid", "Tanh", "Tanh"]);
                layer = new Lstm(input, h, 1, bias: true, batchFirst: false);
                break;
            case "GRU":
                CheckActivations(n, who, ["Sigmoid", "Tanh"]);
                if (Int(n, "linear_before_reset", 0) != 1)
                    throw new OnnxUnsupportedException($"{who}: linear_before_reset 0 (Pitts, like PyTorch, computes r⊙(W_hn·h + b_hn), linear_before_reset 1)");
                layer = new Gru(input, h, 1, bias: true, batchFirst: false);
                break;
            default:
                var acts = A(n, "activations")?.Strings.Select(s => s.ToStringUtf8()).ToArray() ?? ["Tanh"];
                if (acts.Length != 1 || acts[0] is not ("Tanh" or "Relu")) throw new OnnxUnsupportedException($"{who}: activations {string.Join(",", acts)} (Pitts runs Tanh or Relu)");
                layer = new Rnn(input, h, 1, acts[0] == "Tanh" ? RnnNonlinearity.Tanh : RnnNonlinearity.Relu, bias: true, batchFirst: false);
                break;
        }
        var p = layer.NamedParameters().ToDictionary(q => q.Name, q => q.Parameter);
        OnnxExporter.Reorder(w.ToArray(), order, h, input).CopyTo(p["weight_ih_l0"].AsSpan());
        OnnxExporter.Reorder(r.ToArray(), order, h, h).CopyTo(p["weight_hh_l0"].AsSpan());
        var bs = b?.ToArray() ?? new float[2 * gates * h];
        OnnxExporter.Reorder(bs[..(gates * h)], order, h, 1).CopyTo(p["bias_ih_l0"].AsSpan());
        OnnxExporter.Reorder(bs[(gates * h)..], order, h, 1).CopyTo(p["bias_hh_l0"].AsSpan());
        return layer;
    }

    private static void CheckActivations(NodeProto n, string who, string[] defaults)
    {
        var acts = A(n, "activations")?.Strings.Select(s => s.ToStringUtf8()).ToArray();
        if (acts is not null && !acts.SequenceEqual(defaults, StringComparer.OrdinalIgnoreCase))
            throw new OnnxUnsupportedException($"{who}: activations {string.Join(",", acts)} (Pitts runs the defaults {string.Join(",", defaults)})");
    }

    private static OnnxValue?[] RunRecurrent(NodeProto n, OnnxValue?[] x, RecurrentLayer layer)
    {
        var input = x[0]!.AsFloat(); // (T, N, F)
        Tensor? Opt(int i) => x.Length > i && x[i] is not null ? x[i]!.AsFloat() : null;
        var h0 = Opt(5);
        switch (layer)
        {
            case Lstm lstm:
                {
                    var c0 = Opt(6);
                    (Tensor H, Tensor C)? state = h0 is null && c0 is null ? null
                        : (h0 ?? Tensor.Zeros(1, input.Shape[1], lstm.HiddenSize), c0 ?? Tensor.Zeros(1, input.Shape[1], lstm.HiddenSize));
                    var (y, (h, c)) = lstm.Forward(input, state);
                    return [OnnxValue.Of(y.Unsqueeze(1)), OnnxValue.Of(h), OnnxValue.Of(c)];
                }
            case Gru gru:
                {
                    var (y, h) = gru.Forward(input, h0);
                    return [OnnxValue.Of(y.Unsqueeze(1)), OnnxValue.Of(h)];
                }
            default:
                {
                    var (y, h) = ((Rnn)layer).Forward(input, h0);
                    return [OnnxValue.Of(y.Unsqueeze(1)), OnnxValue.Of(h)];
                }
        }
    }

    /// <summary>The supported operators as a sorted, comma-separated list (for docs and errors).</summary>
    public static string List() => new StringBuilder().AppendJoin(", ", Arity.Keys.Order(StringComparer.Ordinal)).ToString();
}
