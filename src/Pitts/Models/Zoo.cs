using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Pitts.NN;

namespace Pitts.Models;

/// <summary>A model description that cannot be built: unknown kind or activation, or sizes that do not fit.</summary>
public sealed class ModelSpecException : PittsException
{
    /// <summary>
    /// Creates the error "<paramref name="source"/>: <paramref name="reason"/>" and, when one value is at fault, the
    /// <see cref="ModelSpec"/> property it names.
    /// </summary>
    public ModelSpecException(string reason, string? field = null, string source = "ModelSpec") : base($"{source}: {reason}")
    {
        Reason = reason;
        Field = field;
    }

    /// <summary>What is wrong, without the "ModelSpec: " prefix, for a front end that names its own option.</summary>
    public string Reason { get; }

    /// <summary>The <see cref="ModelSpec"/> property at fault (e.g. "Kernel"), so a front end can name its own option; null when none is.</summary>
    public string? Field { get; }
}

/// <summary>
/// A serialisable description of a zoo model (its kind, input shape, hidden sizes, activation, dropout and
/// outputs), from which <see cref="Build"/> makes the module; the JSON form is stored in a checkpoint's
/// <c>__metadata__</c>, so a saved model can be rebuilt with no other information.
/// </summary>
public sealed record ModelSpec
{
    /// <summary>The model kinds the zoo builds.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["mlp", "cnn", "rnn", "lstm", "autoencoder", "transformer", "linear", "poly"];

    /// <summary>The activation names accepted by <see cref="Activation"/>.</summary>
    public static IReadOnlyList<string> Activations { get; } = ["relu", "tanh", "sigmoid", "gelu", "leaky-relu", "elu", "softplus"];

    /// <summary>The tasks: what the outputs mean and which loss trains them.</summary>
    public static IReadOnlyList<string> Tasks { get; } = ["classification", "regression", "reconstruction"];

    /// <summary>The model kind, one of <see cref="Kinds"/>.</summary>
    public string Kind { get; init; } = "mlp";

    /// <summary>
    /// The shape of one sample without the batch dimension: (features) for tables and curves, (channels, height,
    /// width) for images, (time steps, features) for sequences.
    /// </summary>
    public int[] InputShape { get; init; } = [1];

    /// <summary>Hidden sizes: widths of an MLP's layers, an autoencoder's encoder, a CNN's channels, an RNN's state, a transformer's model width.</summary>
    public int[] Hidden { get; init; } = [];

    /// <summary>The hidden activation, one of <see cref="Activations"/>.</summary>
    public string Activation { get; init; } = "relu";

    /// <summary>The dropout probability after each hidden activation (0 for none).</summary>
    public float Dropout { get; init; }

    /// <summary>The number of outputs: classes for classification, values for regression (unused for reconstruction).</summary>
    public int Outputs { get; init; } = 1;

    /// <summary>The task, one of <see cref="Tasks"/>: classification (cross-entropy on logits), regression (MSE), reconstruction (autoencoder, MSE to the clean input).</summary>
    public string Task { get; init; } = "regression";

    /// <summary>The polynomial degree of a <c>poly</c> model: features x, x², …, x^degree of each input.</summary>
    public int Degree { get; init; } = 3;

    /// <summary>The code size of an autoencoder (2 gives a latent space that can be drawn).</summary>
    public int Latent { get; init; } = 2;

    /// <summary>The kernel size k of a CNN's k×k convolutions (odd, with 'same' padding k/2).</summary>
    public int Kernel { get; init; } = 3;

    /// <summary>
    /// Whether a CNN normalises each convolution's output with BatchNorm2d before the activation (the recipe of
    /// docs/NN.md that reaches 91.8% on Fashion-MNIST); false for specs written before it existed.
    /// </summary>
    public bool BatchNorm { get; init; }

    /// <summary>Attention heads of a transformer model.</summary>
    public int Heads { get; init; } = 2;

