using Google.Protobuf;
using Pitts.NN;
using Pitts.Onnx.Proto;

namespace Pitts.Onnx;

/// <summary>What <see cref="Onnx.Export(Module, Tensor, string, OnnxExportOptions?)"/> writes around the module.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The graph input's name.</summary>
    public string InputName { get; init; } = "input";

    /// <summary>The graph output's name.</summary>
    public string OutputName { get; init; } = "output";

    /// <summary>An optional mean subtracted from the input before the module (broadcast against one sample's shape), as <c>pitts predict</c> does.</summary>
    public Tensor? InputMean { get; init; }

    /// <summary>An optional standard deviation that divides the input after <see cref="InputMean"/> is subtracted.</summary>
    public Tensor? InputStd { get; init; }

    /// <summary>When set, a second output of this name holds softmax(output) over dimension 1 (class probabilities of a classifier).</summary>
    public string? ProbabilitiesName { get; init; }

    /// <summary>Free text stored as the model's doc string (e.g. the model description).</summary>
    public string? DocString { get; init; }
}

/// <summary>
/// ONNX interop: <see cref="Export(Module, Tensor, string, OnnxExportOptions?)"/> writes a module as an opset-17 ONNX
/// file with a dynamic batch axis, for ONNX Runtime and other engines; <see cref="Load(string)"/> reads an ONNX file (one
/// exported here or by <c>torch.onnx.export</c>) into a differentiable Pitts <see cref="Module"/>.
/// </summary>
public static class Onnx
{
    /// <summary>The ONNX operator set version the exporter writes.</summary>
    public const int Opset = OnnxGraphBuilder.Opset;

    /// <summary>
    /// Writes <paramref name="module"/> (put in evaluation mode) to <paramref name="path"/> as ONNX, tracing its layers with
    /// <paramref name="exampleInput"/>, whose first dimension is the batch and becomes the dynamic axis "batch".
    /// Throws <see cref="OnnxExportException"/> naming the first module that has no ONNX form, or the file when it cannot
    /// be written; the file is written through a temporary beside it, so a failed write leaves no partial file.
    /// </summary>
    public static void Export(Module module, Tensor exampleInput, string path, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(exampleInput);
        ArgumentNullException.ThrowIfNull(path);
        var model = ToModel(module, exampleInput, options ?? new OnnxExportOptions());
        // A temporary beside the target, flushed and renamed (removed if the write fails); an I/O failure names the file.
        IO.AtomicFile.Write(path, model.WriteTo, msg => new OnnxExportException($"Onnx.Export: {msg}"));
    }

    /// <summary>Writes <paramref name="module"/> as ONNX for inputs of <paramref name="inputShape"/>, whose first dimension is the (dynamic) batch.</summary>
    public static void Export(Module module, int[] inputShape, string path, OnnxExportOptions? options = null) =>
        Export(module, Tensor.Zeros(inputShape), path, options);

    /// <summary>The ONNX model bytes of <paramref name="module"/>, as <see cref="Export(Module, Tensor, string, OnnxExportOptions?)"/> would write them.</summary>
    public static byte[] ExportToBytes(Module module, Tensor exampleInput, OnnxExportOptions? options = null) =>
        ToModel(module, exampleInput, options ?? new OnnxExportOptions()).ToByteArray();

    /// <summary>
    /// Reads the ONNX file at <paramref name="path"/> into a module that runs its graph with Pitts ops (differentiable,
    /// so it can be fine-tuned). A malformed or hostile file raises <see cref="OnnxFormatException"/>, an operator Pitts
    /// does not run <see cref="OnnxUnsupportedException"/>; declared sizes are checked against the file's length
    /// before anything is allocated.
    /// </summary>
    public static OnnxModule Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return OnnxReader.Load(path);
    }

    /// <summary>Reads an ONNX model from bytes in memory, with the checks of <see cref="Load(string)"/>.</summary>
    public static OnnxModule Load(byte[] bytes, string name = "model.onnx")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return OnnxReader.FromBytes(bytes, name);
    }

    /// <summary>The ONNX operators <see cref="Load(string)"/> runs.</summary>
    public static IReadOnlyCollection<string> SupportedOperators => OnnxOps.Supported;

    private static ModelProto ToModel(Module module, Tensor exampleInput, OnnxExportOptions options)
    {
        if (exampleInput.Rank == 0)
            throw new OnnxExportException("Onnx.Export: the example input needs a batch dimension (its dimension 0)");
        var modes = module.NamedModules().Select(m => (m.Module, m.Module.Training)).ToList();
        module.Eval();
        var g = new OnnxGraphBuilder();
        try
        {
            using var _ = Autograd.NoGrad();
            string input = g.Fresh(options.InputName);
            var x = new OnnxExporter.V(input, exampleInput);
            if (options.InputMean is not null || options.InputStd is not null)
            {
                if (options.InputMean is null || options.InputStd is null)
                    throw new OnnxExportException("Onnx.Export: InputMean and InputStd must be given together");
                var sub = g.Node("Sub", "standardize", [x.Name, g.Const("input_mean", options.InputMean.ToArray(), [.. options.InputMean.Shape])]);
                x = new(g.Node("Div", "standardize", [sub, g.Const("input_std", options.InputStd.ToArray(), [.. options.InputStd.Shape])]), (exampleInput - options.InputMean) / options.InputStd);
            }
            var y = new OnnxExporter(g).Emit(module, "", x);
            string output = g.Fresh(options.OutputName);
            g.Nodes.Add(new NodeProto { OpType = "Identity", Name = g.Fresh("node:output"), Input = { y.Name }, Output = { output } });
            var graph = new GraphProto { Name = module.GetType().Name };
            graph.Input.Add(OnnxGraphBuilder.BatchedFloat(input, exampleInput.Shape));
            graph.Output.Add(OnnxGraphBuilder.BatchedFloat(output, y.Value.Shape));
            if (options.ProbabilitiesName is { } probabilities)
            {
                if (y.Value.Rank != 2) throw new OnnxExportException($"Onnx.Export: a probabilities output needs (batch x classes) outputs, got {string.Join("x", y.Value.Shape)}");
                string p = g.Fresh(probabilities);
                g.Nodes.Add(new NodeProto { OpType = "Softmax", Name = g.Fresh("node:probabilities"), Input = { output }, Output = { p }, Attribute = { OnnxGraphBuilder.Attr("axis", 1L) } });
                graph.Output.Add(OnnxGraphBuilder.BatchedFloat(p, y.Value.Shape));
            }
            graph.Node.AddRange(g.Nodes);
            graph.Initializer.AddRange(g.Initializers);
            var model = new ModelProto
            {
                IrVersion = OnnxGraphBuilder.IrVersion,
                ProducerName = "Pitts",
                ProducerVersion = typeof(Onnx).Assembly.GetName().Version?.ToString() ?? "0",
                Graph = graph,
                DocString = options.DocString ?? "",
            };
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxGraphBuilder.Opset });
            return model;
        }
        finally
        {
            foreach (var (m, mode) in modes) m.Train(mode);
        }
    }
}
