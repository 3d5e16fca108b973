using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Pitts.Cli.Training;
using Pitts.IO;
using Pitts.Models;

namespace Pitts.Cli.Commands;

/// <summary>pitts summary: the layers, shapes and parameter counts of a saved model, and the tensors of any safetensors file.</summary>
public static class SummaryCommand
{
    /// <summary>Builds the summary command.</summary>
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "A .safetensors file (a Pitts checkpoint or one written by another tool) or an .onnx file" };
        var cmd = new Command("summary", "Show a checkpoint's model (layers, output shapes, parameters) and the tensors of any safetensors file (names, dtypes, shapes)");
        cmd.Arguments.Add(file);
        cmd.WithOutputOptions();
        cmd.SetBody(ctx =>
        {
            string path = ctx.Parse.GetValue(file)!;
            if (Interop.OnnxFiles.IsOnnx(path))
            {
                Interop.OnnxFiles.Summary(ctx, path);
                return CommandKit.ExitOk;
            }
            var header = TrainSession.ReadHeaderOrThrow(path);
            ZooCheckpoint? ck = ZooCheckpoint.HasSpec(header) ? TrainSession.LoadCheckpoint(path) : null;
            var metrics = Metrics(path, header);
            if (ctx.Json) WriteJson(ctx, path, header, ck);
            else CommandKit.WithWriter(ctx, w => WriteText(w, path, header, ck, metrics));
            return CommandKit.ExitOk;
        });
        return cmd;
    }

    // Parsed before anything is printed, so a bad value is one line on stderr and nothing on stdout.
    private static Dictionary<string, SplitMetrics>? Metrics(string path, SafetensorsHeader header)
    {
        if (!header.Metadata.TryGetValue("pitts.metrics", out var metrics)) return null;
        try { return (JsonSerializer.Deserialize<Dictionary<string, SplitMetrics?>>(metrics) ?? []).Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!); }
        catch (JsonException e) { throw new UsageException($"{path}: metadata 'pitts.metrics' is not valid: {e.Message}"); }
    }

    private static void WriteText(TextWriter w, string path, SafetensorsHeader header, ZooCheckpoint? ck, Dictionary<string, SplitMetrics>? metrics)
    {
        w.WriteLine($"{path}: safetensors, {header.Entries.Count} tensors, {Bytes(header.FileLength)}, header {Bytes(header.HeaderLength)}");
        if (ck is not null)
        {
            var spec = ck.Spec;
            w.WriteLine($"model    {spec.Describe()} ({spec.Task}" + (spec.Task == "classification" ? $", {spec.Outputs} classes" : "") + ")");
            var m = ck.Metadata;
            if (CheckpointInfo.Options(m) is { } o)
                w.WriteLine($"trained  {m.GetValueOrDefault("pitts.epoch", "?")} epochs on {o.Dataset} with {o.Optimizer}, lr {o.Lr.ToString("g4", CultureInfo.InvariantCulture)}, batch {o.BatchSize}, seed {o.Seed}");
            if (metrics is { } d)
            {
                w.WriteLine("metrics  " + string.Join(", ", d.Select(kv => $"{kv.Key} loss {ConsoleReporter.Num(kv.Value.Loss)}" +
                    (kv.Value.Accuracy is { } a ? $" accuracy {(a * 100).ToString("0.00", CultureInfo.InvariantCulture)}%" : kv.Value.R2 is { } r2 ? $" R² {r2.ToString("0.0000", CultureInfo.InvariantCulture)}" : ""))));
            }
            w.WriteLine();
            w.Write(ck.Model.Summary([1, .. spec.InputShape]).Replace("\r\n", "\n"));
            w.WriteLine();
        }
        int nw = Math.Max(6, header.Entries.Max(e => (int?)e.Name.Length) ?? 0);
        w.WriteLine($"{"tensor".PadRight(nw)}  {"dtype",-5}  {"shape",-16}  {"elements",10}");
        foreach (var e in header.Entries)
            w.WriteLine($"{e.Name.PadRight(nw)}  {e.Dtype,-5}  {e.ShapeText,-16}  {e.Numel,10:N0}");
        w.WriteLine($"{"total".PadRight(nw)}  {"",-5}  {"",-16}  {header.Entries.Sum(e => e.Numel),10:N0}");
        var other = header.Metadata.Where(kv => !kv.Key.StartsWith("pitts.", StringComparison.Ordinal)).ToList();
        if (other.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("metadata");
            foreach (var (k, v) in other) w.WriteLine($"  {k}: {(v.Length > 100 ? v[..100] + "…" : v)}");
        }
    }

    private static string Bytes(long n) => n < 1024 ? $"{n} B" : n < 1 << 20 ? $"{(n / 1024.0).ToString("0.0", CultureInfo.InvariantCulture)} KiB" : $"{(n / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture)} MiB";

    private static void WriteJson(CommandContext ctx, string path, SafetensorsHeader header, ZooCheckpoint? ck)
    {
        CommandKit.WriteJson(ctx, j =>
        {
            j.WriteStartObject();
            j.WriteString("file", Path.GetFullPath(path));
            j.WriteNumber("bytes", header.FileLength);
            if (ck is not null)
            {
                j.WriteStartObject("model");
                j.WriteString("description", ck.Spec.Describe());
                j.WriteString("kind", ck.Spec.Kind);
                j.WriteString("task", ck.Spec.Task);
                j.WriteNumber("parameters", ck.Model.ParameterCount());
                j.WritePropertyName("spec");
                using (var doc = JsonDocument.Parse(ck.Spec.ToJson())) doc.WriteTo(j);
                j.WriteEndObject();
            }
            j.WriteStartArray("tensors");
            foreach (var e in header.Entries)
            {
                j.WriteStartObject();
                j.WriteString("name", e.Name);
                j.WriteString("dtype", e.Dtype);
                j.WriteStartArray("shape");
                foreach (var d in e.Shape) j.WriteNumberValue(d);
                j.WriteEndArray();
                j.WriteEndObject();
            }
            j.WriteEndArray();
            j.WriteStartObject("metadata");
            foreach (var (k, v) in header.Metadata)
                if (k != ZooCheckpoint.SpecKey && k != "pitts.history") j.WriteString(k, v);
            j.WriteEndObject();
            j.WriteEndObject();
        });
    }
}
