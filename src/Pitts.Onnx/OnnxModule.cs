using System.Text;
using Google.Protobuf;
using Pitts.NN;
using Pitts.Onnx.Proto;

namespace Pitts.Onnx;

/// <summary>
/// An ONNX graph loaded by <see cref="Onnx.Load(string)"/>, run node by node with Pitts ops, so it is differentiable: its float
/// initializers are parameters (BatchNormalization's running statistics are buffers) under their ONNX names, and the
/// recurrent nodes are Pitts <see cref="Rnn"/>, <see cref="Lstm"/> and <see cref="Gru"/> layers. BatchNormalization
/// always uses its stored statistics and Dropout is the identity, as in ONNX inference.
/// </summary>
public sealed class OnnxModule : Module
{
    private readonly List<NodeProto> _nodes;
    private readonly Dictionary<string, OnnxValue> _constants;
    private readonly Dictionary<string, Tensor> _weights = [];
    private readonly Dictionary<NodeProto, RecurrentLayer> _recurrent = new(ReferenceEqualityComparer.Instance);
    private readonly long _fileLength;

    /// <summary>The graph input's name.</summary>
    public string InputName { get; }

    /// <summary>The graph output's name (the first output, the one <see cref="Forward"/> returns).</summary>
    public string OutputName { get; }

    /// <summary>The names of every graph output, in the file's order (<see cref="Forward"/> returns the first).</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>The input shape the file declares, with -1 for a dynamic dimension (such as the batch).</summary>
    public IReadOnlyList<int> InputShape { get; }

    /// <summary>The output shape the file declares, with -1 for a dynamic or unknown dimension.</summary>
    public IReadOnlyList<int> OutputShape { get; }

    /// <summary>The ONNX operator set version of the file.</summary>
    public long Opset { get; }

    /// <summary>The file's producer (e.g. "pytorch" or "Pitts").</summary>
    public string Producer { get; }

    /// <summary>The file's doc string.</summary>
    public string DocString { get; }

    /// <summary>The operators of the graph, in the order they run.</summary>
    public IReadOnlyList<string> OpTypes => _nodes.Select(n => n.OpType).ToList();

    internal OnnxModule(ModelProto model, string file, long fileLength)
    {
        _fileLength = fileLength;
        var graph = model.Graph ?? throw new OnnxFormatException($"{file}: the model has no graph");
        Producer = model.ProducerName ?? "";
        DocString = model.DocString ?? "";
        Opset = 0;
        foreach (var o in model.OpsetImport)
            if (o.Domain is "" or "ai.onnx") Opset = o.Version;
        if (Opset < 13 || Opset > 18)
            throw new OnnxUnsupportedException($"{file}: operator set {Opset} of the default domain; Pitts runs opsets 13 to 18");

        _constants = [];
        var floatInits = new List<(string Name, Tensor Value)>();
        foreach (var t in graph.Initializer)
        {
            if (string.IsNullOrEmpty(t.Name)) throw new OnnxFormatException($"{file}: an initializer has no name");
            if (_constants.ContainsKey(t.Name) || floatInits.Any(f => f.Name == t.Name)) throw new OnnxFormatException($"{file}: initializer '{t.Name}' is defined twice");
            var v = OnnxValue.Decode(t, file, fileLength);
            if (v.Float is not null) floatInits.Add((t.Name, v.Float));
            else _constants[t.Name] = v;
        }
        var initNames = new HashSet<string>(graph.Initializer.Select(t => t.Name));
        var inputs = graph.Input.Where(i => !initNames.Contains(i.Name)).ToList();
        if (inputs.Count != 1)
            throw new OnnxUnsupportedException($"{file}: the graph takes {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => i.Name))}); a Pitts module takes exactly one");
        if (graph.Output.Count == 0) throw new OnnxFormatException($"{file}: the graph has no output");
        InputName = inputs[0].Name;
        OutputName = graph.Output[0].Name;
        OutputNames = [.. graph.Output.Select(o => o.Name)];
        InputShape = ShapeOf(inputs[0]);
        OutputShape = ShapeOf(graph.Output[0]);

        // Constant nodes are decoded now (with the same size checks as initializers), so they run once.
        var nodes = new List<NodeProto>();
        foreach (var n in graph.Node)
        {
            OnnxOps.Validate(n, file);
            if (n.OpType == "Constant") _constants[n.Output[0]] = OnnxOps.ConstantValue(n, file, fileLength);
            else nodes.Add(n);
        }
        var known = new HashSet<string>(_constants.Keys.Concat(floatInits.Select(f => f.Name))) { InputName };
        _nodes = Sort(nodes, known, file);
        if (!known.Contains(OutputName)) throw new OnnxFormatException($"{file}: no node computes the output '{OutputName}'");

        // Recurrent nodes become Pitts layers holding their weights; the rest of the float initializers become
        // parameters (running statistics buffers) under their ONNX names.
        var floats = floatInits.ToDictionary(f => f.Name, f => f.Value);
        var ownedByLayers = new HashSet<string>();
        var buffers = new HashSet<string>();
        int rec = 0;
        foreach (var n in _nodes)
        {
            if (n.OpType is "LSTM" or "GRU" or "RNN")
            {
                var layer = OnnxOps.MakeRecurrent(n, floats, file);
                _recurrent[n] = layer;
                RegisterModule(UniqueName(Sanitize(n.Name.Length > 0 ? n.Name : n.OpType.ToLowerInvariant() + rec)), layer);
                rec++;
                foreach (var i in n.Input.Take(4)) ownedByLayers.Add(i);
            }
            if (n.OpType == "BatchNormalization")
                foreach (var i in n.Input.Skip(3)) buffers.Add(i);
        }
        var used = new HashSet<string>(_nodes.Where(n => !_recurrent.ContainsKey(n)).SelectMany(n => n.Input)) { OutputName };
        foreach (var (name, value) in floatInits)
        {
            if (ownedByLayers.Contains(name) && !used.Contains(name)) continue;
            _weights[name] = value;
            Place(name, value, buffers.Contains(name));
        }
    }

