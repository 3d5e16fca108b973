using Pitts.Models;
using Pitts.NN;
using Pitts.Onnx.Proto;
using static Pitts.Onnx.OnnxGraphBuilder;

namespace Pitts.Onnx;

/// <summary>
/// Writes a Pitts module as ONNX nodes by walking its layers: each layer becomes the ONNX operators that compute the
/// same function, and the example input is run through the Pitts layers alongside, so every reshape knows its sizes.
/// The batch axis (dimension 0) is never written into a shape: reshapes copy it with 0.
/// </summary>
internal sealed class OnnxExporter(OnnxGraphBuilder g)
{
    /// <summary>A value of the graph: its name and the Pitts value it has for the example input.</summary>
    internal readonly record struct V(string Name, Tensor Value);

    public V Emit(Module m, string scope, V x)
    {
        switch (m)
        {
            case Sequential s:
                foreach (var (name, child) in s.NamedChildren()) x = Emit(child, Join(scope, name), x);
                return x;
            case Linear l: return EmitLinear(scope, x, l.Weight, l.Bias, scope);
            case Relu: return Unary("Relu", scope, x, m);
            case Sigmoid: return Unary("Sigmoid", scope, x, m);
            case Tanh: return Unary("Tanh", scope, x, m);
            case Softplus: return Unary("Softplus", scope, x, m);
            case LeakyRelu lr: return Unary("LeakyRelu", scope, x, m, Attr("alpha", lr.NegativeSlope));
            case Elu e: return Unary("Elu", scope, x, m, Attr("alpha", e.Alpha));
            case Softmax sm: return Unary("Softmax", scope, x, m, Attr("axis", (long)sm.Dim));
            case LogSoftmax ls: return Unary("LogSoftmax", scope, x, m, Attr("axis", (long)ls.Dim));
            case Gelu: return EmitGelu(scope, x, m);
            case Identity or Dropout: return x; // Dropout is the identity at inference
            case Flatten f: return EmitFlatten(scope, x, f.StartDim, f.EndDim, m);
            case Conv2d c: return EmitConv(scope, x, c);
            case MaxPool2d p:
                return Unary("MaxPool", scope, x, m, Attr("kernel_shape", p.KernelSize, p.KernelSize), Attr("strides", p.Stride, p.Stride),
                    Attr("pads", p.Padding, p.Padding, p.Padding, p.Padding), Attr("dilations", p.Dilation, p.Dilation));
            case AvgPool2d p:
                return Unary("AveragePool", scope, x, m, Attr("kernel_shape", p.KernelSize, p.KernelSize), Attr("strides", p.Stride, p.Stride),
                    Attr("pads", p.Padding, p.Padding, p.Padding, p.Padding), Attr("count_include_pad", p.CountIncludePad ? 1L : 0L));
            case BatchNorm bn: return EmitBatchNorm(scope, x, bn);
            case LayerNorm ln: return EmitLayerNorm(scope, x, ln);
            case Embedding e: return EmitEmbedding(scope, x, e);
            case RecurrentLayer r: return EmitRecurrent(scope, x, r).Output;
            case MultiheadAttention a: return EmitSelfAttention(scope, x, a);
            case TransformerEncoderLayer t: return EmitEncoderLayer(scope, x, t);
            case TransformerEncoder te:
                foreach (var (name, layer) in te.Layers.NamedChildren()) x = Emit(layer, Join(scope, "layers." + name), x);
                return te.Norm is null ? x : Emit(te.Norm, Join(scope, "norm"), x);
            case Autoencoder ae: return EmitAutoencoder(scope, x, ae);
            case ZooLinear zl: return EmitZooLinear(scope, x, zl);
            case ZooRecurrent zr: return EmitZooRecurrent(scope, x, zr);
            case ZooTransformer zt: return EmitZooTransformer(scope, x, zt);
            default:
                throw new OnnxExportException($"Onnx.Export: module '{(scope.Length == 0 ? "(root)" : scope)}' of type {m.GetType().Name} has no ONNX form; supported: Sequential, Linear, ReLU, Sigmoid, Tanh, GELU, LeakyReLU, ELU, Softplus, Softmax, LogSoftmax, Identity, Dropout, Flatten, Conv2d, MaxPool2d, AvgPool2d, BatchNorm1d/2d, LayerNorm, Embedding, RNN, LSTM, GRU, MultiheadAttention, TransformerEncoderLayer, TransformerEncoder, Autoencoder and the zoo models");
        }
    }

