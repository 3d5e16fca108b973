namespace Pitts.NN;

/// <summary>
/// Multi-head attention (Vaswani et al., 2017), PyTorch's <c>nn.MultiheadAttention</c>: per head h,
/// softmax(Q_h·K_hᵀ/√d + mask)·V_h with Q = query·W_qᵀ + b_q (likewise K, V), the heads concatenated and projected
/// by <c>out_proj</c>. Parameters as PyTorch names them: <c>in_proj_weight</c> (3E, E, Xavier uniform),
/// <c>in_proj_bias</c> (3E, zeros), <c>out_proj.weight</c>, <c>out_proj.bias</c> (zeros). Inputs are (L, N, E)
/// by default, as in PyTorch, or (N, L, E) with batchFirst.
/// </summary>
public sealed class MultiheadAttention : Module
{
    private readonly float _dropoutP;
    private readonly Generator? _generator;

    /// <summary>The model width E.</summary>
    public int EmbedDim { get; }

    /// <summary>The number of heads; E must be divisible by it.</summary>
    public int NumHeads { get; }

    /// <summary>True when inputs are (N, L, E), false for (L, N, E).</summary>
    public bool BatchFirst { get; }

    /// <summary>The stacked query, key and value projection weights, shape (3E, E).</summary>
    public Tensor InProjWeight { get; }

    /// <summary>The stacked projection biases, shape (3E), or null.</summary>
    public Tensor? InProjBias { get; }

    /// <summary>The output projection.</summary>
    public Linear OutProj { get; }

    /// <summary>Creates the layer; attention weights are dropped with probability <paramref name="dropout"/> in training.</summary>
    public MultiheadAttention(int embedDim, int numHeads, float dropout = 0f, bool bias = true, bool batchFirst = false, Generator? generator = null)
    {
        if (embedDim <= 0 || numHeads <= 0 || embedDim % numHeads != 0)
            throw new PittsException($"MultiheadAttention: embed dim {embedDim} must be positive and divisible by the number of heads {numHeads}");
        (EmbedDim, NumHeads, BatchFirst) = (embedDim, numHeads, batchFirst);
        InProjWeight = RegisterParameter("in_proj_weight", Init.XavierUniform(Tensor.Zeros(3 * embedDim, embedDim), 1, generator));
        if (bias) InProjBias = RegisterParameter("in_proj_bias", Tensor.Zeros(3 * embedDim));
        else RegisterParameter("in_proj_bias");
        OutProj = RegisterModule("out_proj", new Linear(embedDim, embedDim, bias, generator));
        if (OutProj.Bias is not null) OutProj.Bias.AsSpan().Clear();
        if (!(dropout >= 0f && dropout <= 1f)) throw new PittsException($"MultiheadAttention: dropout must be in [0, 1], got {dropout}");
        (_dropoutP, _generator) = (dropout, generator); // a float, not a module, as in PyTorch
    }

    /// <summary>
    /// Attends from <paramref name="query"/> (L, N, E) over <paramref name="key"/> and <paramref name="value"/> (S, N, E),
    /// or (N, L, E) and (N, S, E) when <see cref="BatchFirst"/>.
    /// <paramref name="attnMask"/> is added to the scores: (L, S) or (N·heads, L, S), -∞ where attention is not allowed
    /// (see <see cref="CausalMask"/>); <paramref name="keyPaddingMask"/> (N, S) is non-zero at padding keys, which get no
    /// attention. Returns the output in the query's layout and the attention weights, averaged over heads (N, L, S) like PyTorch,
    /// or per head (N, heads, L, S) when <paramref name="averageAttnWeights"/> is false.
    /// </summary>
    public (Tensor Output, Tensor Weights) Forward(Tensor query, Tensor key, Tensor value, Tensor? keyPaddingMask = null, Tensor? attnMask = null, bool averageAttnWeights = true)
    {
        var (output, weights) = Run(query, key, value, keyPaddingMask, attnMask, needWeights: true);
        return (output, averageAttnWeights ? weights!.Mean(1) : weights!);
    }

