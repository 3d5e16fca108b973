using System.Globalization;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Pitts.Onnx.Proto;

namespace Pitts.Onnx;

/// <summary>Collects the nodes and initializers of one ONNX graph, with unique names.</summary>
internal sealed class OnnxGraphBuilder
{
    public const int Opset = 17;
    public const long IrVersion = 8;

    public List<NodeProto> Nodes { get; } = [];
    public List<TensorProto> Initializers { get; } = [];
    private readonly HashSet<string> _names = [];
    private int _counter;

    /// <summary>A fresh value name starting with <paramref name="hint"/>.</summary>
    public string Fresh(string hint)
    {
        string name = hint;
        while (!_names.Add(name)) name = $"{hint}_{++_counter}";
        return name;
    }

    /// <summary>Adds a float initializer holding a copy of <paramref name="t"/>'s values.</summary>
    public string Init(string name, Tensor t) => Init(name, t.ToArray(), [.. t.Shape]);

    /// <summary>Adds a float initializer.</summary>
    public string Init(string name, float[] values, int[] shape)
    {
        var tp = new TensorProto { Name = Fresh(name), DataType = (int)TensorProto.Types.DataType.Float };
        tp.Dims.AddRange(shape.Select(d => (long)d));
        tp.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        Initializers.Add(tp);
        return tp.Name;
    }

    /// <summary>
    /// Adds a float Constant node: a fixed value that is not a weight (the input standardisation, GELU's √2), which
    /// <see cref="Onnx.Load(string)"/> keeps constant instead of making it a trainable parameter.
    /// </summary>
    public string Const(string name, float[] values, int[] shape)
    {
        var tp = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tp.Dims.AddRange(shape.Select(d => (long)d));
        tp.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        string output = Fresh(name);
        Nodes.Add(new NodeProto { OpType = "Constant", Name = Fresh("node:" + name), Output = { output }, Attribute = { new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = tp } } });
        return output;
    }

    /// <summary>Adds an int64 initializer (shapes, axes, indices).</summary>
    public string Ints(string name, long[] values, int[]? shape = null)
    {
        var tp = new TensorProto { Name = Fresh(name), DataType = (int)TensorProto.Types.DataType.Int64 };
        tp.Dims.AddRange((shape ?? [values.Length]).Select(d => (long)d));
        tp.Int64Data.AddRange(values);
        Initializers.Add(tp);
        return tp.Name;
    }

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string Node(string op, string scope, string[] inputs, params AttributeProto[] attributes) =>
        NodeMulti(op, scope, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputs"/> outputs and returns their names.</summary>
    public string[] NodeMulti(string op, string scope, string[] inputs, int outputs, params AttributeProto[] attributes)
    {
        string prefix = (scope.Length == 0 ? "" : scope + "/") + op;
        var node = new NodeProto { OpType = op, Name = Fresh("node:" + prefix) };
        node.Input.AddRange(inputs);
        var outs = new string[outputs];
        for (int i = 0; i < outputs; i++) outs[i] = Fresh(prefix + (outputs == 1 ? "" : "_" + i.ToString(CultureInfo.InvariantCulture)));
        node.Output.AddRange(outs);
        node.Attribute.AddRange(attributes);
        Nodes.Add(node);
        return outs;
    }

    public static AttributeProto Attr(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Attr(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Attr(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Attr(string name, params string[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        a.Strings.AddRange(values.Select(ByteString.CopyFromUtf8));
        return a;
    }

    /// <summary>A float tensor value description whose first dimension is the dynamic "batch" axis.</summary>
    public static ValueInfoProto BatchedFloat(string name, IReadOnlyList<int> shape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() };
        for (int i = 0; i < shape.Count; i++)
            tensor.Shape.Dim.Add(i == 0 ? new TensorShapeProto.Types.Dimension { DimParam = "batch" } : new TensorShapeProto.Types.Dimension { DimValue = shape[i] });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}