    private static string Join(string scope, string name) => scope.Length == 0 ? name : scope + "." + name;

    private V Unary(string op, string scope, V x, Module m, params AttributeProto[] attributes) =>
        new(g.Node(op, scope, [x.Name], attributes), m.Forward(x.Value));

    /// <summary>y = x·Wᵀ + b: Gemm for (N, in); for (N, …, in) a reshape to (N·…, in) around the Gemm, so the import runs one Linear as Pitts does.</summary>
    private V EmitLinear(string scope, V x, Tensor weight, Tensor? bias, string paramScope)
    {
        string w = g.Init(Join(paramScope, "weight"), weight);
        string[] inputs = bias is null ? [x.Name, w] : [x.Name, w, g.Init(Join(paramScope, "bias"), bias)];
        var y = Tensor.Linear(x.Value, weight, bias);
        if (x.Value.Rank == 2) return new(g.Node("Gemm", scope, inputs, Attr("transB", 1L)), y);
        var flat = g.Node("Reshape", scope, [x.Name, g.Ints("shape", [-1, weight.Shape[1]])]);
        inputs[0] = flat;
        var gemm = g.Node("Gemm", scope, inputs, Attr("transB", 1L));
        // Back to (N, …, out): -1 recovers the batch (Reshape's 0 would copy N·…, the flat input's dimension 0).
        long[] back = [-1, .. x.Value.Shape.Skip(1).SkipLast(1).Select(d => (long)d), weight.Shape[0]];
        return new(g.Node("Reshape", scope, [gemm, g.Ints("shape", back)]), y);
    }

    /// <summary>GELU(x) = x·½(1 + erf(x/√2)), the form PyTorch writes for opset 17 (which has no Gelu operator).</summary>
    private V EmitGelu(string scope, V x, Module m)
    {
        var d = g.Node("Div", scope, [x.Name, g.Const("sqrt2", [MathF.Sqrt(2f)], [])]);
        var e = g.Node("Erf", scope, [d]);
        var a = g.Node("Add", scope, [e, g.Const("one", [1f], [])]);
        var mul = g.Node("Mul", scope, [x.Name, a]);
        return new(g.Node("Mul", scope, [mul, g.Const("half", [0.5f], [])]), m.Forward(x.Value));
    }

    private V EmitFlatten(string scope, V x, int startDim, int endDim, Module? m)
    {
        int rank = x.Value.Rank;
        int a = startDim < 0 ? startDim + rank : startDim, b = endDim < 0 ? endDim + rank : endDim;
        var y = m is null ? x.Value.Flatten(startDim, endDim) : m.Forward(x.Value);
        if (a == 1 && b == rank - 1) return new(g.Node("Flatten", scope, [x.Name], Attr("axis", 1L)), y);
        return Reshape(scope, new(x.Name, x.Value), y);
    }

    /// <summary>A reshape of <paramref name="x"/> to <paramref name="y"/>'s shape that keeps the batch dimension dynamic.</summary>
    private V Reshape(string scope, V x, Tensor y)
    {
        bool batchKept = y.Rank > 0 && x.Value.Rank > 0 && y.Shape[0] == x.Value.Shape[0];
        long[] shape = [.. y.Shape.Select(d => (long)d)];
        if (batchKept) shape[0] = 0;
        else throw new OnnxExportException($"Onnx.Export: '{scope}' reshapes {ModelSpec.Show([.. x.Value.Shape])} to {ModelSpec.Show([.. y.Shape])}, which merges the batch dimension");
        return new(g.Node("Reshape", scope, [x.Name, g.Ints("shape", shape)]), y);
    }

    private V EmitConv(string scope, V x, Conv2d c)
    {
        string w = g.Init(Join(scope, "weight"), c.Weight);
        string[] inputs = c.Bias is null ? [x.Name, w] : [x.Name, w, g.Init(Join(scope, "bias"), c.Bias)];
        return new(g.Node("Conv", scope, inputs,
            Attr("kernel_shape", c.Weight.Shape[2], c.Weight.Shape[3]), Attr("strides", c.Stride.H, c.Stride.W),
            Attr("pads", c.Padding.H, c.Padding.W, c.Padding.H, c.Padding.W), Attr("dilations", c.Dilation.H, c.Dilation.W)), c.Forward(x.Value));
    }

