using System.Text.Json;

namespace Pitts.Cli.Training;

/// <summary>Reads the training information that <c>pitts train</c> stores in a checkpoint's metadata.</summary>
public static class CheckpointInfo
{
    /// <summary>The training options (<c>pitts.train</c>), or null for a checkpoint written by other code.</summary>
    public static TrainOptions? Options(IReadOnlyDictionary<string, string> metadata) =>
        metadata.TryGetValue("pitts.train", out var json) ? TrainOptions.FromJson(json) : null;

    /// <summary>The per-epoch history (<c>pitts.history</c>), empty when absent.</summary>
    public static IReadOnlyList<EpochRecord> History(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue("pitts.history", out var json)) return [];
        try { return JsonSerializer.Deserialize<List<EpochRecord>>(json) ?? []; }
        catch (JsonException) { return []; }
    }

    /// <summary>The epoch whose weights early stopping kept (<c>pitts.early</c>), or null.</summary>
    public static int? BestEpoch(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue("pitts.early", out var json)) return null;
        try
        {
            var d = JsonSerializer.Deserialize<Dictionary<string, double>>(json);
            return d is not null && d.TryGetValue("best_epoch", out var e) && e > 0 ? (int)e : null;
        }
        catch (JsonException) { return null; }
    }
}