    /// <summary>Optional class names, in label order (e.g. Fashion-MNIST's "T-shirt/top", …).</summary>
    public string[]? ClassNames { get; init; }

    /// <summary>Optional per-feature input mean that the model's user subtracts before <see cref="Build"/>'s module sees the data.</summary>
    public float[]? InputMean { get; init; }

    /// <summary>Optional per-feature input standard deviation that divides the input after <see cref="InputMean"/> is subtracted.</summary>
    public float[]? InputStd { get; init; }

    /// <summary>Optional name of the data set the model was trained on (informative only).</summary>
    public string? Dataset { get; init; }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The spec as compact JSON (snake_case keys), the form stored in checkpoints.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses a spec written by <see cref="ToJson"/> and checks it; bad JSON or values raise a <see cref="ModelSpecException"/>.</summary>
    public static ModelSpec FromJson(string json)
    {
        ModelSpec? spec;
        try { spec = JsonSerializer.Deserialize<ModelSpec>(json, JsonOptions); }
        catch (JsonException e) { throw new ModelSpecException($"not a valid model description ({e.Message})", source: "ModelSpec.FromJson"); }
        if (spec is null) throw new ModelSpecException("the model description is null", source: "ModelSpec.FromJson");
        spec.Validate();
        return spec;
    }

    /// <summary>The number of input values of one sample, the product of <see cref="InputShape"/>.</summary>
    public int InputSize => InputShape.Aggregate(1, (a, b) => a * b);

    /// <summary>The largest size <see cref="Validate"/> accepts for one sample's values, a hidden size, the outputs or the code.</summary>
    public const int MaxSize = 1 << 24;

    /// <summary>The most parameters a spec may describe (268,435,456: 1 GiB of float32 weights).</summary>
    public const long MaxParameters = 1L << 28;

    /// <summary>The most values one CNN layer may produce for one sample (its channels times its height times its width).</summary>
    public const long MaxActivations = 1L << 26;

    /// <summary>The longest sequence an rnn or lstm may take (time steps), and a transformer (whose attention is quadratic in it).</summary>
    public const int MaxSteps = 1 << 16, MaxAttentionSteps = 4096;

    /// <summary>
    /// The number of parameters (weights and biases) of the module <see cref="Build"/> would make, computed from the
    /// sizes alone, so a spec read from a file can be checked against the file's tensors before anything is allocated.
    /// </summary>
    public long ParameterCount()
    {
        Validate();
        return (long)CountParameters();
    }

    /// <summary>
    /// The number of values in the module's state dict: <see cref="ParameterCount"/> plus the buffers (a BatchNorm's
    /// running mean, variance and batch count), which a checkpoint's tensors are checked against.
    /// </summary>
    public long StateCount()
    {
        long n = ParameterCount();
        if (Kind == "cnn" && BatchNorm) n += Hidden.Sum(c => 2L * c + 1);
        return n;
    }

    private static Int128 LinearCount(Int128 inputs, Int128 outputs) => inputs * outputs + outputs;

