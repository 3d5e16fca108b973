using System.CommandLine;
using Pitts.Cli.Training;
using Pitts.Models;

namespace Pitts.Cli.Commands;

/// <summary>pitts export: a saved model as a program for another engine (PyTorch: model.py and model.safetensors).</summary>
public static class ExportCommand
{
    /// <summary>Builds the export command.</summary>
    public static Command Create()
    {
        var checkpoint = new Argument<string>("checkpoint") { Description = "A model saved by 'pitts train --save'" };
        var pytorch = new Option<string?>("--pytorch") { Description = "Write DIR/model.py (a torch nn.Module with the checkpoint's parameter names and load(folder)) and DIR/model.safetensors" };
        var cmd = new Command("export", "Export a saved model to another engine; it computes what 'pitts predict' does");
        cmd.Arguments.Add(checkpoint);
        cmd.Options.Add(pytorch);
        cmd.SetBody(ctx =>
        {
            string path = ctx.Parse.GetValue(checkpoint)!;
            string? dir = ctx.Get(pytorch);
            CommandKit.Require(dir is not null, "give --pytorch DIR");
            CommandKit.Require(dir!.Length > 0, "--pytorch needs a folder");
            var ck = TrainSession.LoadCheckpoint(path);
            PyTorchExport.Write(ck.Spec, ck.Model, dir, path);
            ctx.Error.WriteLine($"wrote {Path.Combine(Path.GetFullPath(dir), PyTorchExport.ModuleFile)} and {PyTorchExport.WeightsFile}");
            return CommandKit.ExitOk;
        });
        return cmd;
    }
}
