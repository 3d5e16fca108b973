using Pitts.Cli.Commands;
using Pitts.Models;
using Pitts.Onnx;

namespace Pitts.Cli.Interop;

/// <summary>
/// <c>pitts export CKPT --onnx OUT.onnx</c>: a zoo checkpoint as an ONNX file that computes what <c>pitts predict</c>
/// computes: the stored input standardisation (x - mean) / std, then the network, whose raw outputs are the output
/// "output" (logits for a classifier, values for regression, reconstructions for an autoencoder); a classifier also
/// has the output "probabilities", softmax over the classes, the p0.. columns of <c>pitts predict</c>.
/// </summary>
internal static class OnnxCheckpointExport
{
    /// <summary>Writes <paramref name="ck"/> to <paramref name="outPath"/> and returns the full path written.</summary>
    public static string Write(ZooCheckpoint ck, string checkpointPath, string outPath)
    {
        var spec = ck.Spec;
        string full = Path.GetFullPath(outPath);
        // ExportCommand has refused an output that is one of its inputs (CommandKit.RefuseInputAsOutput, links followed).
        if (Directory.Exists(full)) throw new UsageException($"--onnx: '{full}' is a folder, not a file");
        string? dir = Path.GetDirectoryName(full);
        if (dir is not null && !Directory.Exists(dir)) throw new UsageException($"--onnx: folder '{dir}' does not exist");
        var stats = spec.InputStatistics(); // the tensors ModelSpec.Normalize broadcasts with
        var options = new OnnxExportOptions
        {
            InputMean = stats?.Mean,
            InputStd = stats?.Std,
            ProbabilitiesName = spec.Task == "classification" ? "probabilities" : null, // the p0.. columns of pitts predict
            DocString = $"Pitts {spec.Describe()} ({spec.Task}); input (batch, {string.Join(", ", spec.InputShape)}) raw, standardised inside the graph; exported from {Path.GetFileName(checkpointPath)}",
        };
        Onnx.Onnx.Export(ck.Model, Tensor.Zeros([1, .. spec.InputShape]), full, options);
        return full;
    }
}