    // Int128: sizes up to MaxSize multiply without overflow before Validate compares the total with MaxParameters.
    private Int128 CountParameters()
    {
        Int128 n = 0;
        int width = Width(32);
        switch (Kind)
        {
            case "linear": return LinearCount(InputSize, Outputs);
            case "poly": return LinearCount((Int128)InputSize * Degree, Outputs);
            case "mlp":
                {
                    Int128 prev = InputSize;
                    foreach (int h in Hidden) { n += LinearCount(prev, h); prev = h; }
                    return n + LinearCount(prev, Outputs);
                }
            case "autoencoder":
                {
                    Int128 prev = InputSize;
                    foreach (int h in Hidden) { n += LinearCount(prev, h); prev = h; }
                    n += LinearCount(prev, Latent);
                    prev = Latent;
                    foreach (int h in Hidden.Reverse()) { n += LinearCount(prev, h); prev = h; }
                    return n + LinearCount(prev, InputSize);
                }
            case "cnn":
                {
                    // Mirrors ZooLayers.Cnn: conv k×k with bias, then a 2×2 pool while there is something to halve.
                    Int128 c = InputShape[0];
                    int h = InputShape[1], w = InputShape[2];
                    foreach (int channels in Hidden)
                    {
                        n += c * channels * Kernel * Kernel + channels;
                        if (BatchNorm) n += 2 * channels; // γ, β
                        if (h >= 2 && w >= 2) { h /= 2; w /= 2; }
                        c = channels;
                    }
                    return n + LinearCount(c * h * w, Outputs);
                }
            case "rnn" or "lstm":
                {
                    int gates = Kind == "lstm" ? 4 : 1, layers = Math.Max(1, Hidden.Length);
                    Int128 g = (Int128)gates * width;
                    n = g * InputShape[1] + g * width + 2 * g; // layer 0: W_ih, W_hh, b_ih, b_hh
                    n += (layers - 1) * (2 * g * width + 2 * g);
                    return n + LinearCount(width, Outputs);
                }
            case "transformer":
                {
                    Int128 d = width;
                    n = LinearCount(InputShape[1], d) + InputShape[0] * d; // embedding and positions
                    n += 3 * d * d + 3 * d + LinearCount(d, d); // attention: in_proj, out_proj
                    n += LinearCount(d, 2 * d) + LinearCount(2 * d, d) + 4 * d; // feed-forward, two layer norms
                    return n + LinearCount(d, Outputs);
                }
            default: throw new ModelSpecException($"unknown model '{Kind}'");
        }
    }

    // The caps on sizes: checked before any product of them is taken.
    private void ValidateSizes()
    {
        if (InputShape.Any(d => d > MaxSize) || InputShape.Aggregate(1L, (a, b) => Math.Min(a * b, (long)MaxSize + 1)) > MaxSize)
            throw new ModelSpecException($"input shape {Show(InputShape)} holds more than {MaxSize:N0} values per sample");
        if (Hidden.Any(h => h > MaxSize)) throw new ModelSpecException($"hidden sizes {Show(Hidden)} must be at most {MaxSize:N0}", nameof(Hidden));
        if (Hidden.Length > 1024) throw new ModelSpecException($"{Hidden.Length} hidden layers are more than the 1,024 allowed", nameof(Hidden));
        if (Outputs > MaxSize) throw new ModelSpecException($"outputs must be at most {MaxSize:N0}, got {Outputs}");
        if (Kind == "autoencoder" && Latent > MaxSize) throw new ModelSpecException($"latent size must be at most {MaxSize:N0}, got {Latent}", nameof(Latent));
        if (Kind == "transformer" && Heads > MaxSize) throw new ModelSpecException($"the number of attention heads must be at most {MaxSize:N0}, got {Heads}", nameof(Heads));
        if (Kind is "rnn" or "lstm" && InputShape[0] > MaxSteps)
            throw new ModelSpecException($"a {Kind} takes at most {MaxSteps:N0} time steps, got input shape {Show(InputShape)}");
        if (Kind == "transformer" && InputShape[0] > MaxAttentionSteps)
            throw new ModelSpecException($"a transformer takes at most {MaxAttentionSteps:N0} time steps, got input shape {Show(InputShape)}");
        if (Kind == "cnn")
        {
            long h = InputShape[1], w = InputShape[2];
            foreach (int channels in Hidden)
            {
                if (channels * h * w > MaxActivations)
                    throw new ModelSpecException($"a cnn layer of {channels} channels on {h}x{w} images produces {channels * h * w:N0} values per sample, more than {MaxActivations:N0}", nameof(Hidden));
                if (h >= 2 && w >= 2) { h /= 2; w /= 2; }
            }
        }
        Int128 count = CountParameters();
        if (count > MaxParameters)
            throw new ModelSpecException($"the model has {count:N0} parameters, more than the limit of {MaxParameters:N0}");
    }