    private V EmitBatchNorm(string scope, V x, BatchNorm bn)
    {
        int n = bn.NumFeatures;
        string scale = bn.Weight is null ? g.Init(Join(scope, "weight"), Enumerable.Repeat(1f, n).ToArray(), [n]) : g.Init(Join(scope, "weight"), bn.Weight);
        string bias = bn.Bias is null ? g.Init(Join(scope, "bias"), new float[n], [n]) : g.Init(Join(scope, "bias"), bn.Bias);
        string mean = g.Init(Join(scope, "running_mean"), bn.RunningMean), var = g.Init(Join(scope, "running_var"), bn.RunningVar);
        // ONNX's momentum weighs the old statistic, PyTorch's the new one; it matters only in training mode.
        return new(g.Node("BatchNormalization", scope, [x.Name, scale, bias, mean, var], Attr("epsilon", bn.Eps), Attr("momentum", 1f - bn.Momentum)), bn.Forward(x.Value));
    }

    private V EmitLayerNorm(string scope, V x, LayerNorm ln)
    {
        int[] shape = [.. ln.NormalizedShape];
        int d = shape.Aggregate(1, (a, b) => a * b);
        string scale = ln.Weight is null ? g.Init(Join(scope, "weight"), Enumerable.Repeat(1f, d).ToArray(), shape) : g.Init(Join(scope, "weight"), ln.Weight);
        string bias = ln.Bias is null ? g.Init(Join(scope, "bias"), new float[d], shape) : g.Init(Join(scope, "bias"), ln.Bias);
        return new(g.Node("LayerNormalization", scope, [x.Name, scale, bias], Attr("axis", (long)-shape.Length), Attr("epsilon", ln.Eps)), ln.Forward(x.Value));
    }

    private V EmitEmbedding(string scope, V x, Embedding e)
    {
        var idx = g.Node("Cast", scope, [x.Name], Attr("to", (long)TensorProto.Types.DataType.Int64));
        return new(g.Node("Gather", scope, [g.Init(Join(scope, "weight"), e.Weight), idx], Attr("axis", 0L)), e.Forward(x.Value));
    }

    /// <summary>
    /// One ONNX RNN/LSTM/GRU node per layer, on (T, N, F) (a transpose on each side for batch-first). Gate blocks are
    /// re-ordered from PyTorch's (LSTM i, f, g, o; GRU r, z, n) to ONNX's (LSTM i, o, f, c; GRU z, r, h), and the
    /// GRU uses linear_before_reset = 1, PyTorch's r⊙(W_hn·h + b_hn).
    /// </summary>
    internal (V Output, int Steps) EmitRecurrent(string scope, V x, RecurrentLayer r)
    {
        var y = r.Forward(x.Value);
        string op = r switch
        {
            Lstm => "LSTM",
            Gru => "GRU",
            Rnn => "RNN",
            _ => throw new OnnxExportException($"Onnx.Export: recurrent module '{scope}' of type {r.GetType().Name} has no ONNX form"),
        };
        var order = GateOrder(op);
        var parameters = r.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        int h = r.HiddenSize;
        string cur = r.BatchFirst ? g.Node("Transpose", scope, [x.Name], Attr("perm", 1L, 0L, 2L)) : x.Name; // (T, N, F)
        for (int l = 0; l < r.NumLayers; l++)
        {
            var wih = r.WeightIh(l);
            var whh = r.WeightHh(l);
            string w = g.Init(Join(scope, $"W_l{l}"), Reorder(wih.ToArray(), order, h, wih.Shape[1]), [1, order.Length * h, wih.Shape[1]]);
            string rr = g.Init(Join(scope, $"R_l{l}"), Reorder(whh.ToArray(), order, h, h), [1, order.Length * h, h]);
            var bi = parameters.GetValueOrDefault($"bias_ih_l{l}")?.ToArray() ?? new float[order.Length * h];
            var bh = parameters.GetValueOrDefault($"bias_hh_l{l}")?.ToArray() ?? new float[order.Length * h];
            string b = g.Init(Join(scope, $"B_l{l}"), [.. Reorder(bi, order, h, 1), .. Reorder(bh, order, h, 1)], [1, 2 * order.Length * h]);
            var attrs = new List<AttributeProto> { Attr("hidden_size", (long)h) };
            if (r is Gru) attrs.Add(Attr("linear_before_reset", 1L));
            if (r is Rnn rnn) attrs.Add(Attr("activations", rnn.Nonlinearity == RnnNonlinearity.Tanh ? "Tanh" : "Relu"));
            var outs = g.NodeMulti(op, scope, [cur, w, rr, b], 1, [.. attrs]); // Y: (T, 1, N, H)
            cur = g.Node("Squeeze", scope, [outs[0], g.Ints("axes", [1])]); // (T, N, H)
        }
        if (r.BatchFirst) cur = g.Node("Transpose", scope, [cur], Attr("perm", 1L, 0L, 2L));
        return (new(cur, y), x.Value.Shape[r.BatchFirst ? 1 : 0]);
    }

