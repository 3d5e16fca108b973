using Pitts.IO;
using Pitts.Lab.Services;
using Pitts.NN;
using Pitts.Optim;

namespace Pitts.Lab.Zoo;

/// <summary>The weights shipped with the lab (trained by scripts/lab-models) and their metadata.</summary>
public static class ZooWeights
{
    /// <summary>The shipped files, by short name.</summary>
    public static readonly IReadOnlyList<string> Names = ["denoising-ae", "denoising-ae-32", "cnn", "rnn", "lstm", "rnn-hh", "lstm-hh", "attention-reverse", "attention-sort"];

    private static readonly Dictionary<string, SafetensorsFile?> Cache = [];

    /// <summary>
    /// The shipped file <paramref name="name"/>, or null when it is missing: a resource of its weights assembly
    /// (<see cref="LabAssets.WeightsAssembly"/>), which the browser has loaded before it shows a page that needs it.
    /// </summary>
    public static SafetensorsFile? Load(string name)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(name, out var f)) return f;
            var assembly = System.Reflection.Assembly.Load(new System.Reflection.AssemblyName(LabAssets.WeightsAssembly(name)));
            using var s = assembly.GetManifestResourceStream($"Pitts.Lab.Models.{name}.safetensors");
            return Cache[name] = s is null ? null : Safetensors.Load(s);
        }
    }

    /// <summary>Loads shipped weights into <paramref name="model"/>; false (model unchanged) when the file is missing.</summary>
    public static bool TryLoadInto(string name, Module model)
    {
        var f = Load(name);
        if (f is null) return false;
        model.LoadStateDict(f.Tensors);
        model.Eval();
        return true;
    }

    /// <summary>A metadata value of the shipped file (e.g. "steps", "seconds", "metric"), or null.</summary>
    public static string? Meta(string name, string key) => Load(name)?.Metadata.GetValueOrDefault(key);

    /// <summary>Saves <paramref name="model"/>'s state dict with metadata (safetensors, atomic).</summary>
    public static void Save(string path, Module model, IReadOnlyDictionary<string, string> metadata) =>
        Safetensors.Save(path, model.StateDict(), metadata);
}