    /// <summary>Throws a <see cref="ModelSpecException"/> naming the first value that cannot be built.</summary>
    public void Validate()
    {
        if (!Kinds.Contains(Kind)) throw new ModelSpecException($"unknown model '{Kind}' (known: {string.Join(", ", Kinds)})", nameof(Kind));
        if (!Activations.Contains(Activation)) throw new ModelSpecException($"unknown activation '{Activation}' (known: {string.Join(", ", Activations)})", nameof(Activation));
        if (!Tasks.Contains(Task)) throw new ModelSpecException($"unknown task '{Task}' (known: {string.Join(", ", Tasks)})", nameof(Task));
        if (InputShape is null || InputShape.Length == 0 || InputShape.Any(d => d <= 0))
            throw new ModelSpecException($"input shape {Show(InputShape)} must have positive sizes");
        if (Hidden is null || Hidden.Any(h => h <= 0)) throw new ModelSpecException($"hidden sizes {Show(Hidden)} must be positive", nameof(Hidden));
        if (!(Dropout >= 0f && Dropout < 1f)) throw new ModelSpecException($"dropout must be in [0, 1), got {Dropout.ToString(CultureInfo.InvariantCulture)}", nameof(Dropout));
        if (Outputs <= 0) throw new ModelSpecException($"outputs must be positive, got {Outputs}");
        if (Kind == "poly" && (Degree < 1 || Degree > 30)) throw new ModelSpecException($"polynomial degree must be in 1..30, got {Degree}", nameof(Degree));
        if (Kind == "cnn" && (Kernel < 1 || Kernel % 2 == 0 || Kernel > 15)) throw new ModelSpecException($"the kernel size must be odd and in 1..15, got {Kernel}", nameof(Kernel));
        if (Kind == "autoencoder" && Latent <= 0) throw new ModelSpecException($"latent size must be positive, got {Latent}", nameof(Latent));
        if (Kind == "cnn" && InputShape.Length != 3)
            throw new ModelSpecException($"a cnn takes images of shape (channels, height, width), got input shape {Show(InputShape)}");
        if (Kind is "rnn" or "lstm" or "transformer" && InputShape.Length != 2)
            throw new ModelSpecException($"a {Kind} takes sequences of shape (time steps, features), got input shape {Show(InputShape)}");
        if (Kind is "rnn" or "lstm" && Hidden.Distinct().Count() > 1)
            throw new ModelSpecException($"stacked {Kind} layers share one size; give it once per layer, e.g. 32,32 (got {Show(Hidden)})", nameof(Hidden));
        if (Kind == "transformer" && Heads <= 0)
            throw new ModelSpecException($"the number of attention heads must be positive, got {Heads}", nameof(Heads));
        ValidateSizes();
        if (Kind == "transformer" && Width(32) % Heads != 0)
            throw new ModelSpecException($"the transformer width {Width(32)} must be a multiple of the {Heads} heads", nameof(Heads));
        if ((InputMean is null) != (InputStd is null))
            throw new ModelSpecException("input mean and input std must be given together");
        if (InputMean is not null && InputMean.Length != InputSize && InputMean.Length != InputShape[^1])
            throw new ModelSpecException($"input mean has {InputMean.Length} values, the input has {InputSize} ({InputShape[^1]} per step)");
        if (InputStd is not null && (InputStd.Length != InputMean!.Length || InputStd.Any(v => !(v > 0))))
            throw new ModelSpecException($"input std must have {InputMean!.Length} positive values");
    }

    /// <summary>
    /// Standardises a raw batch (B, ...<see cref="InputShape"/>) as the model saw its training data:
    /// (x - <see cref="InputMean"/>) / <see cref="InputStd"/>, per value or per feature of the last dimension;
    /// returns the batch unchanged when the spec holds no statistics.
    /// </summary>
    public Tensor Normalize(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return InputStatistics() is var (mean, std) ? (batch - mean) / std : batch;
    }

