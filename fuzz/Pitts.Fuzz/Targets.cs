using System.Text;
using Pitts.IO;
using Pitts.Models;

namespace Pitts.Fuzz;

/// <summary>
/// One fuzz target per reader: each takes the bytes afl++ made and feeds them to the reader. A typed
/// <see cref="PittsException"/> is the reader refusing a bad file, so it counts as success; any other exception
/// escapes and afl++ records a crash. The replay test (tests/Pitts.Tests/IO/FuzzCorpusTests.cs) runs the saved corpus
/// through these same targets, so a crash found once stays fixed.
/// </summary>
public static class Targets
{
    /// <summary>The targets by name (also the names of the seed and corpus folders).</summary>
    public static IReadOnlyDictionary<string, Action<byte[]>> All { get; } = new Dictionary<string, Action<byte[]>>
    {
        ["safetensors"] = Safetensors,
        ["checkpoint"] = Checkpoint,
        ["idx"] = Idx,
        ["npy"] = Npy,
        ["npz"] = Npz,
        ["csv"] = Csv,
        ["onnx"] = Onnx,
    };

    /// <summary>A smaller budget than the default, so a fuzzed header that declares the maximum stays cheap to refuse.</summary>
    // A property, not a field: no instrumented Pitts code may run before SharpFuzz maps afl's shared memory.
    private static ReadLimits Limits => new() { MaxDataBytes = 16 << 20, MaxCsvLineLength = 1 << 16, MaxCsvFieldLength = 1024 };

    /// <summary>Runs one input through one target; true when the reader accepted it, false when it refused it with a typed error.</summary>
    public static bool Run(string target, byte[] input)
    {
        try
        {
            All[target](input);
            return true;
        }
        catch (PittsException)
        {
            return false;
        }
    }

    private static void Safetensors(byte[] b)
    {
        var f = IO.Safetensors.Load(b, Limits);
        _ = f.Header.Summary();
    }

    // The model description that a checkpoint's metadata carries: parsed, sized, and built when it is small.
    private static void Checkpoint(byte[] b)
    {
        string json;
        try { json = new UTF8Encoding(false, true).GetString(b); }
        catch (DecoderFallbackException) { return; }
        var spec = ModelSpec.FromJson(json);
        long n = spec.ParameterCount();
        _ = spec.Describe();
        if (n <= 1 << 16 && spec.InputSize <= 1 << 12)
        {
            var model = spec.Build(new Generator(1));
            long built = model.Parameters().Sum(p => (long)p.Numel);
            if (built != n) throw new InvalidOperationException($"ParameterCount {n} but Build made {built} parameters: {json}");
        }
    }

    private static void Idx(byte[] b)
    {
        using var ms = new MemoryStream(b, writable: false);
        _ = IO.Idx.Read(ms, Limits);
    }

    private static void Npy(byte[] b)
    {
        using var ms = new MemoryStream(b, writable: false);
        _ = IO.Npy.Load(ms, Limits);
    }

    // LoadNpz reads a path (ZipArchive over the file), so the input goes through a scratch file in memory-backed /dev/shm.
    private static readonly string Scratch = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"pitts-fuzz-{Environment.ProcessId}.npz");

    private static void Npz(byte[] b)
    {
        File.WriteAllBytes(Scratch, b);
        _ = IO.Npy.LoadNpz(Scratch, Limits);
    }

    // An ONNX model: parsed and checked (declared tensor sizes against the bytes, operators, graph order); a model
    // whose declared input is small then runs once on zeros, so the operators' own checks are fuzzed too.
    private static void Onnx(byte[] b)
    {
        var model = Pitts.Onnx.Onnx.Load(b);
        var shape = model.InputShape.Select((d, i) => i == 0 && d <= 0 ? 1 : d).ToArray();
        if (shape.Length is > 0 and <= 5 && shape.All(d => d is > 0 and <= 64) && shape.Aggregate(1L, (a, d) => a * d) <= 1 << 14)
            _ = model.Forward(Tensor.Zeros(shape));
    }

    private static void Csv(byte[] b)
    {
        File.WriteAllBytes(Scratch + ".csv", b);
        _ = IO.Csv.Load(Scratch + ".csv", limits: Limits);
    }
}