    /// <summary>
    /// The gate blocks of an ONNX recurrent operator in terms of the Pitts (PyTorch) layer's: ONNX block k is Pitts block
    /// order[k]. LSTM: ONNX i, o, f, c from Pitts i, f, g, o; GRU: ONNX z, r, h from Pitts r, z, n; RNN: one block.
    /// </summary>
    internal static int[] GateOrder(string op) => op switch
    {
        "LSTM" => [0, 3, 1, 2],
        "GRU" => [1, 0, 2],
        _ => [0],
    };

    /// <summary>The inverse permutation (inverse[order[k]] = k): re-ordering with it undoes a re-ordering with <paramref name="order"/>.</summary>
    internal static int[] Inverse(int[] order)
    {
        var inverse = new int[order.Length];
        for (int k = 0; k < order.Length; k++) inverse[order[k]] = k;
        return inverse;
    }

    /// <summary>Re-orders the gate blocks (rows of <paramref name="h"/>·<paramref name="cols"/> values) so block k of the result is block order[k] of the input.</summary>
    internal static float[] Reorder(float[] values, int[] order, int h, int cols)
    {
        var r = new float[values.Length];
        int block = h * cols;
        for (int k = 0; k < order.Length; k++) Array.Copy(values, order[k] * block, r, k * block, block);
        return r;
    }

    /// <summary>Self-attention written out op by op: per-head softmax(Q·Kᵀ/√d)·V, heads merged, output projection.</summary>
    private V EmitSelfAttention(string scope, V x, MultiheadAttention a)
    {
        var y = a.Forward(x.Value);
        var xin = x;
        if (!a.BatchFirst)
            xin = new(g.Node("Transpose", scope, [x.Name], Attr("perm", 1L, 0L, 2L)), x.Value.Transpose(0, 1));
        int e = a.EmbedDim, heads = a.NumHeads, d = e / heads, l = xin.Value.Shape[1];
        V Project(int i, string what)
        {
            var w = a.InProjWeight.Narrow(0, i * e, e);
            var b = a.InProjBias?.Narrow(0, i * e, e);
            return EmitLinear(scope, xin, w, b, Join(scope, "in_proj_" + what));
        }
        var q = Project(0, "q"); var k = Project(1, "k"); var v = Project(2, "v");
        string Heads(V t, long[] perm) =>
            g.Node("Transpose", scope, [g.Node("Reshape", scope, [t.Name, g.Ints("shape", [0, l, heads, d])])], Attr("perm", perm));
        var qh = Heads(q, [0, 2, 1, 3]);   // (N, H, L, D)
        var kh = Heads(k, [0, 2, 3, 1]);   // (N, H, D, L)
        var vh = Heads(v, [0, 2, 1, 3]);   // (N, H, L, D)
        var scores = g.Node("MatMul", scope, [g.Node("Div", scope, [qh, g.Const("sqrt_d", [MathF.Sqrt(d)], [])]), kh]); // (N, H, L, L)
        var weights = g.Node("Softmax", scope, [scores], Attr("axis", -1L));
        var o = g.Node("MatMul", scope, [weights, vh]); // (N, H, L, D)
        o = g.Node("Reshape", scope, [g.Node("Transpose", scope, [o], Attr("perm", 0L, 2L, 1L, 3L)), g.Ints("shape", [0, l, e])]); // (N, L, E)
        var merged = a.BatchFirst ? y : y.Transpose(0, 1);
        var outp = EmitLinear(scope, new(o, merged), a.OutProj.Weight, a.OutProj.Bias, Join(scope, "out_proj"));
        if (!a.BatchFirst) return new(g.Node("Transpose", scope, [outp.Name], Attr("perm", 1L, 0L, 2L)), y);
        return new(outp.Name, y);
    }