    /// <summary>
    /// The output of <see cref="Forward(Tensor, Tensor, Tensor, Tensor?, Tensor?, bool)"/> without the attention
    /// weights (PyTorch's <c>need_weights=False</c>, what its encoder layer asks for): the weights then need no
    /// gradient of their own, so the heads run as one fused primitive even in training.
    /// </summary>
    public Tensor Attend(Tensor query, Tensor key, Tensor value, Tensor? keyPaddingMask = null, Tensor? attnMask = null)
        => Run(query, key, value, keyPaddingMask, attnMask, needWeights: false).Output;

    /// <summary>Self-attention of the input with itself; returns only the output.</summary>
    public override Tensor Forward(Tensor input) => Attend(input, input, input);

    private (Tensor Output, Tensor? Weights) Run(Tensor query, Tensor key, Tensor value, Tensor? keyPaddingMask, Tensor? attnMask, bool needWeights)
    {
        if (query.Rank != 3 || key.Rank != 3 || value.Rank != 3 || query.Shape[2] != EmbedDim || key.Shape[2] != EmbedDim || value.Shape[2] != EmbedDim)
            throw new ShapeException($"MultiheadAttention: query, key and value must be 3-D with last dimension {EmbedDim}, got {Fmt.Shape(query._shape)}, {Fmt.Shape(key._shape)}, {Fmt.Shape(value._shape)}");
        bool self = ReferenceEquals(query, key) && ReferenceEquals(key, value);
        if (!BatchFirst)
        {
            query = query.Transpose(0, 1);
            key = self ? query : key.Transpose(0, 1);
            value = self ? query : value.Transpose(0, 1);
        }
        int n = query.Shape[0], l = query.Shape[1], s = key.Shape[1], e = EmbedDim, h = NumHeads, d = e / h;
        if (key.Shape[0] != n || value.Shape[0] != n || value.Shape[1] != s)
            throw new ShapeException($"MultiheadAttention: key {Fmt.Shape(key._shape)} and value {Fmt.Shape(value._shape)} must share batch and length, with query {Fmt.Shape(query._shape)}");
        if (attnMask is not null && !(attnMask.Rank == 2 && attnMask.Shape[0] == l && attnMask.Shape[1] == s)
            && !(attnMask.Rank == 3 && attnMask.Shape[0] == n * h && attnMask.Shape[1] == l && attnMask.Shape[2] == s))
            throw new ShapeException($"MultiheadAttention: attention mask must be ({l} x {s}) or ({n * h} x {l} x {s}), got {Fmt.Shape(attnMask._shape)}");
        if (keyPaddingMask is not null && (keyPaddingMask.Rank != 2 || keyPaddingMask.Shape[0] != n || keyPaddingMask.Shape[1] != s))
            throw new ShapeException($"MultiheadAttention: key padding mask must be ({n} x {s}), got {Fmt.Shape(keyPaddingMask._shape)}");

        // The fused heads (Ops/Attention.cs) give weights without a gradient and no dropout on them; the composed
        // form below covers those cases and is the reference the tests hold the fused one to.
        bool dropping = Training && _dropoutP > 0f;
        bool weightsNeedGrad = needWeights && Autograd.IsGradEnabled;
        bool maskNeedsGrad = attnMask is { RequiresGrad: true } || keyPaddingMask is { RequiresGrad: true };
        (Tensor Output, Tensor? Weights) r = dropping || weightsNeedGrad || maskNeedsGrad
            ? Composed(query, key, value, keyPaddingMask, attnMask)
            : Fused(query, key, value, keyPaddingMask, attnMask, self);
        var o = OutProj.Forward(r.Output);
        if (!BatchFirst) o = o.Transpose(0, 1);
        return (Report(o), r.Weights);
    }

