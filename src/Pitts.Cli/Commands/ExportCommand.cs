using System.CommandLine;
using Pitts.Cli.Interop;
using Pitts.Cli.Training;
using Pitts.Models;

namespace Pitts.Cli.Commands;

/// <summary>pitts export: a saved model in another engine's format (ONNX for ONNX Runtime; model.py and model.safetensors for PyTorch).</summary>
public static class ExportCommand
{
    /// <summary>Builds the export command.</summary>
    public static Command Create()
    {
        var checkpoint = new Argument<string>("checkpoint") { Description = "A model saved by 'pitts train --save'" };
        var onnx = new Option<string?>("--onnx") { Description = "Write an ONNX file (opset 17, dynamic batch) that computes what 'pitts predict' does, input standardisation included; for ONNX Runtime" };
        var pytorch = new Option<string?>("--pytorch") { Description = "Write DIR/model.py (a torch nn.Module with the checkpoint's parameter names and load(folder)) and DIR/model.safetensors" };
        var cmd = new Command("export", "Export a saved model to another engine (ONNX, PyTorch); it computes what 'pitts predict' does");
        cmd.Arguments.Add(checkpoint);
        cmd.Options.Add(onnx);
        cmd.Options.Add(pytorch);
        cmd.SetBody(ctx =>
        {
            string path = ctx.Parse.GetValue(checkpoint)!;
            string? onnxOut = ctx.Get(onnx);
            string? dir = ctx.Get(pytorch);
            CommandKit.Require(!OnnxFiles.IsOnnx(path), $"'{path}' is an ONNX file; export takes a checkpoint saved by 'pitts train --save'");
            CommandKit.Require(onnxOut is not null || dir is not null, "give --onnx OUT.onnx or --pytorch DIR (or both)");
            CommandKit.Require(onnxOut is null || onnxOut.Length > 0, "--onnx needs a file name");
            CommandKit.Require(dir is null || dir.Length > 0, "--pytorch needs a folder");
            if (onnxOut is not null)
            {
                CommandKit.RefuseInputAsOutput(ctx, onnxOut, "--onnx", onnx);
                CommandKit.Require(dir is null || !(IO.FilePaths.Same(onnxOut, Path.Combine(dir, PyTorchExport.ModuleFile)) || IO.FilePaths.Same(onnxOut, Path.Combine(dir, PyTorchExport.WeightsFile))),
                    $"--onnx: '{onnxOut}' is a file --pytorch writes; choose another file");
            }
            var ck = TrainSession.LoadCheckpoint(path);
            if (onnxOut is not null) ctx.Error.WriteLine($"wrote {OnnxCheckpointExport.Write(ck, path, onnxOut)}");
            if (dir is not null)
            {
                PyTorchExport.Write(ck.Spec, ck.Model, dir, path);
                ctx.Error.WriteLine($"wrote {Path.Combine(Path.GetFullPath(dir), PyTorchExport.ModuleFile)} and {PyTorchExport.WeightsFile}");
            }
            return CommandKit.ExitOk;
        });
        return cmd;
    }
}
