using Pitts.NN;

namespace Pitts.Lab.Zoo;

/// <summary>
/// The lab's digit CNN, the lecture's stack: Conv(1→8, 5×5) → ReLU → MaxPool 2 → Conv(8→16, 5×5) → ReLU → MaxPool 2
/// → Flatten → Linear(256 → 10). Input (N, 1, 28, 28); output logits (N, 10).
/// </summary>
public sealed class DigitCnn : Module
{
    /// <summary>First convolution (8 filters of 5×5).</summary>
    public Conv2d Conv1 { get; }

    /// <summary>Second convolution (16 filters of 8×5×5).</summary>
    public Conv2d Conv2 { get; }

    /// <summary>The classifier on the flattened 16×4×4 maps.</summary>
    public Linear Fc { get; }

    /// <summary>Channels of the first convolution.</summary>
    public const int C1 = 8;

    /// <summary>Channels of the second convolution.</summary>
    public const int C2 = 16;

    /// <summary>Creates the network with PyTorch's default initialisation.</summary>
    public DigitCnn(Generator? generator = null)
    {
        Conv1 = RegisterModule("conv1", new Conv2d(1, C1, 5, generator: generator));
        Conv2 = RegisterModule("conv2", new Conv2d(C1, C2, 5, generator: generator));
        Fc = RegisterModule("fc", new Linear(C2 * 4 * 4, 10, generator: generator));
    }

    /// <summary>Every intermediate map: conv1 after ReLU (N,8,24,24), pool1 (N,8,12,12), conv2 after ReLU (N,16,8,8), pool2 (N,16,4,4), logits.</summary>
    public (Tensor Conv1, Tensor Pool1, Tensor Conv2, Tensor Pool2, Tensor Logits) Features(Tensor x)
    {
        var a1 = Conv1.Forward(x).Relu();        // (N, 8, 24, 24)
        var p1 = a1.MaxPool2d(2);                // (N, 8, 12, 12)
        var a2 = Conv2.Forward(p1).Relu();       // (N, 16, 8, 8)
        var p2 = a2.MaxPool2d(2);                // (N, 16, 4, 4)
        var logits = Fc.Forward(p2.Flatten(1));  // (N, 10)
        return (a1, p1, a2, p2, logits);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Features(input).Logits;
}

/// <summary>Builders for the zoo's models.</summary>
public static class ZooModels
{
    /// <summary>
    /// The denoising autoencoder with a code of <paramref name="latent"/> numbers (2 by default, to draw the latent
    /// plane): 784 → 256 → 64 → latent (encoder, ReLU between) and latent → 64 → 256 → 784 with a sigmoid output
    /// (decoder), the library's <see cref="Autoencoder"/>.
    /// </summary>
    public static Autoencoder DenoisingAutoencoder(Generator? g = null, int latent = 2) => new(
        new Sequential(new Linear(784, 256, generator: g), new Relu(), new Linear(256, 64, generator: g), new Relu(), new Linear(64, latent, generator: g)),
        new Sequential(new Linear(latent, 64, generator: g), new Relu(), new Linear(64, 256, generator: g), new Relu(), new Linear(256, 784, generator: g), new Sigmoid()));

    /// <summary>A linear autoencoder without biases, 784 → k → 784 (for centred data: it learns PCA's subspace).</summary>
    public static Autoencoder LinearAutoencoder(int k, Generator? g = null) =>
        new(new Linear(784, k, bias: false, generator: g), new Linear(k, 784, bias: false, generator: g));
}

/// <summary>Which recurrent cell a <see cref="SequencePredictor"/> uses.</summary>
public enum CellKind
{
    /// <summary>The Elman RNN h' = tanh(W_x x + W_h h + b).</summary>
    Rnn,

    /// <summary>The long short-term memory cell.</summary>
    Lstm,
}

/// <summary>
/// A one-step-ahead predictor: a recurrent layer (hidden size H) reads x(t) and a linear read-out gives x̂(t+1) = W_y h(t) + b_y.
/// State is passed explicitly so the page can run it freely, one step at a time.
/// </summary>
public sealed class SequencePredictor : Module
{
    /// <summary>The cell kind.</summary>
    public CellKind Kind { get; }

    /// <summary>The hidden size.</summary>
    public int Hidden { get; }

    /// <summary>The recurrent layer (Rnn or Lstm), batch first.</summary>
    public RecurrentLayer Cell { get; }

    /// <summary>The read-out W_y, b_y.</summary>
    public Linear Head { get; }

