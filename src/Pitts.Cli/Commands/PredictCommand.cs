using System.CommandLine;
using System.Globalization;
using Pitts.Cli.Training;
using Pitts.IO;
using Pitts.Models;

namespace Pitts.Cli.Commands;

/// <summary>pitts predict: a saved model's outputs for new inputs (class and probabilities, or values).</summary>
public static class PredictCommand
{
    /// <summary>Builds the predict command.</summary>
    public static Command Create()
    {
        var checkpoint = new Argument<string>("checkpoint") { Description = "A model saved by 'pitts train --save', or an .onnx file (its first output is printed; a classifier from 'pitts export' prints its probabilities)" };
        var input = new Option<string?>("--input", "-i") { Description = "Inputs: a .csv (one sample per row, no target column) or .npy of shape (N, ...input shape)" };
        var values = new Option<string?>("--values") { Description = "Inputs typed in: samples separated by ';', values by ',', e.g. \"0.5;1.0\" or \"0.1,0.2;0.3,0.4\"" };
        var cmd = new Command("predict", "Run a saved model on new inputs; prints CSV (class, probability, p0..) or JSON; --out Y.npy writes the raw outputs as float32");
        cmd.Arguments.Add(checkpoint);
        cmd.Options.Add(input);
        cmd.Options.Add(values);
        cmd.WithOutputOptions();
        cmd.SetBody(ctx =>
        {
            string path = ctx.Parse.GetValue(checkpoint)!;
            string? file = ctx.Get(input), typed = ctx.Get(values);
            CommandKit.Require(file is not null || typed is not null, "give --input FILE or --values \"...\"");
            CommandKit.Require(file is null || typed is null, "give either --input or --values, not both");
            var (model, spec) = Interop.OnnxFiles.IsOnnx(path) ? Interop.OnnxFiles.ForPredict(path) : Checkpoint(path);
            var x = file is not null ? ReadInputs(file, spec) : ParseValues(typed!, spec);
            var y = Plotting.Figures.Predict(model, spec, x);
            if (ctx.OutPath is { } outPath && outPath.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            {
                WriteNpy(ctx, outPath, y);
                return CommandKit.ExitOk;
            }
            int n = x.Size(0);
            List<string> columns;
            var rows = new List<double[]>();
            if (spec.Task == "classification")
            {
                var p = y.Softmax(1).ToArray();
                int c = y.Size(1);
                columns = ["class", "probability", .. Enumerable.Range(0, c).Select(k => $"p{k}")];
                for (int i = 0; i < n; i++)
                {
                    var pi = p.AsSpan(i * c, c).ToArray();
                    int best = Array.IndexOf(pi, pi.Max());
                    rows.Add([best, pi[best], .. pi.Select(v => (double)v)]);
                }
            }
            else
            {
                var flat = y.Reshape(n, -1);
                int k = flat.Size(1);
                var v = flat.ToArray();
                columns = [.. Enumerable.Range(0, k).Select(j => k == 1 ? "y" : $"y{j}")];
                for (int i = 0; i < n; i++) rows.Add(v.AsSpan(i * k, k).ToArray().Select(a => (double)a).ToArray());
            }
            CommandKit.WriteTable(ctx, columns, rows);
            return CommandKit.ExitOk;
        });
        return cmd;
    }

    /// <summary>--out Y.npy: the raw outputs (logits, values or reconstructions) as float32, shape (N, outputs) or (N, ...input shape).</summary>
    private static void WriteNpy(CommandContext ctx, string outPath, Tensor y)
    {
        CommandKit.Require(!ctx.Json, "--json and --out FILE.npy do not go together (the .npy holds the raw outputs)");
        string full = Path.GetFullPath(outPath);
        CommandKit.RefuseInputAsOutput(ctx, outPath, "--out", CommandKit.OutOption);
        CommandKit.Require(!Directory.Exists(full), $"--out: '{full}' is a folder, not a file");
        string? dir = Path.GetDirectoryName(full);
        CommandKit.Require(dir is null || Directory.Exists(dir), $"--out: folder '{dir}' does not exist");
        Npy.Save(full, y);
        ctx.Error.WriteLine($"wrote {full}");
    }

    private static (NN.Module, ModelSpec) Checkpoint(string path)
    {
        var ck = TrainSession.LoadCheckpoint(path);
        return (ck.Model, ck.Spec);
    }

    private static Tensor Shape(Tensor flat, ModelSpec spec, string source)
    {
        int n = flat.Size(0);
        int size = flat.Numel / Math.Max(1, n);
        CommandKit.Require(size == spec.InputSize,
            $"{source}: each sample has {size} values, the model takes {spec.InputSize} (shape {ModelSpec.Show(spec.InputShape)})");
        return flat.Reshape([n, .. spec.InputShape]);
    }

    private static Tensor ReadInputs(string file, ModelSpec spec)
    {
        CommandKit.Require(File.Exists(file), $"file not found: {file}");
        Tensor t;
        try
        {
            if (file.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) t = Csv.Load(file, limits: CommandKit.Limits).Values;
            else if (file.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)) t = Npy.Load(file, CommandKit.Limits);
            else throw new UsageException($"--input: '{file}' must be a .csv or .npy file");
        }
        catch (DataFormatException e) { throw new UsageException(e.Message); }
        CommandKit.Require(t.Rank >= 1 && t.Size(0) > 0, $"{file}: no samples");
        if (t.Rank == 1) t = spec.InputSize == 1 ? t.Reshape(-1, 1) : t.Reshape(1, -1);
        foreach (var v in t.ToArray())
            CommandKit.Require(float.IsFinite(v), $"{file}: contains a value that is not a finite number ({v.ToString(CultureInfo.InvariantCulture)})");
        return Shape(t.Reshape(t.Size(0), -1), spec, file);
    }

    private static Tensor ParseValues(string text, ModelSpec spec)
    {
        var samples = text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        CommandKit.Require(samples.Length > 0, "--values is empty");
        var all = new List<float>();
        foreach (var s in samples)
        {
            var parts = s.Split(',', StringSplitOptions.TrimEntries);
            CommandKit.Require(parts.Length == spec.InputSize, $"--values: sample '{s}' has {parts.Length} values, the model takes {spec.InputSize}");
            foreach (var p in parts)
            {
                CommandKit.Require(float.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v), $"--values: '{p}' is not a number");
                all.Add(v);
            }
        }
        return Tensor.FromArray([.. all], [samples.Length, .. spec.InputShape]);
    }
}