    private V Add(string scope, V a, V b) => new(g.Node("Add", scope, [a.Name, b.Name]), a.Value.Add(b.Value));

    private V EmitEncoderLayer(string scope, V x, TransformerEncoderLayer t)
    {
        var parts = t.NamedChildren().ToDictionary(c => c.Name, c => c.Module);
        var linear1 = (Linear)parts["linear1"];
        var linear2 = (Linear)parts["linear2"];
        var norm1 = (LayerNorm)parts["norm1"];
        var norm2 = (LayerNorm)parts["norm2"];
        V Sa(V v) => EmitSelfAttention(Join(scope, "self_attn"), v, t.SelfAttn);
        V Ff(V v)
        {
            var h = EmitLinear(Join(scope, "linear1"), v, linear1.Weight, linear1.Bias, Join(scope, "linear1"));
            h = new(g.Node("Relu", scope, [h.Name]), h.Value.Relu());
            return EmitLinear(Join(scope, "linear2"), h, linear2.Weight, linear2.Bias, Join(scope, "linear2"));
        }
        V y;
        if (t.NormFirst)
        {
            y = Add(scope, x, Sa(EmitLayerNorm(Join(scope, "norm1"), x, norm1)));
            y = Add(scope, y, Ff(EmitLayerNorm(Join(scope, "norm2"), y, norm2)));
        }
        else
        {
            y = EmitLayerNorm(Join(scope, "norm1"), Add(scope, x, Sa(x)), norm1);
            y = EmitLayerNorm(Join(scope, "norm2"), Add(scope, y, Ff(y)), norm2);
        }
        return y;
    }

    private V EmitAutoencoder(string scope, V x, Autoencoder ae)
    {
        var code = Emit(ae.Encoder, Join(scope, "encoder"), x);
        var flat = Emit(ae.Decoder, Join(scope, "decoder"), code);
        return ae.OutputShape is null ? flat : Reshape(scope, flat, ae.Decode(code.Value));
    }

    private V EmitZooLinear(string scope, V x, ZooLinear zl)
    {
        var f = EmitFlatten(scope, x, 1, -1, null);
        if (zl.Degree > 1)
        {
            var powers = new List<V> { f };
            for (int k = 2; k <= zl.Degree; k++)
                powers.Add(new(g.Node("Mul", scope, [powers[^1].Name, f.Name]), powers[^1].Value * f.Value));
            f = new(g.Node("Concat", scope, [.. powers.Select(p => p.Name)], Attr("axis", 1L)), zl.Features(x.Value));
        }
        return Emit(zl.Fc, Join(scope, "fc"), f);
    }

    private V EmitZooRecurrent(string scope, V x, ZooRecurrent zr)
    {
        string name = zr.NamedChildren().First(c => ReferenceEquals(c.Module, zr.Recurrent)).Name;
        var (seq, steps) = EmitRecurrent(Join(scope, name), x, zr.Recurrent); // (N, T, H)
        var last = new V(g.Node("Gather", scope, [seq.Name, g.Ints("last_step", [steps - 1], [])], Attr("axis", 1L)), seq.Value.Select(1, steps - 1)); // (N, H)
        return Emit(zr.Head, Join(scope, "head"), last);
    }

    private V EmitZooTransformer(string scope, V x, ZooTransformer zt)
    {
        var h = Emit(zt.Embed, Join(scope, "embed"), x); // (N, T, d)
        h = Add(scope, h, new(g.Init(Join(scope, "position"), zt.Position), zt.Position));
        h = Emit(zt.Encoder, Join(scope, "encoder"), h);
        var mean = new V(g.Node("ReduceMean", scope, [h.Name], Attr("axes", new long[] { 1 }), Attr("keepdims", 0L)), h.Value.Mean(1)); // (N, d)
        return Emit(zt.Head, Join(scope, "head"), mean);
    }
}
