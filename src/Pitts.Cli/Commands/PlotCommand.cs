using System.CommandLine;
using Pitts.Cli.Plotting;
using Pitts.Cli.Training;

namespace Pitts.Cli.Commands;

/// <summary>pitts plot: figures of a saved model (training curves, fits, boundaries, reconstructions, latent space, filters, trajectories).</summary>
public static class PlotCommand
{
    /// <summary>Checks that a figure path ends in .png and its folder exists.</summary>
    public static void CheckPng(string path, string option)
    {
        CommandKit.Require(path.EndsWith(".png", StringComparison.OrdinalIgnoreCase), $"{option}: '{path}' must end in .png");
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        CommandKit.Require(dir is null || Directory.Exists(dir), $"{option}: folder '{dir}' does not exist");
    }

    /// <summary>Builds the plot command.</summary>
    public static Command Create()
    {
        var kind = new Argument<string>("kind") { Description = string.Join(" | ", Figures.Kinds.Keys) };
        var checkpoint = new Argument<string>("checkpoint") { Description = "A model saved by 'pitts train --save'" };
        var output = new Option<string?>("--out", "-o", "--output") { Description = "The PNG to write (default: CHECKPOINT-KIND.png beside the checkpoint)" };
        var dataset = new Option<string?>("--dataset", "-d") { Description = "Draw with this data set instead of the one the model was trained on" };
        int width = Figures.Kinds.Keys.Max(k => k.Length);
        var cmd = new Command("plot", "Draw a figure of a saved model as a PNG:\n" +
            string.Join("\n", Figures.Kinds.Select(k => $"  {k.Key.PadRight(width)}  {k.Value}")));
        cmd.Arguments.Add(kind);
        cmd.Arguments.Add(checkpoint);
        cmd.Options.Add(output);
        cmd.Options.Add(dataset);
        cmd.Options.Add(CommandKit.JsonOption);
        cmd.SetBody(ctx =>
        {
            string k = ctx.Parse.GetValue(kind)!, path = ctx.Parse.GetValue(checkpoint)!;
            CommandKit.Require(Figures.Kinds.ContainsKey(k), $"unknown figure '{k}' (known: {string.Join(", ", Figures.Kinds.Keys)})");
            string outPath = ctx.Get(output) ?? Path.ChangeExtension(path, null) + "-" + k + ".png";
            CheckPng(outPath, "--output");
            CommandKit.RefuseInputAsOutput(ctx, outPath, "--output", output);
            var ck = TrainSession.LoadCheckpoint(path);
            var options = CheckpointInfo.Options(ck.Metadata);
            if (ctx.Get(dataset) is { } d) options = (options ?? new TrainOptions()) with { Dataset = d };
            PlotRenderer.Render(k, ck.Model, ck.Spec, options, CheckpointInfo.History(ck.Metadata, ck.Spec.Task), outPath, CheckpointInfo.BestEpoch(ck.Metadata));
            if (ctx.Json) ctx.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["figure"] = k, ["path"] = Path.GetFullPath(outPath) }));
            else ctx.Out.WriteLine($"wrote {Path.GetFullPath(outPath)}");
            return CommandKit.ExitOk;
        });
        return cmd;
    }
}