    private (Tensor Output, Tensor Weights) Fused(Tensor query, Tensor key, Tensor value, Tensor? keyPaddingMask, Tensor? attnMask, bool self)
    {
        int e = EmbedDim;
        if (self) // one (N, L, 3E) projection; the heads read q, k and v from its three column blocks
        {
            var qkv = Tensor.Linear(query, InProjWeight, InProjBias);
            return AttentionCore.Forward(qkv, 0, qkv, e, qkv, 2 * e, NumHeads, e / NumHeads, attnMask, keyPaddingMask);
        }
        var (q, k, v) = Project(query, key, value);
        return AttentionCore.Forward(q, 0, k, 0, v, 0, NumHeads, e / NumHeads, attnMask, keyPaddingMask);
    }

    private (Tensor Q, Tensor K, Tensor V) Project(Tensor query, Tensor key, Tensor value)
    {
        int e = EmbedDim;
        Tensor? Part(Tensor? b, int i) => b?.Narrow(0, i * e, e);
        return (Tensor.Linear(query, InProjWeight.Narrow(0, 0, e), Part(InProjBias, 0)),
                Tensor.Linear(key, InProjWeight.Narrow(0, e, e), Part(InProjBias, 1)),
                Tensor.Linear(value, InProjWeight.Narrow(0, 2 * e, e), Part(InProjBias, 2)));
    }

    /// <summary>The textbook form, op by op: per-head Q·Kᵀ/√d + mask, softmax, dropout, ·V.</summary>
    private (Tensor Output, Tensor Weights) Composed(Tensor query, Tensor key, Tensor value, Tensor? keyPaddingMask, Tensor? attnMask)
    {
        int n = query.Shape[0], l = query.Shape[1], s = key.Shape[1], e = EmbedDim, h = NumHeads, d = e / h;
        var (q, k, v) = Project(query, key, value);
        q = q.Reshape(n, l, h, d).Permute(0, 2, 1, 3);  // (N, H, L, D)
        k = k.Reshape(n, s, h, d).Permute(0, 2, 3, 1);  // (N, H, D, S)
        v = v.Reshape(n, s, h, d).Permute(0, 2, 1, 3);  // (N, H, S, D)
        var scores = q.Div(MathF.Sqrt(d)).MatMul(k);    // (N, H, L, S)
        if (attnMask is not null) scores = scores.Add(attnMask.Rank == 2 ? attnMask : attnMask.Reshape(n, h, l, s));
        if (keyPaddingMask is not null)
        {
            var additive = Tensor.Where(keyPaddingMask, Tensor.Scalar(float.NegativeInfinity), Tensor.Scalar(0f));
            scores = scores.Add(additive.Reshape(n, 1, 1, s));
        }
        var weights = scores.Softmax(-1);                           // (N, H, L, S)
        weights = Functional.Dropout(weights, _dropoutP, Training, _generator); // returned after dropout, as PyTorch
        var o = weights.MatMul(v).Permute(0, 2, 1, 3).Reshape(n, l, e); // (N, L, E)
        return (o, weights);
    }

    /// <summary>The (L, L) additive causal mask: 0 on and below the diagonal, -∞ above (position i sees positions ≤ i).</summary>
    public static Tensor CausalMask(int length)
    {
        var m = Tensor.Zeros(length, length);
        var s = m.AsSpan();
        for (int i = 0; i < length; i++)
            for (int j = i + 1; j < length; j++) s[i * length + j] = float.NegativeInfinity;
        return m;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"embed_dim={EmbedDim}, num_heads={NumHeads}, batch_first={BatchFirst}";
}

/// <summary>
/// One Transformer encoder block, PyTorch's <c>nn.TransformerEncoderLayer</c> with ReLU: post-norm by default,
/// x ← norm1(x + dropout1(selfAttn(x))), x ← norm2(x + dropout2(linear2(dropout(relu(linear1(x)))))), or pre-norm
/// (x ← x + selfAttn(norm1(x)), ...) with <c>normFirst</c>. Inputs are (L, N, E) by default, as in PyTorch, or (N, L, E)
/// with batchFirst.
/// </summary>
public sealed class TransformerEncoderLayer : Module
{
    /// <summary>The self-attention block.</summary>
    public MultiheadAttention SelfAttn { get; }

