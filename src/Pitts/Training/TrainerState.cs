using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pitts.Training;

/// <summary>
/// Everything a <see cref="Trainer"/> needs to continue exactly where it stopped, even in the middle of an epoch: the
/// epoch and the step within it, the epoch's example order and running sums, the history, the generator's state, the
/// optimizer's and the callbacks' state dicts (learning-rate schedules) and early stopping's best value, epoch and
/// weights. <see cref="Trainer.Snapshot"/> takes one, <see cref="Trainer.Restore"/> puts one back, <see cref="Save"/> and
/// <see cref="Load"/> write it to and read it from a safetensors file.
/// </summary>
public sealed class TrainerState
{
    /// <summary>Completed epochs.</summary>
    public int Epoch { get; set; }

    /// <summary>Training steps (batches) already taken in the epoch now running (0 between epochs).</summary>
    public int Step { get; set; }

    /// <summary>The example order of the epoch now running when the data is a <c>DataLoader</c>; null between epochs.</summary>
    public int[]? Order { get; set; }

    /// <summary>Σ loss·batch size over the running epoch's steps.</summary>
    public double LossSum { get; set; }

    /// <summary>Samples seen in the running epoch.</summary>
    public long Samples { get; set; }

    /// <summary>Each training metric's accumulated state in the running epoch (<see cref="IMetric.GetState"/>).</summary>
    public double[][] MetricStates { get; set; } = [];

    /// <summary>The completed epochs' records.</summary>
    public List<EpochRecord> History { get; set; } = [];

    /// <summary>True once a callback ended training; the reason is in <see cref="StopReason"/>.</summary>
    public bool Stopped { get; set; }

    /// <summary>Why training stopped early, or null.</summary>
    public string? StopReason { get; set; }

    /// <summary>The state of <see cref="Trainer.Generator"/> (four xoshiro256** words), or null without one.</summary>
    public ulong[]? Generator { get; set; }

    /// <summary>The early-stopping monitor's best value so far (±infinity before the first epoch).</summary>
    public double BestValue { get; set; } = double.NaN;

    /// <summary>The epoch (1-based) of <see cref="BestValue"/>, 0 before the first.</summary>
    public int BestEpoch { get; set; }

    /// <summary>Epochs since the last improvement of the monitored value.</summary>
    public int Wait { get; set; }

    /// <summary>The optimizer's state dict (<see cref="Optim.Optimizer.StateDict"/>).</summary>
    [JsonIgnore]
    public Dictionary<string, Tensor> Optimizer { get; set; } = [];

    /// <summary>The state dicts of stateful callbacks (learning-rate schedules), keyed "{index}.{key}" by their place in <see cref="Trainer.Callbacks"/>.</summary>
    [JsonIgnore]
    public Dictionary<string, Tensor> Callbacks { get; set; } = [];

    /// <summary>The model's weights when the state was taken (<see cref="Trainer.Snapshot"/>), or null; <see cref="Trainer.Restore"/> loads them.</summary>
    [JsonIgnore]
    public Dictionary<string, Tensor>? Weights { get; set; }

    /// <summary>The model's weights at <see cref="BestEpoch"/> (kept by early stopping with restoreBestWeights), or null.</summary>
    [JsonIgnore]
    public Dictionary<string, Tensor>? BestWeights { get; set; }

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The scalar part (everything but the tensors) as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>
    /// Writes the state to one safetensors file, atomically: tensors "model.*" (<see cref="Weights"/>), "optimizer.*",
    /// "callbacks.*" and "best.*", and the scalar part as JSON in the metadata key "pitts.trainer".
    /// </summary>
    public void Save(string path)
    {
        var tensors = new Dictionary<string, Tensor>();
        if (Weights is not null) foreach (var (k, v) in Weights) tensors["model." + k] = v;
        foreach (var (k, v) in Optimizer) tensors["optimizer." + k] = v;
        foreach (var (k, v) in Callbacks) tensors["callbacks." + k] = v;
        if (BestWeights is not null) foreach (var (k, v) in BestWeights) tensors["best." + k] = v;
        IO.Safetensors.Save(path, tensors, new Dictionary<string, string> { ["pitts.trainer"] = ToJson() });
    }

    /// <summary>Reads a file written by <see cref="Save"/>.</summary>
    public static TrainerState Load(string path)
    {
        var file = IO.Safetensors.Load(path);
        if (!file.Metadata.TryGetValue("pitts.trainer", out var json))
            throw new IO.SafetensorsException($"{path}: no 'pitts.trainer' metadata, not a trainer state");
        TrainerState state;
        try { state = JsonSerializer.Deserialize<TrainerState>(json, Json) ?? throw new JsonException("null"); }
        catch (JsonException e) { throw new IO.SafetensorsException($"{path}: metadata 'pitts.trainer' is not valid: {e.Message}"); }
        Dictionary<string, Tensor> Part(string prefix) => file.Tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
        state.Optimizer = Part("optimizer.");
        state.Callbacks = Part("callbacks.");
        var best = Part("best.");
        state.BestWeights = best.Count > 0 ? best : null;
        var weights = Part("model.");
        state.Weights = weights.Count > 0 ? weights : null;
        return state;
    }

    /// <summary>A deep copy (tensors and arrays copied), so the trainer can go on without changing it.</summary>
    public TrainerState Clone()
    {
        var c = (TrainerState)MemberwiseClone();
        c.Order = Order?.ToArray();
        c.MetricStates = MetricStates.Select(s => s.ToArray()).ToArray();
        c.History = [.. History];
        c.Generator = Generator?.ToArray();
        c.Optimizer = Copy(Optimizer);
        c.Callbacks = Copy(Callbacks);
        c.BestWeights = BestWeights is null ? null : Copy(BestWeights);
        c.Weights = Weights is null ? null : Copy(Weights);
        return c;
    }

    internal static Dictionary<string, Tensor> Copy(IEnumerable<KeyValuePair<string, Tensor>> d) =>
        d.ToDictionary(kv => kv.Key, kv => Tensor.FromArray(kv.Value.ToArray(), [.. kv.Value.Shape]));

    /// <summary>A one-line description ("epoch 3, step 12"), for logs.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"epoch {Epoch}, step {Step}");
}
