using System.CommandLine;
using System.Text.Json;
using Pitts.Cli.Training;

namespace Pitts.Cli.Commands;

/// <summary>pitts eval: loss and accuracy or R² of a saved model on its train, validation and test splits, or on other data.</summary>
public static class EvalCommand
{
    /// <summary>Builds the eval command.</summary>
    public static Command Create()
    {
        var checkpoint = new Argument<string>("checkpoint") { Description = "A model saved by 'pitts train --save', or an .onnx file (with --dataset)" };
        var dataset = new Option<string?>("--dataset", "-d") { Description = "Evaluate on all of this data set (same shape of samples) instead of the saved splits" };
        var cmd = new Command("eval", "Evaluate a saved model: loss and accuracy (classification) or R² (regression) per split");
        cmd.Arguments.Add(checkpoint);
        cmd.Options.Add(dataset);
        cmd.WithOutputOptions();
        cmd.SetBody(ctx =>
        {
            string path = ctx.Parse.GetValue(checkpoint)!;
            var (model, spec, options, description) = Interop.OnnxFiles.IsOnnx(path) ? Interop.OnnxFiles.ForEval(path, ctx.Get(dataset)) : Checkpoint(path);
            string[] names;
            SplitMetrics?[] metrics;
            if (ctx.Get(dataset) is { } d)
            {
                var o = (options ?? new TrainOptions()) with { Dataset = d };
                // A table's task follows the model's, except for an ONNX file that is not a classifier from pitts export: the table says.
                string? task = spec.Task == "classification" || (spec.Task == "regression" && model is not Onnx.OnnxModule) ? spec.Task : null;
                var data = DataSources.Load(d, o.SyntheticFor(d), task, o.Limit);
                if (model is Onnx.OnnxModule m) spec = spec with { Task = Interop.OnnxFiles.EvalTask(m, spec, data) }; // a file from elsewhere: its shapes and the data say
                var x = data.X;
                if (spec.InputShape.Length == 2 && x.Rank == 4 && x.Size(1) == 1) x = x.Reshape(x.Size(0), x.Size(2), x.Size(3));
                CommandKit.Require(x.Shape.Skip(1).SequenceEqual(spec.InputShape),
                    $"dataset '{d}' has samples of shape {Models.ModelSpec.Show(x.Shape.ToArray()[1..])}, the model takes {Models.ModelSpec.Show(spec.InputShape)}");
                var all = TrainSession.EvaluateModel(model, spec.Task, spec.Normalize(x), data.Y);
                SplitMetrics? test = null;
                if (data.TestX is { } tx)
                {
                    if (spec.InputShape.Length == 2 && tx.Rank == 4) tx = tx.Reshape(tx.Size(0), tx.Size(2), tx.Size(3));
                    test = TrainSession.EvaluateModel(model, spec.Task, spec.Normalize(tx), data.TestY!);
                }
                (names, metrics) = (["all", "test"], [all, test]);
            }
            else
            {
                CommandKit.Require(options is not null, $"{path}: the checkpoint does not say which data it was trained on; pass --dataset");
                var (train, val, test) = TrainSession.PrepareSplits(options!, spec);
                (names, metrics) = (["train", "validation", "test"], [
                    TrainSession.EvaluateModel(model, spec.Task, train.X, train.Y),
                    val is { } v ? TrainSession.EvaluateModel(model, spec.Task, v.X, v.Y) : null,
                    test is { } t ? TrainSession.EvaluateModel(model, spec.Task, t.X, t.Y) : null]);
            }
            if (ctx.Json)
            {
                CommandKit.WriteJson(ctx, j =>
                {
                    j.WriteStartObject();
                    j.WriteString("checkpoint", Path.GetFullPath(path));
                    j.WriteString("model", description);
                    j.WriteString("task", spec.Task);
                    j.WriteStartObject("metrics");
                    for (int i = 0; i < names.Length; i++) TrainCommand.WriteMetrics(j, names[i], metrics[i]);
                    j.WriteEndObject();
                    j.WriteEndObject();
                });
            }
            else
            {
                CommandKit.WithWriter(ctx, w =>
                {
                    w.WriteLine($"{description} ({path})");
                    w.WriteLine(TrainCommand.MetricsTable(spec.Task, names, metrics));
                });
            }
            return CommandKit.ExitOk;
        });
        return cmd;
    }

    private static (NN.Module, Models.ModelSpec, TrainOptions?, string) Checkpoint(string path)
    {
        var ck = TrainSession.LoadCheckpoint(path);
        return (ck.Model, ck.Spec, CheckpointInfo.Options(ck.Metadata), ck.Spec.Describe());
    }
}