    private readonly Linear _linear1, _linear2;
    private readonly Dropout _dropout, _dropout1, _dropout2;
    private readonly LayerNorm _norm1, _norm2;

    /// <summary>True for the pre-norm arrangement.</summary>
    public bool NormFirst { get; }

    /// <summary>Creates the block with PyTorch's defaults (feed-forward width 2048, dropout 0.1).</summary>
    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward = 2048, float dropout = 0.1f, float layerNormEps = 1e-5f, bool batchFirst = false, bool normFirst = false, Generator? generator = null)
    {
        NormFirst = normFirst;
        // Registration order follows PyTorch's __init__, so state-dict keys come out in the same order.
        SelfAttn = RegisterModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, true, batchFirst, generator));
        _linear1 = RegisterModule("linear1", new Linear(dModel, dimFeedforward, generator: generator));
        _dropout = RegisterModule("dropout", new Dropout(dropout, generator));
        _linear2 = RegisterModule("linear2", new Linear(dimFeedforward, dModel, generator: generator));
        _norm1 = RegisterModule("norm1", new LayerNorm(dModel, layerNormEps));
        _norm2 = RegisterModule("norm2", new LayerNorm(dModel, layerNormEps));
        _dropout1 = RegisterModule("dropout1", new Dropout(dropout, generator));
        _dropout2 = RegisterModule("dropout2", new Dropout(dropout, generator));
    }

    /// <summary>Encodes <paramref name="src"/> (L, N, E), or (N, L, E) when built batch-first, with an optional additive (L, L) mask and (N, L) key padding mask.</summary>
    public Tensor Forward(Tensor src, Tensor? srcMask, Tensor? srcKeyPaddingMask = null)
    {
        Tensor SelfAttention(Tensor x) => _dropout1.Forward(SelfAttn.Attend(x, x, x, srcKeyPaddingMask, srcMask));
        Tensor FeedForward(Tensor x) => _dropout2.Forward(_linear2.Forward(_dropout.Forward(_linear1.Forward(x).Relu())));
        var y = src;
        if (NormFirst)
        {
            y = y.Add(SelfAttention(_norm1.Forward(y)));
            y = y.Add(FeedForward(_norm2.Forward(y)));
        }
        else
        {
            y = _norm1.Forward(y.Add(SelfAttention(y)));
            y = _norm2.Forward(y.Add(FeedForward(y)));
        }
        return y;
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Forward(input, null, null);
}

/// <summary>
/// A stack of <c>numLayers</c> encoder blocks, each made by a factory, with an optional final norm
/// (PyTorch's <c>nn.TransformerEncoder</c>; keys <c>layers.0.*</c>, ..., <c>norm.*</c>).
/// </summary>
public sealed class TransformerEncoder : Module
{
    /// <summary>The blocks, in order.</summary>
    public ModuleList Layers { get; }

    /// <summary>The final normalisation, or null.</summary>
    public LayerNorm? Norm { get; }

    /// <summary>Creates the stack; <paramref name="makeLayer"/> is called once per layer, so the layers do not share weights.</summary>
    public TransformerEncoder(Func<TransformerEncoderLayer> makeLayer, int numLayers, LayerNorm? norm = null)
    {
        ArgumentNullException.ThrowIfNull(makeLayer);
        if (numLayers <= 0) throw new PittsException($"TransformerEncoder: the number of layers must be positive, got {numLayers}");
        Layers = RegisterModule("layers", new ModuleList());
        for (int i = 0; i < numLayers; i++) Layers.Add(makeLayer());
        if (norm is not null) Norm = RegisterModule("norm", norm);
    }

    /// <summary>Runs every block on <paramref name="src"/> (in the blocks' layout) with the same masks, then the final norm.</summary>
    public Tensor Forward(Tensor src, Tensor? mask, Tensor? srcKeyPaddingMask = null)
    {
        foreach (var layer in Layers) src = ((TransformerEncoderLayer)layer).Forward(src, mask, srcKeyPaddingMask);
        return Norm is null ? src : Norm.Forward(src);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Forward(input, null, null);
}
