using System.Text.Json;
using System.Text.Json.Serialization;
using Pitts.Cli.Commands;

namespace Pitts.Cli.Training;

/// <summary>
/// Everything that defines a training run; stored as JSON in the checkpoint (metadata key <c>pitts.train</c>) so
/// that <c>--resume</c>, <c>eval</c> and <c>plot</c> rebuild the same data, splits and optimizer without flags.
/// </summary>
public sealed record TrainOptions
{
    /// <summary>The zoo model kind.</summary>
    public string Model { get; init; } = "mlp";

    /// <summary>The data set name or path.</summary>
    public string Dataset { get; init; } = "sine";

    /// <summary>Hidden sizes (empty means the model's default).</summary>
    public int[] Hidden { get; init; } = [];

    /// <summary>The hidden activation.</summary>
    public string Activation { get; init; } = "relu";

    /// <summary>sgd, momentum, adam, adamw or rmsprop.</summary>
    public string Optimizer { get; init; } = "adam";

    /// <summary>The learning rate.</summary>
    public float Lr { get; init; } = 1e-3f;

    /// <summary>The learning-rate schedule over the epochs: constant, or cosine (annealed from --lr to 0 over --epochs).</summary>
    public string Schedule { get; init; } = "constant";

    /// <summary>Weight decay λ (L2 for sgd, momentum, adam and rmsprop; decoupled for adamw).</summary>
    public float WeightDecay { get; init; }

    /// <summary>Dropout probability after hidden activations.</summary>
    public float Dropout { get; init; }

    /// <summary>Samples per batch (0 means the whole training set at once).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>The total number of epochs.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Patience of early stopping on the validation loss (0 for none); the best weights are restored.</summary>
    public int EarlyStopping { get; init; }

    /// <summary>Augmentations of training inputs: shift, flip, noise.</summary>
    public string[] Augment { get; init; } = [];

    /// <summary>Gaussian noise σ added to autoencoder inputs (denoising: the target stays clean).</summary>
    public float Denoise { get; init; }

    /// <summary>Fraction of the data held out for validation.</summary>
    public double ValSplit { get; init; } = 0.15;

    /// <summary>Fraction held out for testing (ignored when the data set has its own test part).</summary>
    public double TestSplit { get; init; } = 0.15;

    /// <summary>The seed of every random choice: data, splits, initial weights, shuffling, dropout, augmentation.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Samples of a synthetic set (0 means its default).</summary>
    public int Samples { get; init; }

    /// <summary>Noise of a synthetic set (negative means its default).</summary>
    public float Noise { get; init; } = -1;

    /// <summary>Frequency ω of the sine set, y = sin(ωx).</summary>
    public float Frequency { get; init; } = 1;

    /// <summary>Polynomial degree of the poly model.</summary>
    public int Degree { get; init; } = 3;

    /// <summary>Latent size of the autoencoder.</summary>
    public int Latent { get; init; } = 2;

    /// <summary>Kernel size of the CNN's convolutions.</summary>
    public int Kernel { get; init; } = 5;

    /// <summary>Whether the CNN normalises each convolution's output with BatchNorm2d (docs/NN.md's 91% recipe).</summary>
    public bool BatchNorm { get; init; } = true;

    /// <summary>Attention heads of the transformer.</summary>
    public int Heads { get; init; } = 2;

    /// <summary>Window length of sequence sets.</summary>
    public int Window { get; init; } = 20;

    /// <summary>classification or regression for CSV/npy data (null: inferred from the target column).</summary>
    public string? Task { get; init; }

    /// <summary>Use at most this many training images (and a fifth as many test images); null for all.</summary>
    public int? Limit { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The options as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses options written by <see cref="ToJson"/>.</summary>
    public static TrainOptions FromJson(string json)
    {
        try { return JsonSerializer.Deserialize<TrainOptions>(json, Json) ?? throw new UsageException("training options are null"); }
        catch (JsonException e) { throw new UsageException($"the checkpoint's training options are not valid JSON ({e.Message})"); }
    }

    /// <summary>The synthetic-set options these training options imply.</summary>
    public SyntheticOptions SyntheticFor(string dataset) => new(
        Samples > 0 ? Samples : DataSources.DefaultSamples(dataset),
        Noise >= 0 ? Noise : DataSources.DefaultNoise(dataset),
        Seed, Window, Frequency);

    /// <summary>Checks the values a user typed; the first bad one raises a <see cref="UsageException"/>.</summary>
    public void Validate()
    {
        if (!Models.ModelSpec.Kinds.Contains(Model)) throw new UsageException($"unknown model '{Model}' (known: {string.Join(", ", Models.ModelSpec.Kinds)})");
        if (!Models.ModelSpec.Activations.Contains(Activation)) throw new UsageException($"unknown activation '{Activation}' (known: {string.Join(", ", Models.ModelSpec.Activations)})");
        if (!new[] { "sgd", "momentum", "adam", "adamw", "rmsprop" }.Contains(Optimizer)) throw new UsageException($"unknown optimizer '{Optimizer}' (known: sgd, momentum, adam, adamw, rmsprop)");
        if (Schedule is not ("constant" or "cosine")) throw new UsageException($"unknown schedule '{Schedule}' (known: constant, cosine)");
        if (Epochs < 0) throw new UsageException($"--epochs must be zero or more, got {Epochs}");
        if (BatchSize < 0) throw new UsageException($"--batch-size must be zero (whole set) or more, got {BatchSize}");
        if (!(Lr > 0) || !float.IsFinite(Lr)) throw new UsageException($"--lr must be a positive number, got {Lr}");
        if (!(WeightDecay >= 0)) throw new UsageException($"--weight-decay must be zero or more, got {WeightDecay}");
        if (!(Dropout >= 0 && Dropout < 1)) throw new UsageException($"--dropout must be in [0, 1), got {Dropout}");
        if (EarlyStopping < 0) throw new UsageException($"--early-stopping must be a patience of zero or more epochs, got {EarlyStopping}");
        if (!(ValSplit >= 0 && ValSplit < 1)) throw new UsageException($"--val-split must be in [0, 1), got {ValSplit}");
        if (!(TestSplit >= 0 && TestSplit < 1) || ValSplit + TestSplit >= 1) throw new UsageException($"--test-split must be in [0, 1) with --val-split + --test-split < 1, got {TestSplit}");
        if (EarlyStopping > 0 && ValSplit == 0) throw new UsageException("--early-stopping needs a validation set (--val-split > 0)");
        if (Hidden.Any(h => h <= 0)) throw new UsageException($"--hidden sizes must be positive, got {string.Join(",", Hidden)}");
        if (Degree < 1 || Degree > 30) throw new UsageException($"--degree must be in 1..30, got {Degree}");
        if (Latent < 1) throw new UsageException($"--latent must be positive, got {Latent}");
        if (!(Frequency > 0) || Frequency > 100) throw new UsageException($"--frequency must be in (0, 100], got {Frequency}");
        if (Window < 1) throw new UsageException($"--window must be positive, got {Window}");
        if (!(Denoise >= 0)) throw new UsageException($"--denoise must be zero or more, got {Denoise}");
        foreach (var a in Augment)
            if (a is not ("shift" or "flip" or "noise")) throw new UsageException($"unknown augmentation '{a}' (known: shift, flip, noise)");
        if (Task is not null and not ("classification" or "regression")) throw new UsageException($"--task must be classification or regression, got '{Task}'");
    }
}