    /// <summary>
    /// The stored <see cref="InputMean"/> and <see cref="InputStd"/> as tensors that broadcast against a batch: of shape
    /// <see cref="InputShape"/> when there is one value per input value, else one per feature of the last dimension;
    /// null when the spec holds no statistics. <see cref="Normalize"/> and the ONNX and PyTorch exports use them.
    /// </summary>
    public (Tensor Mean, Tensor Std)? InputStatistics()
    {
        if (InputMean is null || InputStd is null) return null;
        int[] shape = InputMean.Length == InputSize ? InputShape : [InputMean.Length];
        return (Tensor.FromArray(InputMean, shape), Tensor.FromArray(InputStd, shape));
    }

    private int Width(int fallback) => Hidden.Length > 0 ? Hidden[0] : fallback;

    /// <summary>Formats a shape as <c>(2x3)</c>.</summary>
    public static string Show(int[]? shape) => shape is null ? "null" : "(" + string.Join("x", shape) + ")";

    /// <summary>Makes the activation module named by <see cref="Activation"/>.</summary>
    public Module MakeActivation() => Activation switch
    {
        "relu" => new Relu(),
        "tanh" => new Tanh(),
        "sigmoid" => new Sigmoid(),
        "gelu" => new Gelu(),
        "leaky-relu" => new LeakyRelu(),
        "elu" => new Elu(),
        "softplus" => new Softplus(),
        _ => throw new ModelSpecException($"unknown activation '{Activation}'"),
    };

    /// <summary>
    /// Builds the described module with PyTorch's default initialisation drawn from <paramref name="generator"/>
    /// (the default generator when null). Its input is a batch (B, ...<see cref="InputShape"/>); its output is
    /// (B, <see cref="Outputs"/>), or (B, ...InputShape) for an autoencoder.
    /// </summary>
    public Module Build(Generator? generator = null)
    {
        Validate();
        return Kind switch
        {
            "linear" => new ZooLinear(InputSize, Outputs, 1, generator),
            "poly" => new ZooLinear(InputSize, Outputs, Degree, generator),
            "mlp" => BuildMlp(generator),
            "autoencoder" => BuildAutoencoder(generator),
            "cnn" or "rnn" or "lstm" or "transformer" => ZooLayers.Build(this, generator),
            _ => throw new ModelSpecException($"unknown model '{Kind}'"),
        };
    }

    private Sequential BuildMlp(Generator? generator)
    {
        // Named layers give PyTorch-style state-dict keys: fc1.weight, fc1.bias, …, the last layer fc{n}.
        var layers = new List<(string, Module)> { ("flatten", new Flatten()) };
        int prev = InputSize, i = 0;
        foreach (int h in Hidden)
        {
            i++;
            layers.Add(($"fc{i}", new Linear(prev, h, generator: generator)));
            layers.Add(($"act{i}", MakeActivation()));
            if (Dropout > 0) layers.Add(($"dropout{i}", new NN.Dropout(Dropout, generator)));
            prev = h;
        }
        layers.Add(($"fc{i + 1}", new Linear(prev, Outputs, generator: generator)));
        return new Sequential([.. layers]);
    }

    /// <summary>
    /// A fully connected autoencoder: the encoder maps the flattened input through the hidden sizes to the latent
    /// code, the decoder mirrors it back, and a sigmoid puts the output in [0, 1] like the pixels it reconstructs;
    /// keys encoder.fc1.weight, …, decoder.fc{n}.bias.
    /// </summary>
    private Autoencoder BuildAutoencoder(Generator? generator)
    {
        var enc = new List<(string, Module)> { ("flatten", new Flatten()) };
        int prev = InputSize, i = 0;
        foreach (int h in Hidden)
        {
            i++;
            enc.Add(($"fc{i}", new Linear(prev, h, generator: generator))); // (B, prev) -> (B, h)
            enc.Add(($"act{i}", MakeActivation()));
            prev = h;
        }
        enc.Add(($"fc{i + 1}", new Linear(prev, Latent, generator: generator))); // -> code (B, latent)
        var dec = new List<(string, Module)>();
        prev = Latent;
        i = 0;
        foreach (int h in Hidden.Reverse())
        {
            i++;
            dec.Add(($"fc{i}", new Linear(prev, h, generator: generator)));
            dec.Add(($"act{i}", MakeActivation()));
            prev = h;
        }
        dec.Add(($"fc{i + 1}", new Linear(prev, InputSize, generator: generator))); // (B, input size)
        dec.Add(("sigmoid", new Sigmoid()));
        return new Autoencoder(new Sequential([.. enc]), new Sequential([.. dec]), InputShape); // output (B, ...InputShape)
    }