    private static int[] ShapeOf(ValueInfoProto v)
    {
        var dims = v.Type?.TensorType?.Shape?.Dim;
        if (dims is null) return [];
        return [.. dims.Select(d => d.HasDimValue && d.DimValue is > 0 and <= int.MaxValue ? (int)d.DimValue : -1)];
    }

    /// <summary>Orders the nodes so each runs after the nodes it reads from (Kahn's algorithm); a cycle or an undefined input is an error.</summary>
    private static List<NodeProto> Sort(List<NodeProto> nodes, HashSet<string> known, string file)
    {
        var producer = new Dictionary<string, int>();
        for (int i = 0; i < nodes.Count; i++)
            foreach (var o in nodes[i].Output)
            {
                if (o.Length == 0) continue;
                if (known.Contains(o) || !producer.TryAdd(o, i))
                    throw new OnnxFormatException($"{file}: value '{o}' is produced twice (node '{nodes[i].Name}' {nodes[i].OpType})");
            }
        var waiting = new int[nodes.Count];
        var readers = new List<int>[nodes.Count];
        for (int i = 0; i < nodes.Count; i++) readers[i] = [];
        for (int i = 0; i < nodes.Count; i++)
            foreach (var input in nodes[i].Input)
            {
                if (input.Length == 0 || known.Contains(input)) continue;
                if (!producer.TryGetValue(input, out int p))
                    throw new OnnxFormatException($"{file}: node '{nodes[i].Name}' ({nodes[i].OpType}) reads '{input}', which no node, initializer or input defines");
                waiting[i]++;
                readers[p].Add(i);
            }
        var ready = new Queue<int>(Enumerable.Range(0, nodes.Count).Where(i => waiting[i] == 0));
        var order = new List<NodeProto>(nodes.Count);
        while (ready.Count > 0)
        {
            int i = ready.Dequeue();
            order.Add(nodes[i]);
            foreach (var o in nodes[i].Output) if (o.Length > 0) known.Add(o);
            foreach (int r in readers[i])
                if (--waiting[r] == 0) ready.Enqueue(r);
        }
        if (order.Count != nodes.Count)
        {
            var stuck = nodes[Array.FindIndex(waiting, w => w > 0)];
            throw new OnnxFormatException($"{file}: the graph has a cycle through node '{stuck.Name}' ({stuck.OpType})");
        }
        return order;
    }

    private static string Sanitize(string name)
    {
        var sb = new StringBuilder();
        foreach (char c in name) sb.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
        return sb.Length == 0 ? "_" : sb.ToString();
    }

    private readonly HashSet<string> _rootNames = [];

    private string UniqueName(string name)
    {
        string n = name;
        for (int i = 1; !_rootNames.Add(n); i++) n = $"{name}_{i}";
        return n;
    }

