using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Pitts;

namespace Pitts.Onnx.Tests;

/// <summary>The independent engines the tests hold Pitts to: ONNX Runtime and Debian's python3-onnx checker.</summary>
internal static class Oracles
{
    /// <summary>Runs the ONNX file at <paramref name="path"/> on <paramref name="input"/> with ONNX Runtime and returns its first output.</summary>
    public static (float[] Values, int[] Shape) RunOrt(string path, Tensor input)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(path, options);
        string name = session.InputMetadata.Keys.Single();
        var t = new DenseTensor<float>(input.ToArray(), [.. input.Shape]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(name, t)]);
        var y = results.First().AsTensor<float>();
        return (y.ToArray(), y.Dimensions.ToArray());
    }

    /// <summary>Runs the ONNX file on <paramref name="input"/> with ONNX Runtime and returns every output by name.</summary>
    public static Dictionary<string, float[]> RunOrtAll(string path, Tensor input)
    {
        using var session = new InferenceSession(path);
        string name = session.InputMetadata.Keys.Single();
        var t = new DenseTensor<float>(input.ToArray(), [.. input.Shape]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(name, t)]);
        return results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());
    }

    /// <summary>The python3 that has Debian's onnx and torch packages.</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>Runs <c>onnx.checker.check_model(model, full_check=True)</c> (with shape inference) and returns its error output, empty when the file passes.</summary>
    public static string Check(string path)
    {
        const string script = "import sys, onnx\nm = onnx.load(sys.argv[1])\nonnx.checker.check_model(m, full_check=True)\nprint('ok')";
        var (code, stdout, stderr) = RunPython(script, path);
        return code == 0 && stdout.Trim() == "ok" ? "" : $"exit {code}: {stderr}{stdout}";
    }

    /// <summary>Runs a Python script with arguments and returns its exit code and outputs.</summary>
    public static (int Code, string Stdout, string Stderr) RunPython(string script, params string[] args)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing: run scripts/install-test-deps.sh (it installs python3-onnx)");
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The largest |a - b| over two arrays of the same length.</summary>
    public static double MaxDiff(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs((double)a[i] - b[i]));
        return m;
    }

    /// <summary>A fresh temporary file path ending in .onnx.</summary>
    public static string TempOnnx(string name) => Path.Combine(Path.GetTempPath(), $"pitts-onnx-{Environment.ProcessId}-{name}-{Guid.NewGuid():N}.onnx");
}