    private static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    /// <summary>A one-line description, e.g. <c>mlp 784-128-64-10 relu</c>.</summary>
    public string Describe() => Kind switch
    {
        "mlp" => $"mlp {string.Join("-", new[] { InputSize }.Concat(Hidden).Append(Outputs))} {Activation}" + (Dropout > 0 ? $" dropout {Dropout.ToString(CultureInfo.InvariantCulture)}" : ""),
        "poly" => $"poly degree {Degree}" + (InputSize > 1 || Outputs > 1 ? $", {InputSize} inputs, {Outputs} outputs" : ""),
        "linear" => $"linear {InputSize} -> {Outputs}",
        "cnn" => $"cnn {ModelSpec.Show(InputShape)} conv {Kernel}x{Kernel} channels {string.Join("-", Hidden)}{(BatchNorm ? " batch-norm" : "")} -> {Outputs} {Activation}",
        "rnn" or "lstm" => $"{Kind} on {InputShape[0]} steps of {Plural(InputShape[1], "value")}, hidden {(Hidden.Length > 0 ? Hidden[0] : 32)}" + (Hidden.Length > 1 ? $" x {Hidden.Length} layers" : "") + $" -> {Outputs}",
        "transformer" => $"transformer on {InputShape[0]} steps of {Plural(InputShape[1], "value")}, width {(Hidden.Length > 0 ? Hidden[0] : 32)}, {Heads} heads -> {Outputs}",
        "autoencoder" => $"autoencoder {string.Join("-", new[] { InputSize }.Concat(Hidden).Append(Latent).Concat(Hidden.Reverse()).Append(InputSize))} {Activation}",
        _ => $"{Kind} input {Show(InputShape)}, hidden {Show(Hidden)}, {Outputs} output(s), {Activation}",
    };
}

/// <summary>
/// The linear hypothesis h(x) = wᵀφ(x) + b on polynomial features φ(x) = (x, x², …, x^d) of each input value
/// (d = 1 gives a plain linear model); the zoo's <c>linear</c> and <c>poly</c> models.
/// </summary>
public sealed class ZooLinear : Module
{
    /// <summary>The polynomial degree d.</summary>
    public int Degree { get; }

    /// <summary>The fully connected layer on the features.</summary>
    public Linear Fc { get; }

    /// <summary>Creates the model for <paramref name="inputs"/> values per sample, <paramref name="outputs"/> outputs and degree <paramref name="degree"/>.</summary>
    public ZooLinear(int inputs, int outputs, int degree, Generator? generator = null)
    {
        Degree = degree;
        Fc = RegisterModule("fc", new Linear(inputs * degree, outputs, generator: generator));
    }

    /// <summary>The features φ(x) of a batch: (B, inputs·d) holding x, x², …, x^d side by side.</summary>
    public Tensor Features(Tensor input)
    {
        var x = input.Flatten(1); // (B, F)
        if (Degree == 1) return x;
        var powers = new List<Tensor> { x };
        for (int k = 2; k <= Degree; k++) powers.Add(powers[^1] * x);
        return Tensor.Cat(powers, 1); // (B, F·d)
    }

    /// <summary>Computes wᵀφ(x) + b.</summary>
    public override Tensor Forward(Tensor input) => Fc.Forward(Features(input));

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"degree={Degree}";
}