    /// <summary>Registers an initializer under its dotted ONNX name (e.g. <c>fc1.weight</c> in a group <c>fc1</c>), or flattened when the name cannot nest.</summary>
    private void Place(string name, Tensor value, bool buffer)
    {
        var parts = name.Split('.');
        if (parts.Length > 1 && parts.All(p => p.Length > 0) && TryPlaceNested(parts, value, buffer)) return;
        string flat = UniqueName(name.Replace('.', '_'));
        if (buffer) RegisterBuffer(flat, value);
        else RegisterParameter(flat, value);
    }

    private readonly Dictionary<string, ParameterGroup> _groups = [];

    private bool TryPlaceNested(string[] parts, Tensor value, bool buffer)
    {
        if (!_groups.TryGetValue(parts[0], out var group))
        {
            if (_rootNames.Contains(parts[0])) return false;
            _rootNames.Add(parts[0]);
            group = RegisterModule(parts[0], new ParameterGroup());
            _groups[parts[0]] = group;
        }
        return group.TryAdd(parts.AsSpan(1), value, buffer);
    }

    /// <summary>Runs the graph on <paramref name="input"/> and returns its first output.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var env = new Dictionary<string, OnnxValue>(_constants);
        foreach (var (k, v) in _weights) env[k] = OnnxValue.Of(v);
        env[InputName] = OnnxValue.Of(input);
        var ctx = new OnnxOps.Context(Math.Max(1L << 22, 16 * (_fileLength + input.Numel)), _recurrent);
        foreach (var n in _nodes)
        {
            var args = n.Input.Select(i => i.Length > 0 && env.TryGetValue(i, out var v) ? v : null).ToArray(); // a recurrent node's weights live in its layer
            OnnxValue?[] outs;
            try { outs = OnnxOps.Run(n, args, ctx); }
            catch (ShapeException e) { throw new ShapeException($"ONNX node '{n.Name}' ({n.OpType}): {e.Message}"); }
            for (int i = 0; i < n.Output.Count && i < outs.Length; i++)
                if (n.Output[i].Length > 0 && outs[i] is not null) env[n.Output[i]] = outs[i]!;
        }
        return env[OutputName].AsFloat();
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"{_nodes.Count} nodes, opset {Opset}, producer '{Producer}'";
}

/// <summary>Holds the initializers whose ONNX names share a dotted prefix, so state-dict keys keep those names.</summary>
internal sealed class ParameterGroup : Module
{
    private readonly Dictionary<string, ParameterGroup> _groups = [];
    private readonly HashSet<string> _names = [];

    public bool TryAdd(ReadOnlySpan<string> parts, Tensor value, bool buffer)
    {
        if (parts.Length == 1)
        {
            if (!_names.Add(parts[0])) return false;
            if (buffer) RegisterBuffer(parts[0], value);
            else RegisterParameter(parts[0], value);
            return true;
        }
        if (!_groups.TryGetValue(parts[0], out var g))
        {
            if (!_names.Add(parts[0])) return false;
            g = RegisterModule(parts[0], new ParameterGroup());
            _groups[parts[0]] = g;
        }
        return g.TryAdd(parts[1..], value, buffer);
    }

    public override Tensor Forward(Tensor input) => throw new PittsException("ParameterGroup holds weights of an ONNX graph and has no Forward");
}

/// <summary>Reads ONNX files with the checks a hostile file needs.</summary>
internal static class OnnxReader
{
    /// <summary>The largest file read (protobuf's own limit is 2 GiB).</summary>
    public const long MaxFileBytes = int.MaxValue;

    public static OnnxModule Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new OnnxFormatException($"{path}: file not found");
        if (info.Length > MaxFileBytes) throw new OnnxFormatException($"{path}: {info.Length} bytes is more than the 2 GiB a protobuf file can hold");
        var bytes = File.ReadAllBytes(path);
        return FromBytes(bytes, Path.GetFileName(path));
    }

    public static OnnxModule FromBytes(byte[] bytes, string name)
    {
        ModelProto model;
        try
        {
            // Every length inside is checked against the bytes that remain, so nothing allocates beyond the file's size.
            var input = new CodedInputStream(bytes);
            model = ModelProto.Parser.ParseFrom(input);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxFormatException($"{name}: not a valid ONNX file (protobuf: {e.Message})", e);
        }
        if (model.Graph is null) throw new OnnxFormatException($"{name}: not an ONNX model (no graph; {bytes.Length} bytes)");
        return new OnnxModule(model, name, bytes.Length);
    }
}
