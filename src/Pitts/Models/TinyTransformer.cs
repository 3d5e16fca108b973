using Pitts.NN;

namespace Pitts.Models;

/// <summary>
/// A one-block transformer for digit sequences (the lab's attention page): token embedding plus learned position
/// embedding, a pre-norm block h = x + MHA(LN(x)), h = h + FFN(LN(h)), and a linear read-out of ten logits per
/// position. <see cref="Run"/> also returns every head's attention weights, for drawing. State-dict keys tok.*, pos.*,
/// ln1.*, attn.*, ln2.*, ff1.*, ff2.*, lnf.*, out.* (the lab's shipped weights).
/// </summary>
public sealed class TinyTransformer : Module
{
    private readonly Embedding _tok, _pos;
    private readonly LayerNorm _ln1, _ln2, _lnF;
    private readonly MultiheadAttention _attn;
    private readonly Linear _ff1, _ff2, _out;

    /// <summary>Creates the model for sequences of <paramref name="length"/> digits, width <paramref name="dModel"/>.</summary>
    public TinyTransformer(int length = 6, int dModel = 32, int heads = 2, Generator? generator = null)
    {
        (Length, DModel, Heads) = (length, dModel, heads);
        _tok = RegisterModule("tok", new Embedding(10, dModel, generator: generator));
        _pos = RegisterModule("pos", new Embedding(length, dModel, generator: generator));
        _ln1 = RegisterModule("ln1", new LayerNorm(dModel));
        _attn = RegisterModule("attn", new MultiheadAttention(dModel, heads, batchFirst: true, generator: generator));
        _ln2 = RegisterModule("ln2", new LayerNorm(dModel));
        _ff1 = RegisterModule("ff1", new Linear(dModel, 4 * dModel, generator: generator));
        _ff2 = RegisterModule("ff2", new Linear(4 * dModel, dModel, generator: generator));
        _lnF = RegisterModule("lnf", new LayerNorm(dModel));
        _out = RegisterModule("out", new Linear(dModel, 10, generator: generator));
    }

    /// <summary>Sequence length L.</summary>
    public int Length { get; }

    /// <summary>Model width D.</summary>
    public int DModel { get; }

    /// <summary>Number of heads.</summary>
    public int Heads { get; }

    /// <summary>Logits (N, L, 10) for digit tokens (N, L), and the attention weights per head (N, heads, L, L).</summary>
    public (Tensor Logits, Tensor Attention) Run(Tensor tokens)
    {
        int n = tokens.Shape[0];
        var positions = Tensor.Arange(Length).Unsqueeze(0).Expand(n, Length); // (N, L)
        var x = _tok.Forward(tokens) + _pos.Forward(positions);                // (N, L, D)
        var a = _ln1.Forward(x);
        var (att, weights) = _attn.Forward(a, a, a, averageAttnWeights: false); // (N, L, D), (N, heads, L, L)
        var h = x + att;                                                        // (N, L, D)
        h = h + _ff2.Forward(_ff1.Forward(_ln2.Forward(h)).Relu());             // (N, L, 4D) -> (N, L, D)
        return (_out.Forward(_lnF.Forward(h)), weights);                        // (N, L, 10)
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Run(input).Logits;
}
