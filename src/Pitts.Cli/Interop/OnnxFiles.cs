using System.Globalization;
using Pitts.Cli.Commands;
using Pitts.Models;
using Pitts.Onnx;

namespace Pitts.Cli.Interop;

/// <summary><c>pitts summary</c> and <c>pitts predict</c> on an .onnx file: the file is loaded with <see cref="Onnx.Onnx.Load(string)"/>.</summary>
internal static class OnnxFiles
{
    /// <summary>True when <paramref name="path"/> names an ONNX file (by its extension).</summary>
    public static bool IsOnnx(string path) => path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);

    /// <summary>Loads the file, turning a file not found or a format error into a one-line <see cref="UsageException"/>.</summary>
    public static OnnxModule Load(string path)
    {
        if (Directory.Exists(path)) throw new UsageException($"'{path}' is a folder, not an ONNX file");
        if (!File.Exists(path)) throw new UsageException($"file not found: {path}");
        try { return Onnx.Onnx.Load(path); }
        catch (PittsException e) { throw new UsageException(e.Message.Contains(Path.GetFileName(path), StringComparison.Ordinal) ? e.Message : $"{path}: {e.Message}"); }
    }

    /// <summary>
    /// The module and a description for <c>pitts predict</c>: the input shape the file declares (the batch excluded) and,
    /// for a classifier exported by <c>pitts export</c> (it has a <c>probabilities</c> output), the classification task,
    /// so the printed columns match the checkpoint's; any other file prints its first output as values.
    /// </summary>
    public static (OnnxModule Model, ModelSpec Spec) ForPredict(string path)
    {
        var m = Load(path);
        var shape = m.InputShape.Skip(1).ToArray();
        if (m.InputShape.Count < 2 || shape.Any(d => d <= 0))
            throw new UsageException($"{path}: the input '{m.InputName}' has shape ({string.Join("x", m.InputShape.Select(Dim))}); predict needs (batch x fixed sizes)");
        bool classifier = m.OutputNames.Contains("probabilities") && m.OutputShape.Count == 2 && m.OutputShape[1] > 0;
        var spec = new ModelSpec
        {
            Kind = "mlp", // only the input shape and the task are read by predict
            InputShape = shape,
            Task = classifier ? "classification" : "regression",
            Outputs = classifier ? m.OutputShape[1] : 1,
        };
        return (m, spec);
    }

    /// <summary>
    /// The module, a description and no training options for <c>pitts eval</c>, which needs <c>--dataset</c> for an ONNX
    /// file; the task is the data set's (a classifier from <c>pitts export</c> is evaluated as one).
    /// </summary>
    public static (NN.Module, ModelSpec, Training.TrainOptions?, string) ForEval(string path, string? dataset)
    {
        if (dataset is null) throw new UsageException($"{path}: an ONNX file does not say which data it was trained on; pass --dataset");
        var (m, spec) = ForPredict(path);
        return (m, spec, null, $"ONNX model from '{m.Producer}', input ({string.Join("x", m.InputShape.Select(Dim))})");
    }

    /// <summary>
    /// The task <c>pitts eval</c> scores an ONNX file on with <paramref name="data"/>: classification for a classifier
    /// from <c>pitts export</c>; reconstruction when the model's outputs have its inputs' shape and the data's targets
    /// do not fit them (an autoencoder on MNIST); otherwise the data set's task.
    /// </summary>
    public static string EvalTask(OnnxModule m, ModelSpec spec, Training.DataSet data)
    {
        if (spec.Task == "classification") return spec.Task;
        var outShape = m.OutputShape.Skip(1).ToArray();
        bool targetsFit = data.Task == "classification"
            ? outShape.Length == 1 && outShape[0] == data.Outputs
            : data.Y.Shape.Skip(1).SequenceEqual(outShape);
        return !targetsFit && outShape.SequenceEqual(m.InputShape.Skip(1)) ? "reconstruction" : data.Task;
    }

    private static string Dim(int d) => d < 0 ? "?" : d.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes the summary of an ONNX file: producer, opset, inputs and outputs, operators and initializers.</summary>
    public static void Summary(CommandContext ctx, string path)
    {
        var m = Load(path);
        long bytes = new FileInfo(path).Length;
        var ops = m.OpTypes.GroupBy(o => o).Select(g => (Op: g.Key, Count: g.Count())).OrderByDescending(g => g.Count).ThenBy(g => g.Op, StringComparer.Ordinal).ToList();
        var tensors = m.StateDict().ToList();
        if (ctx.Json)
        {
            CommandKit.WriteJson(ctx, j =>
            {
                j.WriteStartObject();
                j.WriteString("file", Path.GetFullPath(path));
                j.WriteNumber("bytes", bytes);
                j.WriteString("format", "onnx");
                j.WriteString("producer", m.Producer);
                j.WriteNumber("opset", m.Opset);
                j.WriteString("input", m.InputName);
                j.WriteStartArray("input_shape");
                foreach (var d in m.InputShape) j.WriteNumberValue(d);
                j.WriteEndArray();
                j.WriteStartArray("outputs");
                foreach (var o in m.OutputNames) j.WriteStringValue(o);
                j.WriteEndArray();
                j.WriteNumber("parameters", m.ParameterCount());
                j.WriteStartObject("operators");
                foreach (var (op, count) in ops) j.WriteNumber(op, count);
                j.WriteEndObject();
                j.WriteStartArray("tensors");
                foreach (var (name, t) in tensors)
                {
                    j.WriteStartObject();
                    j.WriteString("name", name);
                    j.WriteStartArray("shape");
                    foreach (var d in t.Shape) j.WriteNumberValue(d);
                    j.WriteEndArray();
                    j.WriteEndObject();
                }
                j.WriteEndArray();
                j.WriteEndObject();
            });
            return;
        }
        CommandKit.WithWriter(ctx, w =>
        {
            w.WriteLine($"{path}: ONNX, opset {m.Opset}, producer '{m.Producer}', {bytes:N0} bytes");
            if (m.DocString.Length > 0) w.WriteLine($"doc      {m.DocString}");
            w.WriteLine($"input    {m.InputName} ({string.Join("x", m.InputShape.Select(Dim))})");
            w.WriteLine($"outputs  {string.Join(", ", m.OutputNames)}; {m.OutputName} ({string.Join("x", m.OutputShape.Select(Dim))})");
            w.WriteLine($"nodes    {m.OpTypes.Count}: {string.Join(", ", ops.Select(o => $"{o.Op} {o.Count}"))}");
            w.WriteLine();
            int nw = Math.Max(6, tensors.Max(t => (int?)t.Key.Length) ?? 0);
            w.WriteLine($"{"tensor".PadRight(nw)}  {"shape",-16}  {"elements",10}");
            foreach (var (name, t) in tensors)
                w.WriteLine($"{name.PadRight(nw)}  {"(" + string.Join("x", t.Shape) + ")",-16}  {t.Numel,10:N0}");
            w.WriteLine($"{"total".PadRight(nw)}  {"",-16}  {tensors.Sum(t => (long)t.Value.Numel),10:N0}");
            w.WriteLine($"Total params: {m.ParameterCount():N0}");
        });
    }
}
