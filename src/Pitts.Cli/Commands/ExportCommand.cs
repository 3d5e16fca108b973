using System.CommandLine;
using Pitts.Cli.Interop;
using Pitts.Cli.Training;

namespace Pitts.Cli.Commands;

/// <summary>pitts export: a saved model in another engine's format (each format's writer lives in Interop/).</summary>
public static class ExportCommand
{
    /// <summary>Builds the export command.</summary>
    public static Command Create()
    {
        var checkpoint = new Argument<string>("checkpoint") { Description = "A model saved by 'pitts train --save'" };
        var onnx = new Option<string?>("--onnx") { Description = "Write an ONNX file (opset 17, dynamic batch) that computes what 'pitts predict' does, input standardisation included; for ONNX Runtime" };
        var cmd = new Command("export", "Export a saved model to ONNX");
        cmd.Arguments.Add(checkpoint);
        cmd.Options.Add(onnx);
        cmd.SetBody(ctx =>
        {
            string path = ctx.Parse.GetValue(checkpoint)!;
            string? onnxOut = ctx.Get(onnx);
            CommandKit.Require(onnxOut is not null, "give --onnx OUT.onnx");
            var ck = TrainSession.LoadCheckpoint(path);
            if (onnxOut is not null) ctx.Error.WriteLine($"wrote {OnnxCheckpointExport.Write(ck, path, onnxOut)}");
            return CommandKit.ExitOk;
        });
        return cmd;
    }
}
