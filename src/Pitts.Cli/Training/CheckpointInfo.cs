using System.Text.Json;
using Pitts.Training;

namespace Pitts.Cli.Training;

/// <summary>
/// Reads the training information that <c>pitts train</c> stores in a checkpoint's metadata, and maps the library's
/// <see cref="EpochRecord"/> to the tool's view of it: the training loss, the training accuracy (classification only),
/// the validation loss and the validation accuracy or R².
/// </summary>
public static class CheckpointInfo
{
    // The shape of one epoch in the metadata 'pitts.history' (unchanged since the first checkpoints, so old files load).
    private sealed record EpochJson(int Epoch, double TrainLoss, double? TrainMetric, double? ValLoss, double? ValMetric, double Seconds, float Lr);

    /// <summary>The training options (<c>pitts.train</c>), or null for a checkpoint written by other code.</summary>
    public static TrainOptions? Options(IReadOnlyDictionary<string, string> metadata) =>
        metadata.TryGetValue("pitts.train", out var json) ? TrainOptions.FromJson(json) : null;

    /// <summary>The per-epoch history (<c>pitts.history</c>) of a model trained for <paramref name="task"/>, empty when absent or unreadable.</summary>
    public static IReadOnlyList<EpochRecord> History(IReadOnlyDictionary<string, string> metadata, string task)
    {
        if (!metadata.TryGetValue("pitts.history", out var json)) return [];
        try { return ReadHistory(json, task); }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException) { return []; }
    }

    /// <summary>Parses <c>pitts.history</c>; malformed JSON throws <see cref="JsonException"/>, a null record <see cref="InvalidDataException"/>.</summary>
    public static List<EpochRecord> ReadHistory(string json, string task)
    {
        var records = JsonSerializer.Deserialize<List<EpochJson?>>(json) ?? [];
        if (records.Any(r => r is null)) throw new InvalidDataException("a null record");
        return records.Select(r => Record(r!.Epoch, r.TrainLoss, r.TrainMetric, r.ValLoss, r.ValMetric, r.Seconds, r.Lr, task)).ToList();
    }

    /// <summary>The history as <c>pitts.history</c> JSON.</summary>
    public static string WriteHistory(IEnumerable<EpochRecord> history) => JsonSerializer.Serialize(history.Select(r =>
        new EpochJson(r.Epoch, r.Loss, TrainMetric(r), r.ValLoss, ValMetric(r), r.Duration.TotalSeconds, r.LearningRate)));

    /// <summary>
    /// An epoch record in the library's names from the tool's numbers: "loss", "accuracy" (classification),
    /// "val_loss", and "val_accuracy" or "val_r2" (regression).
    /// </summary>
    public static EpochRecord Record(int epoch, double trainLoss, double? trainMetric, double? valLoss, double? valMetric, double seconds, float lr, string task = "classification")
    {
        var m = new Dictionary<string, double> { ["loss"] = trainLoss };
        string metric = task == "classification" ? "accuracy" : "r2";
        if (trainMetric is { } tm) m[metric] = tm;
        if (valLoss is { } vl) m["val_loss"] = vl;
        if (valMetric is { } vm) m["val_" + metric] = vm;
        return new EpochRecord(epoch, m, lr, TimeSpan.FromSeconds(seconds));
    }

    /// <summary>The training accuracy of a classification epoch, or null (the tool reports no training R²).</summary>
    public static double? TrainMetric(EpochRecord r) => Finite(r.Metrics, "accuracy");

    /// <summary>The validation accuracy or R² of an epoch, or null.</summary>
    public static double? ValMetric(EpochRecord r) => Finite(r.Metrics, "val_accuracy") ?? Finite(r.Metrics, "val_r2");

    private static double? Finite(IReadOnlyDictionary<string, double> m, string key) => m.TryGetValue(key, out var v) && double.IsFinite(v) ? v : null;

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
