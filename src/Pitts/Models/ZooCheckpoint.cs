using Pitts.IO;
using Pitts.NN;

namespace Pitts.Models;

/// <summary>
/// A zoo model saved to safetensors: its weights under their state-dict names, its <see cref="ModelSpec"/> as JSON
/// in the <c>__metadata__</c> entry <see cref="SpecKey"/>, and optional training state (optimizer moments, epoch,
/// RNG) as tensors whose names start with <see cref="TrainingPrefix"/> and as further metadata strings.
/// </summary>
public sealed class ZooCheckpoint
{
    /// <summary>The metadata key holding the model description.</summary>
    public const string SpecKey = "pitts.model";

    /// <summary>The prefix of tensors that are training state, not model weights.</summary>
    public const string TrainingPrefix = "training.";

    /// <summary>The model description read from the file.</summary>
    public ModelSpec Spec { get; }

    /// <summary>The rebuilt model with the saved weights loaded, in evaluation mode.</summary>
    public Module Model { get; }

    /// <summary>All metadata strings of the file, the spec included.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The training-state tensors, with <see cref="TrainingPrefix"/> removed from their names.</summary>
    public IReadOnlyDictionary<string, Tensor> TrainingState { get; }

    private ZooCheckpoint(ModelSpec spec, Module model, IReadOnlyDictionary<string, string> metadata, IReadOnlyDictionary<string, Tensor> training)
    {
        Spec = spec;
        Model = model;
        Metadata = metadata;
        TrainingState = training;
    }

    /// <summary>
    /// Writes the model's state dict, the spec and optional training state to <paramref name="path"/> atomically
    /// (temporary file, flush, rename), so an interrupted save leaves the previous file intact.
    /// </summary>
    public static void Save(string path, ModelSpec spec, Module model, IReadOnlyDictionary<string, Tensor>? trainingState = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(model);
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (k, v) in model.StateDict()) tensors[k] = v;
        if (trainingState is not null)
            foreach (var (k, v) in trainingState) tensors[TrainingPrefix + k] = v;
        var meta = new Dictionary<string, string>();
        if (metadata is not null)
            foreach (var (k, v) in metadata) meta[k] = v;
        meta[SpecKey] = spec.ToJson();
        meta.TryAdd("format", "pt");
        Safetensors.Save(path, tensors, meta);
    }

    /// <summary>True when the file's metadata holds a zoo model description.</summary>
    public static bool HasSpec(SafetensorsHeader header) => header.Metadata.ContainsKey(SpecKey);

    /// <summary>
    /// Reads a checkpoint written by <see cref="Save"/>, rebuilds the model from its spec and loads the weights.
    /// A file that is not safetensors, has no spec, or whose weights do not fit raises a typed
    /// <see cref="PittsException"/> naming the problem. Layers that draw random numbers (Dropout) use
    /// <paramref name="generator"/>, so a resumed run can restore its state.
    /// </summary>
    public static ZooCheckpoint Load(string path, Generator? generator = null, ReadLimits? limits = null)
    {
        var file = Safetensors.Load(path, limits);
        if (!file.Metadata.TryGetValue(SpecKey, out var json))
            throw new ModelSpecException($"no model description (metadata key '{SpecKey}'); it is a safetensors file but not a Pitts zoo checkpoint", source: Path.GetFileName(path));
        var spec = ModelSpec.FromJson(json);
        var weights = new Dictionary<string, Tensor>();
        var training = new Dictionary<string, Tensor>();
        foreach (var (k, v) in file.Tensors)
        {
            if (k.StartsWith(TrainingPrefix, StringComparison.Ordinal)) training[k[TrainingPrefix.Length..]] = v;
            else weights[k] = v;
        }
        // The description comes from the file too: its size must match the weights the file really holds before the
        // model is built (a 3 KB file must not make Pitts allocate a billion-unit layer to find out it does not fit).
        long expected = spec.StateCount(), found = weights.Values.Sum(t => (long)t.Numel);
        if (expected != found)
            throw new ModelSpecException($"the model description ({spec.Describe()}) has {expected:N0} parameters but the file's weights hold {found:N0} values", source: Path.GetFileName(path));
        var model = spec.Build(generator ?? new Generator(0));
        model.LoadStateDict(weights);
        model.Eval();
        return new ZooCheckpoint(spec, model, file.Metadata, training);
    }
}