    /// <summary>Creates the predictor.</summary>
    public SequencePredictor(CellKind kind, int hidden = 32, Generator? g = null)
    {
        Kind = kind;
        Hidden = hidden;
        Cell = RegisterModule<RecurrentLayer>("cell", kind == CellKind.Rnn ? new Rnn(1, hidden, batchFirst: true, generator: g) : new Lstm(1, hidden, batchFirst: true, generator: g));
        Head = RegisterModule("head", new Linear(hidden, 1, generator: g));
    }

    /// <summary>Predictions for every step of x (N, T, 1): x̂ (N, T, 1), and the final state.</summary>
    public (Tensor Prediction, object? State) Run(Tensor x, object? state)
    {
        Tensor output;
        object? next;
        if (Cell is Rnn rnn)
        {
            var (o, h) = rnn.Forward(x, (Tensor?)state);
            (output, next) = (o, h);
        }
        else
        {
            var (o, s) = ((Lstm)Cell).Forward(x, ((Tensor H, Tensor C)?)state);
            (output, next) = (o, s);
        }
        return (Head.Forward(output), next); // (N, T, H) -> (N, T, 1)
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Run(input, null).Prediction;

    /// <summary>
    /// Reads the first <paramref name="warmup"/> true values, then feeds its own predictions back for the remaining
    /// steps; returns the one-step predictions x̂(t+1) for t = 0 … length-2 (teacher-forced for t &lt; warmup).
    /// </summary>
    public float[] FreeRun(ReadOnlySpan<float> truth, int warmup)
    {
        using var _ = Autograd.NoGrad();
        var pred = new float[truth.Length - 1];
        object? state = null;
        float input = truth[0];
        for (int t = 0; t < truth.Length - 1; t++)
        {
            var (y, s) = Run(Tensor.FromArray([t < warmup ? truth[t] : input], 1, 1, 1), state);
            state = s;
            pred[t] = y.Item();
            input = pred[t];
        }
        return pred;
    }
}

/// <summary>
/// A one-block transformer for digit sequences: token embedding plus learned position embedding, a pre-norm block
/// h = x + MHA(LN(x)), h = h + FFN(LN(h)), and a linear read-out of ten logits per position. The attention weights of
/// every head are returned for drawing.
/// </summary>
public sealed class TinyTransformer : Module
{
    /// <summary>Sequence length.</summary>
    public int Length { get; }

    /// <summary>Model width.</summary>
    public int DModel { get; }

    /// <summary>Number of heads.</summary>
    public int Heads { get; }

    private readonly Embedding _tok, _pos;
    private readonly LayerNorm _ln1, _ln2, _lnF;
    private readonly MultiheadAttention _attn;
    private readonly Linear _ff1, _ff2, _out;

    /// <summary>Creates the model.</summary>
    public TinyTransformer(int length = 6, int dModel = 32, int heads = 2, Generator? g = null)
    {
        (Length, DModel, Heads) = (length, dModel, heads);
        _tok = RegisterModule("tok", new Embedding(10, dModel, generator: g));
        _pos = RegisterModule("pos", new Embedding(length, dModel, generator: g));
        _ln1 = RegisterModule("ln1", new LayerNorm(dModel));
        _attn = RegisterModule("attn", new MultiheadAttention(dModel, heads, batchFirst: true, generator: g));
        _ln2 = RegisterModule("ln2", new LayerNorm(dModel));
        _ff1 = RegisterModule("ff1", new Linear(dModel, 4 * dModel, generator: g));
        _ff2 = RegisterModule("ff2", new Linear(4 * dModel, dModel, generator: g));
        _lnF = RegisterModule("lnf", new LayerNorm(dModel));
        _out = RegisterModule("out", new Linear(dModel, 10, generator: g));
    }

    /// <summary>Logits (N, L, 10) for digit tokens (N, L), and the attention weights per head (N, heads, L, L).</summary>
    public (Tensor Logits, Tensor Attention) Run(Tensor tokens)
    {
        int n = tokens.Shape[0];
        var positions = Tensor.Arange(Length).Unsqueeze(0).Expand(n, Length);
        var x = _tok.Forward(tokens) + _pos.Forward(positions);          // (N, L, D)
        var a = _ln1.Forward(x);
        var (att, weights) = _attn.Forward(a, a, a, averageAttnWeights: false);
        var h = x + att;                                                  // (N, L, D)
        h = h + _ff2.Forward(_ff1.Forward(_ln2.Forward(h)).Relu());
        return (_out.Forward(_lnF.Forward(h)), weights);                   // (N, L, 10), (N, heads, L, L)
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Run(input).Logits;
}
